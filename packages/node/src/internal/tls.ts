/**
 * Turns `Tls.Options` into the options of Node's `tls.connect` (what undici's
 * connector passes through), reading files and warning about disabled
 * verification.
 *
 * @internal
 */
import * as Config from "@steadfast/core/line/Config"
import * as Effect from "@steadfast/core/line/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as crypto from "node:crypto"
import * as fs from "node:fs/promises"
import * as tls from "node:tls"
import type * as Tls from "../Tls.js"
import { InvalidPoolOptions } from "./errors.js"

/**
 * Options for `tls.connect` (what undici's connector passes through). The
 * certificates are in one `secureContext`, built when the pool is built:
 * given `ca`, `cert` or `key` instead, Node builds a context for every
 * connection, and parsing a CA bundle costs milliseconds of CPU each time.
 *
 * @internal
 */
export interface ConnectTls {
  /** `ca`, `cert`, `key` and `passphrase`; absent: Node's default context. */
  readonly secureContext?: tls.SecureContext
  readonly servername?: string
  readonly rejectUnauthorized: boolean
}

/** The TLS of requests, and of the connection to an https proxy (the same CAs, no client certificate). @internal */
export interface ResolvedTls {
  readonly requests: ConnectTls
  readonly proxy: ConnectTls
}

const reveal = (value: string | Redacted.Redacted<string>): string =>
  typeof value === "string" ? value : Redacted.value(value)

const isPem = (text: string) => text.includes("-----BEGIN ")

/**
 * PEM text as is, or the contents of the file at that path. A `secret`
 * value (the key) is never quoted, nor kept in the cause (a Node file error
 * names its path): text that is not PEM may be key material that lost its
 * `-----BEGIN` line.
 */
const pem = (option: string, value: string, secret = false): Effect.Effect<string, InvalidPoolOptions> =>
  isPem(value) ? Effect.succeed(value) : Effect.tryPromise({
    try: () => fs.readFile(value, "utf8"),
    catch: (cause) => {
      const code = (cause as { code?: string }).code ?? (secret ? "unreadable" : String(cause))
      return secret
        ? new InvalidPoolOptions({
          option,
          reason: `is not PEM text (-----BEGIN …), and not the path of a file that can be read (${code})`
        })
        : new InvalidPoolOptions({ option, reason: `cannot read ${value} (${code})`, cause })
    }
  }).pipe(
    Effect.filterOrFail(
      isPem,
      () =>
        new InvalidPoolOptions({
          option,
          reason: secret
            ? "the file it names holds no PEM data (-----BEGIN …)"
            : `${value} holds no PEM data (-----BEGIN …)`
        })
    )
  )

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g

/**
 * Node ignores CA certificates it cannot parse: check each one, so a broken
 * bundle fails when the pool is built rather than as "untrusted" later.
 */
const checkCertificates = (option: string, source: string, text: string): Effect.Effect<void, InvalidPoolOptions> =>
  Effect.forEach(text.match(CERTIFICATE) ?? [], (pem, i) =>
    Effect.try({
      try: () => new crypto.X509Certificate(pem),
      catch: (cause) =>
        new InvalidPoolOptions({
          option,
          reason: `certificate ${i + 1} of ${isPem(source) ? "the PEM text" : source} cannot be parsed`,
          cause
        })
    }), { discard: true })

/** The warning logged when verification is turned off. @internal */
export const insecureWarning =
  "TLS certificate verification is OFF (tls.rejectUnauthorized: false): any certificate is accepted, " +
  "including an attacker's. Trust the server's CA with `tls.ca` instead."

/** The warning logged when NODE_TLS_REJECT_UNAUTHORIZED=0 is set. @internal */
export const envWarning = "NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment. steadfast ignores it and " +
  "keeps verifying certificates (it passes rejectUnauthorized to Node explicitly); other Node code in this process " +
  "does not verify. Unset it, and trust a private CA with `tls.ca`."

/**
 * Resolves TLS options: reads PEM files, builds the secure contexts (which
 * checks that Node accepts the result), and logs a warning (once per pool)
 * when verification is off or `NODE_TLS_REJECT_UNAUTHORIZED=0` is set.
 *
 * @internal
 */
export const resolve = (options: Tls.Options | undefined): Effect.Effect<ResolvedTls, InvalidPoolOptions> =>
  Effect.gen(function*() {
    const o = options ?? {}
    const rejectUnauthorized = o.rejectUnauthorized ?? true
    const certificates: {
      ca?: Array<string>
      cert?: string
      key?: string
      passphrase?: string
    } = {}
    if (o.ca !== undefined) {
      const sources = typeof o.ca === "string" ? [o.ca] : o.ca
      const cas = yield* Effect.forEach(
        sources,
        (source) => Effect.tap(pem("tls.ca", source), (text) => checkCertificates("tls.ca", source, text))
      )
      certificates.ca = o.includeDefaultCa === true ? [...tls.rootCertificates, ...cas] : cas
    }
    if (o.cert !== undefined) certificates.cert = yield* pem("tls.cert", o.cert)
    if (o.key !== undefined) certificates.key = yield* pem("tls.key", reveal(o.key), true)
    if (o.passphrase !== undefined) certificates.passphrase = reveal(o.passphrase)
    if ((certificates.cert === undefined) !== (certificates.key === undefined)) {
      return yield* new InvalidPoolOptions({
        option: certificates.cert === undefined ? "tls.cert" : "tls.key",
        reason: "a client certificate needs both `cert` and `key`"
      })
    }
    const context = (options: tls.SecureContextOptions) =>
      Effect.try({
        try: () => tls.createSecureContext(options),
        catch: (cause) =>
          new InvalidPoolOptions({
            option: "tls",
            reason: `Node rejects the certificates or key: ${(cause as Error).message ?? String(cause)}`,
            cause
          })
      })
    const custom = certificates.ca !== undefined || certificates.cert !== undefined
    const secureContext = custom ? yield* context(certificates) : undefined
    const proxyContext = certificates.ca === undefined ? undefined : yield* context({ ca: certificates.ca })
    if (!rejectUnauthorized) yield* Effect.logWarning(insecureWarning)
    const env = yield* Effect.orElseSucceed(
      Config.option(Config.string("NODE_TLS_REJECT_UNAUTHORIZED")),
      () => Option.none<string>()
    )
    if (Option.isSome(env) && env.value.trim() === "0") yield* Effect.logWarning(envWarning)
    return {
      requests: {
        ...(secureContext === undefined ? {} : { secureContext }),
        ...(o.servername === undefined ? {} : { servername: o.servername }),
        rejectUnauthorized
      },
      proxy: { ...(proxyContext === undefined ? {} : { secureContext: proxyContext }), rejectUnauthorized }
    }
  }).pipe(Effect.annotateLogs("steadfast", "tls"))
