/**
 * The node:http server the benchmark forks when nginx is not installed (and
 * always for the retry-cost test, which needs a stateful route). Runs in its
 * own process; sends its port to the parent over IPC and exits when the
 * parent disconnects.
 *
 * Routes:
 * - `GET /`: 200 with the small JSON body (`BODY`), keep-alive;
 * - `GET /flaky?k=KEY`: 503 the first time KEY is seen, 200 (the same body
 *   as `/`) the second time, so each logical request fails once and its
 *   retry succeeds, whatever connection the retry uses.
 */
import * as http from "node:http"
import { BODY } from "./payload.js"

const body = Buffer.from(BODY)
const unavailable = Buffer.from(JSON.stringify({ error: "unavailable", retry: true }))
const seen = new Set<string>()

const server = http.createServer((req, res) => {
  const url = req.url ?? "/"
  let status = 200
  if (url.startsWith("/flaky")) {
    const at = url.indexOf("k=")
    const key = at < 0 ? "" : url.slice(at + 2)
    if (seen.has(key)) {
      seen.delete(key)
    } else {
      seen.add(key)
      status = 503
    }
  }
  const payload = status === 200 ? body : unavailable
  req.resume()
  res.writeHead(status, { "content-type": "application/json", "content-length": payload.length })
  res.end(payload)
})
server.keepAliveTimeout = 120_000
server.headersTimeout = 130_000
server.maxRequestsPerSocket = 0

server.listen(0, "127.0.0.1", () => {
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  process.send?.({ port })
})
process.on("disconnect", () => process.exit(0))
process.on("SIGTERM", () => process.exit(0))
