/**
 * TLS failures: certificate verification, hostname mismatch, handshake.
 */
import { CodedError, type SystemError, systemError, uvErrno } from "./system.js"
/**
 * A certificate verification error as OpenSSL reports it through Node: a
 * plain `Error` with the OpenSSL text as `message` and the X509 code as `code`.
 *
 * @since 0.1.0
 */
export interface TlsVerifyError extends Error {
  readonly code: string
}

const verifyError = (code: string, message: string): TlsVerifyError => {
  const error = new globalThis.Error(message) as unknown as Record<string, unknown>
  error["code"] = code
  return error as unknown as TlsVerifyError
}

/**
 * `DEPTH_ZERO_SELF_SIGNED_CERT`: the server's certificate is self-signed and
 * not trusted.
 *
 * @since 0.1.0
 */
export const selfSigned = (): TlsVerifyError => verifyError("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate")

/**
 * `SELF_SIGNED_CERT_IN_CHAIN`: the chain ends in a self-signed root that is
 * not trusted.
 *
 * @since 0.1.0
 */
export const selfSignedInChain = (): TlsVerifyError =>
  verifyError("SELF_SIGNED_CERT_IN_CHAIN", "self-signed certificate in certificate chain")

/**
 * `CERT_HAS_EXPIRED`: the certificate's `notAfter` is past.
 *
 * @since 0.1.0
 */
export const certExpired = (): TlsVerifyError => verifyError("CERT_HAS_EXPIRED", "certificate has expired")

/**
 * `UNABLE_TO_VERIFY_LEAF_SIGNATURE`: the server sent its certificate without
 * the intermediate that signed it, and that issuer is not trusted here.
 *
 * @since 0.1.0
 */
export const unableToVerifyLeaf = (): TlsVerifyError =>
  verifyError("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate")

/**
 * `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`: the chain leads to an issuer that is
 * not in the trusted store (a corporate CA, a missing `ca` option).
 *
 * @since 0.1.0
 */
export const unableToGetIssuerLocally = (): TlsVerifyError =>
  verifyError("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "unable to get local issuer certificate")

/**
 * Node's `ERR_TLS_CERT_ALTNAME_INVALID` (from `tls.checkServerIdentity`).
 *
 * @since 0.1.0
 */
export interface AltnameInvalidError extends Error {
  readonly code: "ERR_TLS_CERT_ALTNAME_INVALID"
  readonly reason: string
  readonly host: string
  readonly cert: unknown
}

/**
 * `ERR_TLS_CERT_ALTNAME_INVALID`: the certificate does not cover the host
 * name. `altnames` is the certificate's `subjectaltname`
 * (`"DNS:other.test, DNS:www.other.test"`); for an IP `host` the reason reads
 * as Node's IP form. `cert` defaults to a minimal peer certificate object.
 *
 * @since 0.1.0
 */
export const altnameInvalid = (options: {
  readonly host: string
  readonly altnames?: string | undefined
  readonly cert?: unknown
}): AltnameInvalidError => {
  const altnames = options.altnames ?? "DNS:mismatch.test"
  const isIp = /^[\d.]+$/.test(options.host) || options.host.includes(":")
  const reason = isIp
    ? `IP: ${options.host} is not in the cert's list: ${
      altnames.split(", ").filter((n) => n.startsWith("IP Address:")).map((n) => n.slice(11)).join(", ")
    }`
    : `Host: ${options.host}. is not in the cert's altnames: ${altnames}`
  const error = new CodedError(`Hostname/IP does not match certificate's altnames: ${reason}`) as unknown as Record<
    string,
    unknown
  >
  // Node defines `message` after the fields; keep its key order.
  const message = error["message"]
  delete error["message"]
  error["code"] = "ERR_TLS_CERT_ALTNAME_INVALID"
  error["reason"] = reason
  error["host"] = options.host
  error["cert"] = options.cert ??
    { subject: { CN: altnames.split(", ")[0]?.replace(/^DNS:/, "") ?? "" }, subjectaltname: altnames }
  Object.defineProperty(error, "message", { value: message, enumerable: false, writable: true, configurable: true })
  return error as unknown as AltnameInvalidError
}

/**
 * An OpenSSL error raised by the handshake (Node >= 17 with OpenSSL 3):
 * `code` is `ERR_SSL_<REASON>`, plus `library` and `reason`.
 *
 * @since 0.1.0
 */
export interface SslError extends Error {
  readonly code: string
  readonly library: string
  readonly reason: string
}

/**
 * OpenSSL's error lines for the handshake failures below, as the OpenSSL
 * Node bundles writes them. They moved with OpenSSL's record layer rewrite
 * (3.2): a plain-http peer is caught in `tls_validate_record_header`
 * instead of `ssl3_get_record`, alerts are read at another line, and the
 * `sslv3 alert` reasons became `ssl/tls alert` (so the handshake failure's
 * code is `ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE` from Node 22 on). Each
 * row was read from a real failure on loopback (Node 20: OpenSSL 3.0; Node
 * 22: 3.5); another OpenSSL takes the row of the closest version below it.
 */
const opensslRows = [
  {
    since: [3, 0],
    wrongVersion: "ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:",
    alertAt: "../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601",
    alertPrefix: "sslv3 alert"
  },
  {
    since: [3, 5],
    wrongVersion:
      "tls_validate_record_header:wrong version number:../deps/openssl/openssl/ssl/record/methods/tlsany_meth.c:77:",
    alertAt: "../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918",
    alertPrefix: "ssl/tls alert"
  }
] as const

/** The row for an OpenSSL version string (`process.versions.openssl`, e.g. `"3.5.8"`). */
const opensslRow = (version: string | undefined) => {
  const [major = 0, minor = 0] = (version ?? "").split(".").map(Number)
  const below = opensslRows.filter(({ since: [a, b] }) => major > a || (major === a && minor >= b))
  return below[below.length - 1] ?? opensslRows[0]
}

/** A failure's `reason` and the OpenSSL line after `0A0000xx:SSL routines:`, for an OpenSSL version. */
const sslErrorsFor = (version: string | undefined) => {
  const row = opensslRow(version)
  const alert = (reason: string, alertNumber: number) => ({
    reason,
    detail: `0A000${alertNumber === 70 ? "42E" : "410"}:SSL routines:ssl3_read_bytes:${reason}:${row.alertAt}:` +
      `SSL alert number ${alertNumber}`
  })
  return {
    /** The peer does not speak TLS (an `https://` url on a plain-http port). */
    ERR_SSL_WRONG_VERSION_NUMBER: {
      code: "ERR_SSL_WRONG_VERSION_NUMBER",
      reason: "wrong version number",
      detail: `0A00010B:SSL routines:${row.wrongVersion}`
    },
    /** No TLS version in common (the server answered with a protocol_version alert). */
    ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: {
      code: "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
      ...alert("tlsv1 alert protocol version", 70)
    },
    /** No cipher or parameters in common (handshake_failure alert); its code names OpenSSL's reason. */
    ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: {
      code: `ERR_SSL_${row.alertPrefix.toUpperCase().replace(/ /g, "_")}_HANDSHAKE_FAILURE`,
      ...alert(`${row.alertPrefix} handshake failure`, 40)
    }
  } as const
}

/**
 * The OpenSSL handshake failures {@link handshake} knows how to render, as
 * the OpenSSL of the running Node reports them (`process.versions.openssl`):
 * the `code`, `reason` and error line differ between OpenSSL 3.0 (Node 20)
 * and 3.5 (Node 22). Keyed by the Node 20 codes.
 *
 * @since 0.1.0
 */
export const sslErrors: {
  readonly [K in keyof ReturnType<typeof sslErrorsFor>]: {
    readonly code: string
    readonly reason: string
    readonly detail: string
  }
} = sslErrorsFor(process.versions.openssl)

/**
 * A TLS handshake failure as Node >= 17 reports it:
 * `ERR_SSL_WRONG_VERSION_NUMBER` by default (an `https://` url on a port
 * that speaks plain http). `code` picks the failure by its Node 20 code; the
 * error has the running Node's code, reason and OpenSSL line (see
 * {@link sslErrors}). The message carries OpenSSL's error line with a zeroed
 * thread id where the real one has the thread's address.
 *
 * @since 0.1.0
 */
export const handshake = (code: keyof typeof sslErrors = "ERR_SSL_WRONG_VERSION_NUMBER"): SslError => {
  const known = sslErrors[code]
  const error = new globalThis.Error(`0000000000000000:error:${known.detail}\n`) as unknown as Record<string, unknown>
  error["library"] = "SSL routines"
  error["reason"] = known.reason
  error["code"] = known.code
  return error as unknown as SslError
}

/**
 * `write EPROTO`: a TLS protocol error surfaced through the socket write, as
 * Node <= 16 reported handshake failures and as Node still does when OpenSSL
 * gives no reason. `detail` is appended to the message (older Nodes put the
 * OpenSSL line there).
 *
 * @since 0.1.0
 */
export const eproto = (detail?: string): SystemError =>
  systemError(`write EPROTO${detail === undefined ? "" : ` ${detail}`}`, {
    errno: uvErrno("EPROTO"),
    code: "EPROTO",
    syscall: "write"
  })
