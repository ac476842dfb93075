/**
 * A small HTTP/1.1 request parser and response writer over raw bytes.
 *
 * The fault server needs byte-level control of every response (a body cut
 * after N bytes, a reset in the middle, bytes that are not HTTP), so it
 * speaks HTTP/1.1 itself instead of going through `node:http`. The parser
 * handles what test clients send: a request line, headers, and a body framed
 * by `content-length` or `transfer-encoding: chunked`; requests on a
 * keep-alive connection are served one after the other.
 */
import { STATUS_CODES } from "node:http"

/** One parsed request. */
export interface Request {
  readonly method: string
  /** The request target as sent (origin-form, usually `/path?query`). */
  readonly target: string
  readonly version: "1.0" | "1.1"
  /** Header names lower-cased; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
  /** Whether the connection may serve another request afterwards. */
  readonly keepAlive: boolean
}

/** The result of trying to parse one request from the front of a buffer. */
export type Parsed =
  | { readonly _tag: "Incomplete" }
  | { readonly _tag: "Request"; readonly request: Request; readonly consumed: number }
  | { readonly _tag: "Invalid"; readonly status: number; readonly reason: string }

/** Requests with larger heads are answered 431 and the connection closed. */
export const maxHeadBytes = 64 * 1024
/** Requests with larger bodies are answered 413 and the connection closed. */
export const maxBodyBytes = 64 * 1024 * 1024

const CRLF = Buffer.from("\r\n")
const HEAD_END = Buffer.from("\r\n\r\n")
const tokenRe = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

const invalid = (status: number, reason: string): Parsed => ({ _tag: "Invalid", status, reason })

/** Parses the chunked body starting at `offset`; `undefined` when incomplete. */
const parseChunked = (buf: Buffer, offset: number): { body: Buffer; end: number } | "invalid" | undefined => {
  const parts: Array<Buffer> = []
  let size = 0
  let at = offset
  for (;;) {
    const lineEnd = buf.indexOf(CRLF, at)
    if (lineEnd === -1) return buf.length - at > 1024 ? "invalid" : undefined
    const sizeText = buf.subarray(at, lineEnd).toString("latin1").split(";")[0]!.trim()
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) return "invalid"
    const n = parseInt(sizeText, 16)
    at = lineEnd + 2
    if (n === 0) {
      // trailers, then an empty line
      for (;;) {
        const end = buf.indexOf(CRLF, at)
        if (end === -1) return undefined
        if (end === at) return { body: Buffer.concat(parts, size), end: end + 2 }
        at = end + 2
      }
    }
    if (size + n > maxBodyBytes) return "invalid"
    if (buf.length < at + n + 2) return undefined
    parts.push(buf.subarray(at, at + n))
    size += n
    at += n
    if (buf[at] !== 0x0d || buf[at + 1] !== 0x0a) return "invalid"
    at += 2
  }
}

/** Tries to parse one request from the front of `buf`. */
export const parse = (buf: Buffer): Parsed => {
  const headEnd = buf.indexOf(HEAD_END)
  if (headEnd === -1) {
    return buf.length > maxHeadBytes ? invalid(431, "request head too large") : { _tag: "Incomplete" }
  }
  if (headEnd > maxHeadBytes) return invalid(431, "request head too large")
  const lines = buf.subarray(0, headEnd).toString("latin1").split("\r\n")
  const requestLine = lines[0]!.match(/^([A-Za-z]+) (\S+) HTTP\/1\.([01])$/)
  if (requestLine === null) return invalid(400, "malformed request line")
  const version = requestLine[3] === "0" ? "1.0" : "1.1"
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":")
    if (colon <= 0) return invalid(400, "malformed header line")
    const name = line.slice(0, colon).toLowerCase()
    if (!tokenRe.test(name)) return invalid(400, "malformed header name")
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  const connection = (headers["connection"] ?? "").toLowerCase()
  const keepAlive = version === "1.1" ? !connection.includes("close") : connection.includes("keep-alive")
  const bodyStart = headEnd + 4
  const te = headers["transfer-encoding"]
  let body: Buffer
  let consumed: number
  if (te !== undefined) {
    if (!te.toLowerCase().split(",").map((s) => s.trim()).includes("chunked")) {
      return invalid(501, "unsupported transfer-encoding")
    }
    const chunked = parseChunked(buf, bodyStart)
    if (chunked === "invalid") return invalid(400, "malformed chunked body")
    if (chunked === undefined) return { _tag: "Incomplete" }
    body = chunked.body
    consumed = chunked.end
  } else {
    const cl = headers["content-length"]
    const length = cl === undefined ? 0 : Number(cl)
    if (!Number.isSafeInteger(length) || length < 0) return invalid(400, "malformed content-length")
    if (length > maxBodyBytes) return invalid(413, "request body too large")
    if (buf.length < bodyStart + length) return { _tag: "Incomplete" }
    body = Buffer.from(buf.subarray(bodyStart, bodyStart + length))
    consumed = bodyStart + length
  }
  return {
    _tag: "Request",
    request: { method: requestLine[1]!.toUpperCase(), target: requestLine[2]!, version, headers, body, keepAlive },
    consumed
  }
}

/** Whether a response with this status (to this method) carries no body. */
export const isBodiless = (method: string, status: number): boolean =>
  method === "HEAD" || status < 200 || status === 204 || status === 304

/**
 * The status line and headers of a response. `content-length` is added from
 * `bodyLength` unless the headers already frame the body; `connection: close`
 * is added when `close`.
 */
export const head = (
  status: number,
  headers: Readonly<Record<string, string>>,
  options: { readonly bodyLength: number; readonly close: boolean }
): Buffer => {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Unknown"}`]
  let framed = false
  let hasConnection = false
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (lower === "content-length" || lower === "transfer-encoding") framed = true
    if (lower === "connection") hasConnection = true
    lines.push(`${name}: ${value}`)
  }
  // a HEAD response announces the length the GET body would have
  if (!framed && !(status < 200 || status === 204 || status === 304)) {
    lines.push(`content-length: ${options.bodyLength}`)
  }
  if (options.close && !hasConnection) lines.push("connection: close")
  return Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1")
}
