/**
 * The connection doctor, run in process against the FaultServer's listeners
 * and small local servers, one failure kind per test; and once as the real
 * `steadfast` command in a child process.
 *
 * it.live: real DNS of loopback names, real sockets and handshakes. Names
 * that must not resolve are served by an injected `lookup`, so no query
 * leaves the machine.
 */
import { steadfastCommand } from "#testline/command"
import { captureConsole } from "#testline/consoleCapture"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "@steadfast/core/line/ConfigProvider"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import { Certificates, Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { execFile } from "node:child_process"
import * as path from "node:path"
import { Doctor } from "../src/index.js"
import { connectProxy } from "./helpers.js"

const scenario = Scenario.make({
  "GET /": Scenario.sequence([Reply.text(200, "ok")], { after: "repeat-last" }),
  "GET /busy": Scenario.sequence([Fault.status(503, { retryAfter: 2 })], { after: "repeat-last" }),
  "GET /moved": Scenario.sequence([Fault.redirect(302, "/")], { after: "repeat-last" }),
  "GET /loop": Scenario.sequence([Fault.redirect(302, "/loop")], { after: "repeat-last" }),
  "GET /hang": Scenario.sequence([Fault.hang()], { after: "repeat-last" })
})

const failureTags = (report: Doctor.Report) => report.failures.map((f) => `${f.step}:${f._tag}`)

/** `Doctor.main` with its console output captured. */
const runMain = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const out: Array<string> = []
    const code = yield* Doctor.main(args).pipe(captureConsole((line) => void out.push(line)))
    return { code, output: out.join("\n") }
  })

describe("Doctor", () => {
  it.scopedLive("a healthy https url: every step passes", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const report = yield* Doctor.run({ url: `${server.urls.https}/`, ca: server.ca, proxy: "none" })
      expect(report.failures).toEqual([])
      expect(report.ok).toBe(true)
      expect(report.dns?.literal).toBe(true)
      expect(report.tcp.map((c) => c.ok)).toEqual([true])
      expect(report.tls?.protocol).toBe("TLSv1.3")
      expect(report.tls?.trusted).toBe(true)
      expect(report.tls?.hostnameMatches).toBe(true)
      expect(report.tls?.altNames).toContain("IP Address:127.0.0.1")
      expect(report.tls?.daysLeft).toBeGreaterThan(30)
      expect(report.http.map((h) => h.status)).toEqual([200])
      expect(Doctor.render(report)).toContain("all checks passed")
    }))

  it.scopedLive("refused", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const report = yield* Doctor.run({ url: `${server.urls.refused}/`, proxy: "none" })
      expect(failureTags(report)).toEqual(["tcp:ConnectionRefused"])
      expect(report.skipped).toEqual(["http"])
      const text = Doctor.render(report)
      expect(text).toContain("ConnectionRefused")
      expect(text).toContain("what: Nothing listens on")
      expect(text).toContain("fix:")
    }))

  it.scopedLive("TLS: self-signed, then accepted with its certificate as --ca", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const report = yield* Doctor.run({ url: `${server.urls.selfSigned}/`, proxy: "none" })
      expect(failureTags(report)).toEqual(["tls:TlsError"])
      expect(report.failures[0]?.reason).toBe("self-signed")
      expect(report.tls?.trusted).toBe(false)
      expect(report.tls?.trustError).toBe("DEPTH_ZERO_SELF_SIGNED_CERT")
      const certs = yield* Certificates.make()
      const trusted = yield* Doctor.run({ url: `${server.urls.selfSigned}/`, ca: certs.selfSigned.cert, proxy: "none" })
      expect(trusted.tls?.trusted).toBe(true)
      // the listener answers 421 to clients that accept its certificate
      expect(failureTags(trusted)).toEqual(["http:StatusError"])
    }))

  it.scopedLive("TLS: expired and wrong host", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const expired = yield* Doctor.run({ url: `${server.urls.expired}/`, ca: server.ca, proxy: "none" })
      expect(failureTags(expired)).toEqual(["tls:TlsError"])
      expect(expired.failures[0]?.reason).toBe("expired")
      expect(expired.tls?.daysLeft).toBeLessThan(0)
      const wrong = yield* Doctor.run({ url: `${server.urls.wrongHost}/`, ca: server.ca, proxy: "none" })
      expect(wrong.failures[0]?.reason).toBe("hostname-mismatch")
      expect(wrong.tls?.hostnameMatches).toBe(false)
      expect(wrong.tls?.trusted).toBe(true)
      expect(wrong.failures[0]?.explanation).toContain("wrong.example")
    }))

  it.scopedLive("timeouts: a TLS handshake that never ends, a response that never comes", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const handshake = yield* Doctor.run({ url: `${server.urls.connectHang}/`, timeout: "300 millis", proxy: "none" })
      expect(failureTags(handshake)).toEqual(["tls:ConnectTimeout"])
      const response = yield* Doctor.run({ url: `${server.urls.http}/hang`, timeout: "300 millis", proxy: "none" })
      expect(failureTags(response)).toEqual(["http:ResponseTimeout"])
      // a failed step with nothing else to show starts with its failure, not a blank line
      for (const report of [handshake, response]) {
        const text = Doctor.render(report)
        expect(text.split("\n").filter((l, i) => i > 1 && l.trim() === "" && l !== "")).toEqual([])
      }
      expect(Doctor.render(handshake)).toMatch(/✗ tls +ConnectTimeout/)
      expect(Doctor.render(response)).toMatch(/✗ http +ResponseTimeout/)
    }))

  it.scopedLive("503 with Retry-After; redirects; a redirect loop", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const busy = yield* Doctor.run({ url: `${server.urls.http}/busy`, proxy: "none" })
      expect(failureTags(busy)).toEqual(["http:StatusError"])
      expect(busy.http[0]?.retryAfterMs).toBe(2000)
      expect(busy.failures[0]?.fix).toContain("Retry-After")
      const moved = yield* Doctor.run({ url: `${server.urls.http}/moved`, proxy: "none" })
      expect(moved.ok).toBe(true)
      expect(moved.http.map((h) => h.status)).toEqual([302, 200])
      expect(moved.http[0]?.location).toBe(`${server.urls.http}/`)
      const loop = yield* Doctor.run({ url: `${server.urls.http}/loop`, maxRedirects: 3, proxy: "none" })
      expect(failureTags(loop)).toEqual(["http:TooManyRedirects"])
      expect(loop.http).toHaveLength(4)
    }))

  it.live("DNS: a name that does not exist, a temporary failure", () =>
    Effect.gen(function*() {
      const fail = (code: string) => () =>
        Promise.reject(Object.assign(new Error(`getaddrinfo ${code} api.test`), {
          code,
          syscall: "getaddrinfo",
          hostname: "api.test"
        }))
      const missing = yield* Doctor.run({ url: "https://api.test/", lookup: fail("ENOTFOUND"), proxy: "none" })
      expect(failureTags(missing)).toEqual(["dns:DnsError"])
      expect(missing.failures[0]?.explanation).toContain("does not exist")
      expect(missing.skipped).toEqual(["tcp", "tls", "http"])
      const temporary = yield* Doctor.run({ url: "https://api.test/", lookup: fail("EAI_AGAIN"), proxy: "none" })
      expect(temporary.failures[0]?.explanation).toContain("temporary")
    }))

  it.scopedLive("every address is tried: one that fails while another connects is a warning", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const port = new URL(server.urls.http).port
      const report = yield* Doctor.run({
        url: `http://localhost:${port}/`,
        proxy: "none",
        lookup: () => Promise.resolve([{ address: "127.0.0.2", family: 4 }, { address: "127.0.0.1", family: 4 }])
      })
      expect(report.tcp.map((c) => [c.address, c.ok, c.failure?._tag])).toEqual([
        ["127.0.0.2", false, "ConnectionRefused"],
        ["127.0.0.1", true, undefined]
      ])
      expect(report.ok).toBe(true)
      expect(report.warnings.join("\n")).toContain("127.0.0.2")
    }))

  it.scopedLive("proxy variables are noticed, credentials redacted, and the request goes through the proxy", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const proxy = yield* connectProxy()
      const port = new URL(server.urls.http).port
      const report = yield* Doctor.run({ url: `http://backend.internal:${port}/` }).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(
          new Map([
            ["HTTP_PROXY", `http://carol:t0ps3cret@127.0.0.1:${proxy.port}`],
            ["NO_PROXY", "localhost"]
          ])
        ))
      )
      expect(report.failures).toEqual([])
      expect(report.environment?.proxySource).toBe("environment")
      expect(report.environment?.variables["NO_PROXY"]).toBe("localhost")
      expect(report.dns?.proxy).toBe(true)
      expect(report.tcp[0]?.port).toBe(proxy.port)
      expect(proxy.tunnels()).toBe(1)
      expect(JSON.stringify(report)).not.toContain("t0ps3cret")
      expect(Doctor.render(report)).toContain("goes through the proxy")
    }))

  it.effect("command-line arguments", () =>
    Effect.sync(() => {
      const parsed = Doctor.parseArgs(["https://x.test/", "--json", "--ca=/tmp/ca.pem", "--timeout", "2s"])
      expect(Either.isRight(parsed) && parsed.right).toMatchObject({
        url: "https://x.test/",
        json: true,
        ca: "/tmp/ca.pem"
      })
      expect(Either.isLeft(Doctor.parseArgs([]))).toBe(true)
      expect(Either.isLeft(Doctor.parseArgs(["u", "--timeout", "soon"]))).toBe(true)
      expect(Either.isLeft(Doctor.parseArgs(["u", "--bogus"]))).toBe(true)
    }))

  it.scopedLive("main: exit codes and --json", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const ok = yield* runMain([`${server.urls.http}/`, "--proxy", "none"])
      expect(ok.code).toBe(0)
      expect(ok.output).toContain("all checks passed")
      const failed = yield* runMain([`${server.urls.refused}/`, "--json", "--proxy", "none"])
      expect(failed.code).toBe(1)
      expect(JSON.parse(failed.output).failures[0]._tag).toBe("ConnectionRefused")
      expect((yield* runMain(["--nope"])).code).toBe(2)
    }))

  // One run of the real command: on Effect 3 through `node --import tsx` on
  // the sources (the "@steadfast/source" condition), so the suite needs no
  // build; on Effect 4 the line's build (see test/line/*/command.ts).
  it.scopedLive("the steadfast command (a child process)", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const root = path.resolve(__dirname, "../../..")
      const result = yield* Effect.async<{ code: number; stdout: string }>((resume) => {
        const child = execFile(
          process.execPath,
          [...steadfastCommand(root), "doctor", `${server.urls.refused}/`, "--json"],
          { cwd: root, timeout: 20_000, env: { ...process.env, NO_COLOR: "1" } },
          (error, stdout) =>
            resume(Effect.succeed({ code: error === null ? 0 : Number(error.code ?? 1), stdout: String(stdout) }))
        )
        return Effect.sync(() => child.kill())
      })
      expect(result.code).toBe(1)
      expect(JSON.parse(result.stdout).failures[0]._tag).toBe("ConnectionRefused")
    }), 30_000)
})
