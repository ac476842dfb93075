/**
 * TLS options of the pool: which certificate authorities to trust, a client
 * certificate, the server name, and verification.
 *
 * Certificates are verified by default and stay verified unless
 * `rejectUnauthorized: false` is given in code or configuration; that logs a
 * warning when the pool is built. The pool always passes
 * `rejectUnauthorized` to Node explicitly, so `NODE_TLS_REJECT_UNAUTHORIZED=0`
 * in the environment does not turn verification off for steadfast; the pool
 * logs a warning that says so.
 *
 * Every certificate or key option takes PEM text or the path of a PEM file
 * (text containing `-----BEGIN` is PEM; anything else is a path, read when
 * the pool is built).
 *
 * @example
 * ```ts
 * import { NodeClient } from "@steadfast/node"
 *
 * const layer = NodeClient.layer({
 *   tls: { ca: "/etc/ssl/internal-ca.pem", includeDefaultCa: true }
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "@steadfast/core/line/Config"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

/**
 * TLS options.
 *
 * @since 0.1.0
 */
export interface Options {
  /**
   * Certificate authorities to trust: PEM text or file paths (a file may hold
   * several certificates). As with Node's own `ca` option they replace the
   * built-in roots unless `includeDefaultCa` is set.
   *
   * @default Node's built-in roots (plus `NODE_EXTRA_CA_CERTS`)
   */
  readonly ca?: string | ReadonlyArray<string> | undefined
  /**
   * Trust Node's built-in roots as well as `ca` (for a private CA next to
   * public servers).
   *
   * @default false
   */
  readonly includeDefaultCa?: boolean | undefined
  /** A client certificate (PEM text or path), for mutual TLS. @default none */
  readonly cert?: string | undefined
  /**
   * The client certificate's private key (PEM text or path). Never quoted
   * in an error, even when it is neither PEM nor a readable file.
   *
   * @default none
   */
  readonly key?: string | Redacted.Redacted<string> | undefined
  /** The passphrase of an encrypted `key`. @default none */
  readonly passphrase?: string | Redacted.Redacted<string> | undefined
  /**
   * The name sent in SNI and checked against the certificate.
   *
   * @default the host of the request url (undici's behaviour)
   */
  readonly servername?: string | undefined
  /**
   * Verify the server's certificate. Turning this off accepts any
   * certificate, including an attacker's; it logs a warning.
   *
   * @default true
   */
  readonly rejectUnauthorized?: boolean | undefined
}

/**
 * Whether a string is PEM text (rather than a file path).
 *
 * @since 0.1.0
 */
export const isPem = (text: string): boolean => text.includes("-----BEGIN ")

/**
 * Reads TLS options from `Config`: `TLS_CA` (PEM or paths, comma separated),
 * `TLS_INCLUDE_DEFAULT_CA`, `TLS_CERT`, `TLS_KEY` (secret), `TLS_PASSPHRASE`
 * (secret), `TLS_SERVERNAME`, `TLS_REJECT_UNAUTHORIZED`.
 * `NodeClient.layerConfig` nests it as `STEADFAST_TLS_CA` and so on.
 *
 * @since 0.1.0
 */
export const config: Config.Config<Options> = Config.map(
  Config.all({
    ca: Config.option(Config.string("TLS_CA")),
    includeDefaultCa: Config.option(Config.boolean("TLS_INCLUDE_DEFAULT_CA")),
    cert: Config.option(Config.string("TLS_CERT")),
    key: Config.option(Config.redacted("TLS_KEY")),
    passphrase: Config.option(Config.redacted("TLS_PASSPHRASE")),
    servername: Config.option(Config.string("TLS_SERVERNAME")),
    rejectUnauthorized: Config.option(Config.boolean("TLS_REJECT_UNAUTHORIZED"))
  }),
  (c): Options => ({
    ca: Option.getOrUndefined(
      Option.map(c.ca, (ca) => isPem(ca) ? ca : ca.split(",").map((p) => p.trim()).filter((p) => p !== ""))
    ),
    includeDefaultCa: Option.getOrUndefined(c.includeDefaultCa),
    cert: Option.getOrUndefined(c.cert),
    key: Option.getOrUndefined(c.key),
    passphrase: Option.getOrUndefined(c.passphrase),
    servername: Option.getOrUndefined(c.servername),
    rejectUnauthorized: Option.getOrUndefined(c.rejectUnauthorized)
  })
)
