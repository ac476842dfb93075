/**
 * HTTP/2 failures as undici and Node report them, read back into the frame
 * the server sent (RST_STREAM or GOAWAY) and its error code.
 */

/** HTTP/2 error codes by number (RFC 9113 §7), named as Node names them. */
const H2_CODES = [
  "NO_ERROR",
  "PROTOCOL_ERROR",
  "INTERNAL_ERROR",
  "FLOW_CONTROL_ERROR",
  "SETTINGS_TIMEOUT",
  "STREAM_CLOSED",
  "FRAME_SIZE_ERROR",
  "REFUSED_STREAM",
  "CANCEL",
  "COMPRESSION_ERROR",
  "CONNECT_ERROR",
  "ENHANCE_YOUR_CALM",
  "INADEQUATE_SECURITY",
  "HTTP_1_1_REQUIRED"
]
const H2_STREAM_CODE = /\bNGHTTP2_[A-Z0-9_]+/
const H2_GOAWAY = /HTTP\/2: "GOAWAY" frame received with code (\d+)/
const H2_STREAM_GONE = /^HTTP\/2: stream (?:half-closed \(remote\)|closed before the response was complete)/

/**
 * undici's HTTP/2 failures: a stream reset by the server (Node's
 * `ERR_HTTP2_STREAM_ERROR`, "Stream closed with error code NGHTTP2_…"), a
 * GOAWAY (undici's `SocketError` "HTTP/2: \"GOAWAY\" frame received with
 * code N"), a stream that ended without its response (undici's
 * informational errors).
 */
export const http2Reset = (
  code: string,
  message: string
): { readonly code: string; readonly frame: "GOAWAY" | "RST_STREAM" } | undefined => {
  if (code === "ERR_HTTP2_STREAM_ERROR") {
    return { code: H2_STREAM_CODE.exec(message)?.[0] ?? code, frame: "RST_STREAM" }
  }
  if (code === "UND_ERR_SOCKET") {
    const goaway = H2_GOAWAY.exec(message)
    if (goaway !== null) {
      const name = H2_CODES[Number(goaway[1])]
      return { code: name === undefined ? `HTTP2_CODE_${goaway[1]}` : `NGHTTP2_${name}`, frame: "GOAWAY" }
    }
  }
  if (code === "UND_ERR_INFO" && H2_STREAM_GONE.test(message)) return { code, frame: "RST_STREAM" }
  return undefined
}
