/**
 * Redaction of secrets before a url or headers reach a message, a log line or
 * a span: user info and token-like query parameters in urls, credentials and
 * cookies in headers. Every error message of steadfast goes through it.
 *
 * @example
 * ```ts
 * import { Redact } from "@steadfast/core"
 *
 * Redact.url("https://user:pw@api.test/x?access_token=abc&page=2")
 * // "https://user:<redacted>@api.test/x?access_token=<redacted>&page=2"
 * ```
 *
 * @since 0.1.0
 */
import * as internal from "./internal/redact.js"

/**
 * What replaces a secret.
 *
 * @since 0.1.0
 */
export const REDACTED: string = internal.REDACTED

/**
 * A url without its password and without the values of token-like query
 * parameters (`token`, `access_token`, `api_key`, `signature`, `X-Amz-*`…).
 * Text that is not a url is returned cut to 200 characters.
 *
 * @since 0.1.0
 */
export const url: (input: string | URL) => string = internal.redactUrl

/**
 * Headers with the values of credentials and cookies replaced
 * (`authorization`, `proxy-authorization`, `cookie`, `set-cookie`, `x-api-key`,
 * and any name containing `token`, `secret`, `password`, `signature` or `api-key`),
 * and of the lower-case names in `extra` (a client's own secret headers:
 * `Transport.Attempt.sensitiveHeaders`).
 *
 * @since 0.1.0
 */
export const headers: (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  extra?: ReadonlySet<string>
) => Record<string, string> = internal.redactHeaders

/**
 * Whether a header name holds a secret.
 *
 * @since 0.1.0
 */
export const isSensitiveHeader: (name: string) => boolean = internal.isSensitiveHeader
