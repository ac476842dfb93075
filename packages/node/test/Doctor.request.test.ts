/**
 * The doctor's request step as a user shapes it: headers (an authenticated
 * endpoint), the method, and the usage errors of the command line — plus the
 * command's own runtime (Ctrl-C).
 *
 * it.live / it.scopedLive: real sockets to loopback servers that record what
 * they received.
 */
import { steadfastCommand } from "#testline/command"
import { captureConsole } from "#testline/consoleCapture"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { execFile } from "node:child_process"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { Doctor } from "../src/index.js"
import { eventually } from "./helpers.js"

const TOKEN = "s3cr3t-token-value"

interface Seen {
  readonly method: string
  readonly authorization: string | undefined
  readonly apiKey: string | undefined
}

/** A server that wants `authorization: Bearer <TOKEN>` and records every request. */
const authServer = Effect.acquireRelease(
  Effect.async<{ readonly url: string; readonly seen: Array<Seen>; readonly server: http.Server }>((resume) => {
    const seen: Array<Seen> = []
    const server = http.createServer((req, res) => {
      seen.push({
        method: req.method ?? "",
        authorization: req.headers.authorization,
        apiKey: req.headers["x-api-key"] as string | undefined
      })
      res.writeHead(req.headers.authorization === `Bearer ${TOKEN}` ? 200 : 401).end()
    })
    server.listen(
      0,
      "127.0.0.1",
      () => resume(Effect.succeed({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server }))
    )
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

/** `Doctor.main` with its console output captured. */
const runMain = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const out: Array<string> = []
    const code = yield* Doctor.main(args).pipe(captureConsole((line) => void out.push(line)))
    return { code, output: out.join("\n") }
  })

describe("Doctor: the request step", () => {
  it.scopedLive("--header reaches an authenticated endpoint; its value is never printed", () =>
    Effect.gen(function*() {
      const server = yield* authServer
      const without = yield* runMain([`${server.url}/me`])
      expect(without.code).toBe(1)
      expect(without.output).toContain("401")

      const text = yield* runMain([
        `${server.url}/me`,
        "--header",
        `Authorization: Bearer ${TOKEN}`,
        "-H",
        "x-api-key: k1"
      ])
      expect(text.code).toBe(0)
      expect(text.output).toContain("headers authorization: <redacted>, x-api-key: <redacted>")
      const json = yield* runMain([`${server.url}/me`, `--header=authorization: Bearer ${TOKEN}`, "--json"])
      expect(json.code).toBe(0)
      expect(JSON.parse(json.output).http[0].headers).toEqual(["authorization"])
      // the server got the real values; no output holds them
      expect(server.seen.slice(1).map((s) => s.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`])
      expect(server.seen[1]?.apiKey).toBe("k1")
      for (const output of [text.output, json.output]) {
        expect(output).not.toContain(TOKEN)
        expect(output).not.toContain("k1")
      }
    }))

  it.scopedLive("--method sends that method", () =>
    Effect.gen(function*() {
      const server = yield* authServer
      const result = yield* runMain([`${server.url}/me`, "-X", "head", "-H", `authorization: Bearer ${TOKEN}`])
      expect(result.code).toBe(0)
      expect(result.output).toContain(`HEAD ${server.url}/me -> 200`)
      expect(server.seen.map((s) => s.method)).toEqual(["HEAD"])
    }))

  it.scopedLive("a redirect to another origin drops authorization, and says so", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(Scenario.make({
        "GET /away": Scenario.sequence([Fault.redirect(302, "/landing", "secondary")], { after: "repeat-last" }),
        "GET /": [Reply.text(200, "ok")]
      }))
      const report = yield* Doctor.run({
        url: `${server.urls.http}/away`,
        proxy: "none",
        headers: { Authorization: `Bearer ${TOKEN}`, "x-trace": "t" }
      })
      expect(report.ok).toBe(true)
      expect(report.http.map((h) => [h.status, h.headers])).toEqual([[302, ["authorization", "x-trace"]], [
        200,
        ["x-trace"]
      ]])
      expect(report.warnings).toContainEqual(
        `authorization not sent to ${server.urls.secondaryHttp} (a redirect to another origin drops credentials).`
      )
      // what the secondary origin received (values redacted in records; the name would be there)
      const echoed = (yield* server.attempts).filter((a) => a.via === "secondary")
      expect(echoed).toHaveLength(1)
      expect(Object.keys(echoed[0]!.headers)).not.toContain("authorization")
      expect(echoed[0]!.headers["x-trace"]).toBe("t")
      expect(Doctor.render(report)).not.toContain(TOKEN)
      expect(Doctor.json(report)).not.toContain(TOKEN)
    }))
})

describe("Doctor: usage errors exit 2 with a hint", () => {
  it.effect.each(
    [
      [
        "a url without a scheme",
        ["api.example.com/health"],
        "api.example.com/health has no scheme: add http:// or https://"
      ],
      ["a url without a scheme, with credentials", ["carol:t0ps3cret@api.example.com/"], "has no scheme"],
      ["a scheme that is not http", ["ftp://files.example.com/"], "the scheme ftp: is not supported"],
      ["a url that cannot be parsed", ["http://[nope/"], "cannot be parsed as a url"],
      ["a header without a colon", ["http://x.test/", "--header", `Bearer ${TOKEN}`], `--header needs "Name: value"`],
      ["a header name that is not a token", ["http://x.test/", "-H", `bad name: ${TOKEN}`], `-H needs "Name: value"`],
      ["a method that does not exist", ["http://x.test/", "--method", "FETCH"], "--method needs one of GET, POST"]
    ] as const
  )("%s", ([_name, args, message]) =>
    Effect.gen(function*() {
      const parsed = Doctor.parseArgs(args)
      expect(Either.isLeft(parsed) && parsed.left).toContain(message)
      const result = yield* runMain(args)
      expect(result.code).toBe(2)
      expect(result.output).toContain(message)
      expect(result.output).not.toContain(TOKEN)
      expect(result.output).not.toContain("t0ps3cret")
    }))

  it.effect("the hint shows the url with https:// in front", () =>
    Effect.sync(() => {
      const parsed = Doctor.parseArgs(["api.example.com/health", "--json"])
      expect(Either.isLeft(parsed) && parsed.left).toContain("(steadfast doctor https://api.example.com/health)")
    }))

  it.effect("repeated headers are joined; names are case-insensitive", () =>
    Effect.sync(() => {
      const parsed = Doctor.parseArgs(["http://x.test/", "-H", "Accept: a", "--header", "accept: b", "-X", "post"])
      expect(Either.isRight(parsed) && parsed.right).toMatchObject({ method: "POST", headers: { accept: "a, b" } })
    }))
})

describe("the steadfast command", () => {
  // A child process (it.live: real signals). Ctrl-C interrupts the check, its
  // scopes close, and the command exits 130 as shells expect.
  it.scopedLive("SIGINT stops a check that waits on a server, with exit status 130", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(
        Scenario.make({ "GET /hang": Scenario.sequence([Fault.hang()], { after: "repeat-last" }) })
      )
      const root = path.resolve(__dirname, "../../..")
      const result = yield* Effect.async<{ code: number | null; signal: string | null; stdout: string }>((resume) => {
        const child = execFile(
          process.execPath,
          [
            ...steadfastCommand(root),
            "doctor",
            `${server.urls.http}/hang`,
            "--timeout",
            "1m"
          ],
          { cwd: root, timeout: 25_000 },
          (error, stdout) =>
            resume(Effect.succeed({
              code: error === null ? 0 : typeof error.code === "number" ? error.code : null,
              signal: error?.signal ?? null,
              stdout: String(stdout)
            }))
        )
        // once the request is waiting on the server, press Ctrl-C
        const poll = setInterval(() => {
          if (Effect.runSync(server.hits("GET /hang")) > 0) {
            clearInterval(poll)
            child.kill("SIGINT")
          }
        }, 20)
        return Effect.sync(() => {
          clearInterval(poll)
          child.kill()
        })
      })
      expect(result).toMatchObject({ code: 130, signal: null })
      // the command's socket is closed (the server hears of it a moment later: poll, bounded)
      yield* eventually("the server has no socket open", () => Effect.runSync(server.openSockets) === 0, 5000)
    }), 30_000)
})
