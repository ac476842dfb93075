/**
 * Test certificates, generated in process (no `openssl` binary): a test CA
 * and the leaves the FaultServer's TLS listeners present.
 *
 * All keys are ECDSA P-256 and every PEM string is ready for Node's `tls`
 * options (`{ cert, key }` for a server, `{ ca }` for a client). The set is
 * generated once per process, on first use, and shared afterwards.
 *
 * | field        | signed by | names (SAN)                | validity            | a client trusting `ca.cert` gets |
 * |--------------|-----------|----------------------------|---------------------|----------------------------------|
 * | `ca`         | itself    | (a CA)                     | now - 1 day, 10 y   | (the trust anchor)               |
 * | `localhost`  | `ca`      | `localhost`, `127.0.0.1`   | now - 1 day, 825 d  | a trusted connection             |
 * | `selfSigned` | itself    | `localhost`, `127.0.0.1`   | now - 1 day, 825 d  | `DEPTH_ZERO_SELF_SIGNED_CERT`    |
 * | `expired`    | `ca`      | `localhost`, `127.0.0.1`   | 60 to 30 days ago   | `CERT_HAS_EXPIRED`               |
 * | `wrongHost`  | `ca`      | `wrong.example`            | now - 1 day, 825 d  | `ERR_TLS_CERT_ALTNAME_INVALID`   |
 *
 * Generation uses `@peculiar/x509`, which needs a Reflect metadata polyfill:
 * the first call loads `reflect-metadata` (it adds `Reflect.getMetadata` and
 * friends to the global `Reflect`). Importing this module does not.
 *
 * @example
 * ```ts
 * import { Certificates } from "@steadfast/testkit"
 * import * as https from "node:https"
 *
 * const certs = await Certificates.generate()
 * const server = https.createServer(
 *   { cert: certs.localhost.cert, key: certs.localhost.key },
 *   (_request, response) => response.end("ok")
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "@steadfast/core/line/Effect"
import * as internal from "./internal/server/certificates.js"

/**
 * A certificate and its private key, both PEM encoded (the key as PKCS#8).
 *
 * @since 0.1.0
 */
export interface KeyPairPem {
  readonly cert: string
  readonly key: string
}

/**
 * The generated certificates (see the table in the module comment).
 *
 * @since 0.1.0
 */
export interface CertificateSet {
  /** The test CA. Give `ca.cert` to a client as its trusted CA. */
  readonly ca: KeyPairPem
  /** Signed by the CA for `localhost` and `127.0.0.1`: the valid one. */
  readonly localhost: KeyPairPem
  /** Self-signed, for `localhost` and `127.0.0.1`. */
  readonly selfSigned: KeyPairPem
  /** Signed by the CA for `localhost` and `127.0.0.1`, expired 30 days ago. */
  readonly expired: KeyPairPem
  /** Signed by the CA for `wrong.example` only. */
  readonly wrongHost: KeyPairPem
}

/**
 * The certificate set, as a Promise. Generated on the first call (a few
 * milliseconds), then the same set for the rest of the process.
 *
 * @since 0.1.0
 */
export const generate: () => Promise<CertificateSet> = internal.generate

/**
 * The certificate set, as an Effect (see {@link generate}). Generation
 * failing is a defect: it only fails when the platform lacks WebCrypto.
 *
 * @since 0.1.0
 */
export const make = (): Effect.Effect<CertificateSet> => Effect.promise(() => internal.generate())
