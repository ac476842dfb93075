/**
 * `steadfast doctor --json` prints the same keys whatever failed: a step
 * that did not run, or a field without a value, is `null`, not missing, so
 * a script (or a typed decoder) can read the report of a failure the way it
 * reads one of a success.
 *
 * it.scopedLive: real sockets to a FaultServer.
 */
import { captureConsole } from "#testline/consoleCapture"
import { describe, expect, it } from "@effect/vitest"
import { FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Effect } from "effect"
import { Doctor } from "../../src/index.js"

const json = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const out: Array<string> = []
    // what goes to standard output
    yield* Doctor.main([...args, "--json"]).pipe(captureConsole((line, method) => {
      if (method === "log") out.push(line)
    }))
    return JSON.parse(out.join("\n")) as Record<string, unknown>
  })

const keys = (value: unknown): Array<string> => Object.keys(value as object).sort()

describe("regression: the doctor's JSON has one shape", () => {
  it.scopedLive("the same keys for a success, a refused port and a url that cannot be parsed", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(
        Scenario.make({ "GET /": Scenario.sequence([Reply.text(200, "ok")], { after: "repeat-last" }) })
      )
      const ok = yield* json([`${server.urls.http}/`, "--proxy", "none"])
      const refused = yield* json([`${server.urls.refused}/`, "--proxy", "none"])
      // the command refuses such a url as a usage error (exit 2); the report of Doctor.run has the shape
      const invalid = JSON.parse(Doctor.json(yield* Doctor.run({ url: "http://[nope/", proxy: "none" }))) as Record<
        string,
        unknown
      >
      expect(ok["ok"]).toBe(true)
      for (const report of [refused, invalid]) {
        expect(report["ok"]).toBe(false)
        expect(keys(report)).toEqual(keys(ok))
      }
      expect(invalid["environment"]).toBeNull()
      expect(ok["tls"]).toBeNull()
      const environment = ok["environment"] as Record<string, unknown>
      expect(environment["proxy"]).toBeNull()
      const failure = (refused["failures"] as Array<Record<string, unknown>>)[0]!
      expect(keys(failure)).toEqual(["_tag", "code", "explanation", "fix", "reason", "step"])
      const hop = (ok["http"] as Array<Record<string, unknown>>)[0]!
      expect(keys(hop)).toEqual([
        "headers",
        "location",
        "method",
        "retryAfter",
        "retryAfterMs",
        "status",
        "ttfbMs",
        "url"
      ])
    }))
})
