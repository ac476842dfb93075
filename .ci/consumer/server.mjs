// The consumer check's FaultServer, run from the installed @steadfast/testkit
// tarball: prints its urls as one JSON line, stops when stdin closes.
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"

const todo = (owner) => ({ id: 1, title: `from ${owner}` })
const server = await FaultServer.start(Scenario.make({
  "GET /health": Scenario.sequence([Reply.text(200, "ok")], { after: "repeat-last" }),
  // each program gets a transient failure first: it passes only if the client retries
  "GET /core/todo": [Fault.status(503), Reply.json(200, todo("core"))],
  "GET /node/todo": [Fault.reset(), Reply.json(200, todo("node"))],
  "GET /plain/todo": [Fault.status(502), Reply.json(200, todo("plain"))],
  "GET /missing": Scenario.sequence([Fault.status(404)], { after: "repeat-last" })
}))
process.stdout.write(JSON.stringify({ url: server.urls.http }) + "\n")
process.stdin.resume()
process.stdin.on("end", () => {
  const exhausted = server.exhausted()
  void server.stop().then(() => {
    if (exhausted.length > 0) {
      process.stderr.write(`unexpected requests: ${exhausted.map((e) => e.message).join("; ")}\n`)
      process.exitCode = 1
    }
  })
})
