// Micro-benchmark: undici `Agent.request()` vs `Agent.dispatch()` with a
// minimal handler on undici's own (legacy) handler API ("dispatch") and on its
// controller API ("controller"), on loopback against a node:http server in a child process.
// Reports client CPU time (user + system) per request. Interleaved rounds.
//
//   node bench/micro/dispatch-vs-request.mjs [requests] [concurrency] [rounds]
import { fork } from "node:child_process"
import { Agent, util } from "undici"

if (process.argv[2] === "--server") {
  const http = await import("node:http")
  const body = Buffer.from(JSON.stringify({ id: 1, name: "steadfast", tags: ["a", "b", "c"] }))
  const server = http.createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": body.length })
      res.end(body)
    })
  })
  server.keepAliveTimeout = 60_000
  server.listen(0, "127.0.0.1", () => process.send(server.address().port))
  process.on("disconnect", () => process.exit(0))
} else {
  const total = Number(process.argv[2] ?? 20_000)
  const concurrency = Number(process.argv[3] ?? 64)
  const rounds = Number(process.argv[4] ?? 5)
  const child = fork(new URL(import.meta.url).pathname, ["--server"])
  const port = await new Promise((resolve) => child.once("message", resolve))
  const origin = `http://127.0.0.1:${port}`
  const agent = new Agent({ connections: concurrency, headersTimeout: 0, bodyTimeout: 0 })

  const viaRequest = async () => {
    const { statusCode, body } = await agent.request({ origin, path: "/", method: "GET" })
    const chunks = []
    for await (const chunk of body) chunks.push(chunk)
    if (statusCode !== 200) throw new Error(String(statusCode))
  }

  const viaDispatch = () =>
    new Promise((resolve, reject) => {
      const chunks = []
      let status = 0
      agent.dispatch({ origin, path: "/", method: "GET" }, {
        onConnect() {},
        onHeaders(statusCode, rawHeaders) {
          status = statusCode
          // parsed as the controller API would hand them over
          if (util.parseHeaders(rawHeaders)["content-length"] === undefined) reject(new Error("no content-length"))
          return true
        },
        onData(chunk) {
          chunks.push(chunk)
          return true
        },
        onComplete() {
          if (status !== 200) reject(new Error(String(status)))
          else resolve(chunks)
        },
        onError: reject
      })
    })

  // the controller API (onRequestStart…): undici wraps the handler in its UnwrapHandler
  // (one more object, a controller, the headers and the trailers parsed into objects)
  const viaController = () =>
    new Promise((resolve, reject) => {
      const chunks = []
      let status = 0
      agent.dispatch({ origin, path: "/", method: "GET" }, {
        onRequestStart() {},
        onResponseStart(_controller, statusCode, headers) {
          status = statusCode
          if (headers["content-length"] === undefined) reject(new Error("no content-length"))
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk)
        },
        onResponseEnd() {
          if (status !== 200) reject(new Error(String(status)))
          else resolve(chunks)
        },
        onResponseError: (_controller, error) => reject(error)
      })
    })

  const run = async (fn) => {
    let next = 0
    const worker = async () => {
      while (next < total) {
        next++
        await fn()
      }
    }
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    await Promise.all(Array.from({ length: concurrency }, worker))
    const wall = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    return { cpuUs: (cpu.user + cpu.system) / total, rps: total / (wall / 1000) }
  }

  await run(viaRequest) // warm-up
  await run(viaDispatch)
  await run(viaController)
  const results = { request: [], dispatch: [], controller: [] }
  for (let i = 0; i < rounds; i++) {
    results.request.push(await run(viaRequest))
    results.dispatch.push(await run(viaDispatch))
    results.controller.push(await run(viaController))
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  for (const [name, rs] of Object.entries(results)) {
    console.log(
      `${name.padEnd(9)} cpu/request median ${median(rs.map((r) => r.cpuUs)).toFixed(1)} µs` +
        `  (rounds: ${rs.map((r) => r.cpuUs.toFixed(1)).join(", ")})  ~${
          Math.round(median(rs.map((r) => r.rps)))
        } req/s`
    )
  }
  await agent.close()
  child.disconnect()
}
