/**
 * The curl session of docs/testing.md ("Using the fault proxy from other
 * tools"), run as written with bash and curl against the
 * `steadfast-fault-proxy` bin; only the two ports are swapped for free ones.
 *
 * it.live: a real process and real sockets on 127.0.0.1.
 */
import { describe, it } from "@effect/vitest"
import { assertInclude, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import * as Effect from "effect/Effect"
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"

const root = path.resolve(__dirname, "../../..")
const session = fs.readFileSync(path.join(root, "docs/examples/testing-toxiproxy-session.sh"), "utf8")

const hasCurl = (() => {
  try {
    execFileSync("curl", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()

const freePort = () =>
  Effect.promise(() =>
    new Promise<number>((resolve) => {
      const server = net.createServer()
      server.listen({ host: "127.0.0.1", port: 0 }, () => {
        const port = (server.address() as net.AddressInfo).port
        server.close(() => resolve(port))
      })
    })
  )

describe("the curl session of docs/testing.md", () => {
  it("is shown in the guide as it is in its file", () => {
    assertInclude(fs.readFileSync(path.join(root, "docs/testing.md"), "utf8"), "```sh\n" + session + "```")
  })

  // the session needs curl; a machine without it cannot run it (the API itself is tested in ToxiproxyApi.test.ts)
  it.live.skipIf(!hasCurl)("runs: create a proxy, add a toxic, disable, enable, reset", () =>
    Effect.gen(function*() {
      const [api, listen] = [yield* freePort(), yield* freePort()]
      const bin = path.join(root, "packages/testkit/src/bin/fault-proxy.ts")
      const script =
        `steadfast-fault-proxy() { exec "${process.execPath}" --conditions=@steadfast/source --import tsx "${bin}" "$@"; }\n` +
        session.replaceAll("8474", String(api)).replaceAll("26380", String(listen))
      const { code, out } = yield* Effect.promise(() =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn("bash", ["-c", script], {
            cwd: path.join(root, "packages/testkit"),
            env: { ...process.env, UPSTREAM: "127.0.0.1:9" },
            stdio: ["ignore", "pipe", "inherit"]
          })
          let out = ""
          child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()))
          const timer = setTimeout(() => child.kill("SIGKILL"), 20_000)
          child.once("exit", (code) => {
            clearTimeout(timer)
            resolve({ code, out })
          })
        })
      )
      strictEqual(code, 0)
      const replies = out.split(/(?<=})(?={)|\n/).filter((l) => l.startsWith("{")).map((l) => JSON.parse(l))
      deepStrictEqual(replies[0], {
        name: "api",
        listen: `127.0.0.1:${listen}`,
        upstream: "127.0.0.1:9",
        enabled: true,
        toxics: []
      })
      deepStrictEqual(replies[1], {
        name: "latency_downstream",
        type: "latency",
        stream: "downstream",
        toxicity: 1,
        attributes: { latency: 1000, jitter: 0 }
      })
      deepStrictEqual(replies.slice(2).map((r) => r.enabled), [false, true])
    }), 30_000)
})
