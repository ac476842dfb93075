/**
 * The vocabulary table of docs/testing.md, checked against the client: each
 * constructor's fault, played in memory through the core client (retries
 * off, default timeouts), gives the `_tag` its row names — the tags come
 * from core's classifier and timeouts, not from a list in the testkit.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Client } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import * as TestClock from "@steadfast/core/line/TestClock"
import { Fiber, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Fault, type Fault as FaultT, Reply } from "../src/Fault.js"
import * as Scenario from "../src/Scenario.js"
import * as SimulatedNetwork from "../src/SimulatedNetwork.js"

const guide = fs.readFileSync(path.resolve(__dirname, "../../../docs/testing.md"), "utf8")
const table = guide.slice(guide.indexOf("## The fault vocabulary"), guide.indexOf("Faults compose"))

/** The row of the docs table that shows `constructor`, and its last cell. */
const tagCell = (constructor: string): string => {
  const row = table.split("\n").find((line) => line.startsWith("|") && line.includes(`\`${constructor}`))
  if (row === undefined) throw new Error(`docs/testing.md has no row for ${constructor}`)
  return row.split("|").at(-2)!.trim()
}

const long = "10 minutes" // past every default timeout

const cases: ReadonlyArray<readonly [string, FaultT, string]> = [
  ["Fault.dns", Fault.dns(), "DnsError"],
  ["Fault.dns", Fault.dns({ temporary: true }), "DnsError"],
  ["Fault.refused", Fault.refused(), "ConnectionRefused"],
  ["Fault.unreachable", Fault.unreachable(), "NetworkUnreachable"],
  ["Fault.tls", Fault.tls("expired"), "TlsError"],
  ["Fault.connectLatency", Fault.connectLatency(long), "ConnectTimeout"],
  ["Fault.connectHang", Fault.connectHang(), "ConnectTimeout"],
  ["Fault.reset", Fault.reset(), "ConnectionReset"],
  ["Fault.close", Fault.close(), "ConnectionReset"],
  ["Fault.resetMidBody", Fault.resetMidBody(10), "ConnectionReset"],
  ["Fault.truncate", Fault.truncate(10), "ConnectionReset"],
  ["Fault.latency", Fault.latency(long), "ResponseTimeout"],
  ["Fault.hang", Fault.hang(), "ResponseTimeout"],
  ["Fault.trickle", Fault.trickle({ chunkSize: 8, interval: long }), "BodyTimeout"],
  ["Fault.malformed", Fault.malformed(), "TransportError"],
  ["Fault.status", Fault.status(503, { retryAfter: 1 }), "StatusError"],
  ["Fault.redirect", Fault.redirect(302, "/ok"), "—"],
  ["Reply.json", Reply.json(200, {}), "—"],
  ["Reply.text", Reply.text(200, "x"), "—"],
  ["Reply.bytes", Reply.bytes(200, new Uint8Array([1])), "—"],
  ["Reply.empty", Reply.empty(204), "—"],
  ["Reply.echo", Reply.echo(), "—"]
]

describe("the vocabulary table of docs/testing.md", () => {
  it("has a case here for every constructor", () => {
    const constructors = [
      ...Object.keys(Fault).map((k) => `Fault.${k}`),
      ...Object.keys(Reply).map((k) => `Reply.${k}`)
    ]
    expect(constructors.filter((c) => !cases.some(([name]) => name === c))).toEqual([])
  })

  it.effect.each(cases)(
    "%s: the client's tag is the one the table shows",
    ([constructor, fault, tag]) =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(
          Effect.either(Client.text(HttpClientRequest.get("https://api.test/fault")))
        )
        yield* TestClock.adjust("1 hour")
        const result = yield* Fiber.join(fiber)
        const actual = Either.isLeft(result) ? result.left._tag : "—"
        expect(actual).toBe(tag)
        expect(tagCell(constructor)).toContain(tag === "—" ? "—" : `\`${tag}\``)
      }).pipe(
        Effect.provide(
          Client.layer({ retry: { retries: 0 } }).pipe(
            Layer.provideMerge(SimulatedNetwork.layer(Scenario.make({
              "GET /fault": fault,
              "GET /ok": Scenario.sequence([Reply.text(200, "ok")], { after: "repeat-last" })
            })))
          )
        )
      )
  )
})
