/**
 * undici's own timeouts and limits, and its HTTP parser error.
 */
import { errors as undici } from "undici"
/**
 * undici's `ConnectTimeoutError` (`UND_ERR_CONNECT_TIMEOUT`):
 * `Connect Timeout Error (attempted address: host:port, timeout: 10000ms)`.
 * Give `attemptedAddresses` for the happy-eyeballs form
 * (`attempted addresses: a:443, b:443,`).
 *
 * @since 0.1.0
 */
export const connectTimeout = (options: {
  readonly hostname: string
  readonly port: number
  readonly timeoutMs: number
  readonly attemptedAddresses?: ReadonlyArray<string> | undefined
}): undici.ConnectTimeoutError => {
  const attempted = options.attemptedAddresses === undefined
    ? `attempted address: ${options.hostname}:${options.port},`
    : `attempted addresses: ${options.attemptedAddresses.join(", ")},`
  return new undici.ConnectTimeoutError(`Connect Timeout Error (${attempted} timeout: ${options.timeoutMs}ms)`)
}

/**
 * undici's `HeadersTimeoutError` (`UND_ERR_HEADERS_TIMEOUT`): no response
 * headers within `headersTimeout`.
 *
 * @since 0.1.0
 */
export const headersTimeout = (): undici.HeadersTimeoutError => new undici.HeadersTimeoutError()

/**
 * undici's `BodyTimeoutError` (`UND_ERR_BODY_TIMEOUT`): the body stalled
 * longer than `bodyTimeout`.
 *
 * @since 0.1.0
 */
export const bodyTimeout = (): undici.BodyTimeoutError => new undici.BodyTimeoutError()

/**
 * undici's `ResponseExceededMaxSizeError` (`UND_ERR_RES_EXCEEDED_MAX_SIZE`):
 * the body passed the dispatcher's `maxResponseSize`.
 *
 * @since 0.1.0
 */
export const responseExceededMaxSize = (): undici.ResponseExceededMaxSizeError =>
  new undici.ResponseExceededMaxSizeError()

/**
 * undici's `HTTPParserError`: the server sent bytes that are not HTTP/1.1.
 * `data` holds the offending bytes; `reason` is llhttp's (the default is
 * what it says when the response does not start with a status line).
 * undici 7 leaves `code` `undefined` here (it looks the numeric error up in
 * a name → number table), so classify it by `name`.
 *
 * @since 0.1.0
 */
export const httpParser = (options: {
  readonly data: string | Uint8Array
  readonly reason?: string | undefined
}): undici.HTTPParserError => {
  const reason = options.reason ?? "Expected HTTP/, RTSP/ or ICE/"
  const data = typeof options.data === "string" ? options.data : Buffer.from(options.data)
  return new (undici.HTTPParserError as unknown as new(
    message: string,
    code: string | undefined,
    data: string | Buffer
  ) => undici.HTTPParserError)(`Response does not match the HTTP/1.1 protocol (${reason})`, undefined, data)
}
