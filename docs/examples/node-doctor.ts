/**
 * The connection doctor from code: check a url step by step, read the
 * report, render it, and run the command itself as an Effect. Runs against
 * the FaultServer's listeners on 127.0.0.1.
 */
import { Doctor } from "@steadfast/node"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Console, Effect, Either, Logger, LogLevel } from "effect"
import * as assert from "node:assert"

const scenario = Scenario.make({
  "GET /health": Scenario.sequence([Reply.text(200, "ok")], { after: "repeat-last" }),
  "GET /busy": Scenario.sequence([Fault.status(503, { retryAfter: 2 })], { after: "repeat-last" })
})

// region: run
// a readiness check: what is wrong with the way to a dependency, in words
const diagnose = (url: string, ca: string) =>
  Effect.gen(function*() {
    const report = yield* Doctor.run({ url, ca, proxy: "none", timeout: "2 seconds" })
    if (!report.ok) {
      for (const f of report.failures) {
        yield* Effect.logWarning(`${f.step}: ${f._tag}${f.reason ? ` (${f.reason})` : ""}: ${f.explanation} ${f.fix}`)
      }
    }
    return report
  })
// endregion

// region: main
// several dependencies in one script: the doctor's report for each, and the worst exit code
const checkAll = (urls: ReadonlyArray<string>) =>
  Effect.forEach(urls, (url) => Doctor.main([url, "--json", "--timeout", "2s"])).pipe(
    Effect.map((codes) => Math.max(0, ...codes))
  )
// endregion

/** `Console` that keeps what is printed. */
const captured = (lines: Array<string>) =>
  Effect.map(Effect.console, (base) =>
    ({
      ...base,
      log: (...items: ReadonlyArray<unknown>) => Effect.sync(() => void lines.push(items.join(" "))),
      error: (...items: ReadonlyArray<unknown>) => Effect.sync(() => void lines.push(items.join(" ")))
    }) as typeof base)

export const program = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer

  const healthy = yield* diagnose(`${server.urls.https}/health`, server.ca)
  assert.strictEqual(healthy.ok, true)
  assert.strictEqual(healthy.tls?.trusted, true)
  assert.strictEqual(healthy.tls?.hostnameMatches, true)
  assert.deepStrictEqual(healthy.http.map((hop) => hop.status), [200])
  assert.ok(Doctor.render(healthy).endsWith("all checks passed"))

  // one failure per layer, each with the tag a request would fail with
  const selfSigned = yield* diagnose(`${server.urls.selfSigned}/`, server.ca)
  assert.deepStrictEqual(
    selfSigned.failures.map((f) => [f.step, f._tag, f.reason]),
    [["tls", "TlsError", "self-signed"]]
  )
  assert.deepStrictEqual(selfSigned.skipped, ["http"])
  const refused = yield* diagnose(`${server.urls.refused}/`, server.ca)
  assert.deepStrictEqual(refused.failures.map((f) => [f.step, f._tag]), [["tcp", "ConnectionRefused"]])
  const busy = yield* diagnose(`${server.urls.http}/busy`, server.ca)
  assert.deepStrictEqual(busy.failures.map((f) => [f.step, f._tag]), [["http", "StatusError"]])
  assert.strictEqual(busy.http[0]?.retryAfterMs, 2000)

  // the command line: flags, exit codes, JSON
  const parsed = Doctor.parseArgs(["https://api.example.test/", "--ca", "ca.pem", "--timeout", "2s", "--json"])
  assert.ok(Either.isRight(parsed) && parsed.right.json && parsed.right.ca === "ca.pem")
  const lines: Array<string> = []
  const console = yield* captured(lines)
  const healthyOnly = yield* Console.withConsole(checkAll([`${server.urls.http}/health`]), console)
  assert.strictEqual(healthyOnly, 0)
  const oneDown = yield* Console.withConsole(
    checkAll([`${server.urls.http}/health`, `${server.urls.refused}/`]),
    console
  )
  assert.strictEqual(oneDown, 1)
  assert.deepStrictEqual(lines.map((line) => JSON.parse(line).ok), [true, true, false])
  assert.strictEqual(JSON.parse(lines[2]!).failures[0]._tag, "ConnectionRefused")
  assert.strictEqual(yield* Console.withConsole(Doctor.main(["--timeout", "soon"]), console), 2)
}).pipe(
  Effect.scoped,
  Effect.provide(FaultServer.layer(scenario)),
  Logger.withMinimumLogLevel(LogLevel.Error) // the warnings of `diagnose` are expected here
)
