/**
 * A loopback server that records the headers each request arrived with (the
 * raw values: what the server saw, not what the client meant to send) and
 * answers through `answer`. 127.0.0.1, port 0, closed with the test's scope.
 */
import * as Effect from "#line/Effect"
import type * as Scope from "#line/Scope"
import * as http from "node:http"
import type * as net from "node:net"

export interface Received {
  readonly method: string
  readonly path: string
  readonly headers: http.IncomingHttpHeaders
}

export interface RecordingServer {
  readonly origin: string
  readonly received: Array<Received>
}

/** `answer` gets the request, the response and the 0-based count of requests to the same path before it. */
export const recordingServer = (
  answer: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void = (_, res) => ok(res, { ok: true })
): Effect.Effect<RecordingServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ server: http.Server; state: RecordingServer }>((resume) => {
      const received: Array<Received> = []
      const server = http.createServer((req, res) => {
        const path = req.url ?? ""
        const n = received.filter((r) => r.path === path).length
        received.push({ method: req.method ?? "", path, headers: req.headers })
        answer(req, res, n)
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as net.AddressInfo).port
        resume(Effect.succeed({ server, state: { origin: `http://127.0.0.1:${port}`, received } }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ state }) => state))

export const ok = (res: http.ServerResponse, value: unknown, status = 200): void => {
  res.statusCode = status
  res.setHeader("content-type", "application/json")
  res.end(JSON.stringify(value))
}
