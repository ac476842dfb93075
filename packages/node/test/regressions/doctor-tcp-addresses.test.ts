/**
 * The doctor's tcp step tries every address, within the one `--timeout` of
 * the step (not one timeout per address, one after the other), and names an
 * IPv6 address that failed in brackets, so its port can be told apart. A
 * name with no address at all is a failure, not a pass with nothing checked.
 *
 * Real sockets; the black hole is a listener whose accept
 * queue is full, so SYNs are dropped.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "@steadfast/core/line/Effect"
import * as TestClock from "@steadfast/core/line/TestClock"
import { Fiber } from "effect"
import { Doctor } from "../../src/index.js"
import { blackHole, rawServer } from "../helpers.js"

describe("regression: the doctor's tcp step", () => {
  // TestClock (it.scoped): the step timeout runs in virtual time; the sockets are real
  it.scoped("addresses that drop packets time out together, within one step timeout", () =>
    Effect.gen(function*() {
      const hole = yield* blackHole
      if (!hole.verified) return // this kernel accepts anyway: nothing to measure
      const doctor = yield* Effect.fork(Doctor.run({
        url: `http://api.test:${hole.port}/`,
        proxy: "none",
        timeout: "600 millis",
        lookup: () =>
          Promise.resolve([
            { address: "127.0.0.1", family: 4 },
            { address: "127.0.0.1", family: 4 },
            { address: "127.0.0.1", family: 4 }
          ])
      }))
      // One step timeout of virtual time ends all three tries. Tries one after
      // the other would still have two to go here, and the join would not return.
      yield* TestClock.adjust("600 millis")
      const report = yield* Fiber.join(doctor)
      expect(report.tcp.map((c) => c.failure?._tag)).toEqual(["ConnectTimeout", "ConnectTimeout", "ConnectTimeout"])
    }), 10_000)

  it.scopedLive("an IPv6 address that did not connect is written [address]:port", () =>
    Effect.gen(function*() {
      const server = yield* rawServer(() => {})
      const report = yield* Doctor.run({
        url: `http://api.test:${server.port}/`,
        proxy: "none",
        timeout: "1 second",
        lookup: () => Promise.resolve([{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }])
      }).pipe(Effect.timeout("5 seconds"))
      expect(report.tcp.map((c) => [c.address, c.ok])).toEqual([["::1", false], ["127.0.0.1", true]])
      expect(report.warnings[0]).toContain(`[::1]:${server.port} did not connect`)
    }))

  it.effect("a lookup that returns no address fails the dns step, instead of passing with nothing checked", () =>
    Effect.gen(function*() {
      const report = yield* Doctor.run({ url: "http://api.test/", proxy: "none", lookup: () => Promise.resolve([]) })
      expect(report.ok).toBe(false)
      expect(report.failures.map((f) => `${f.step}:${f._tag}`)).toEqual(["dns:DnsError"])
      expect(report.skipped).toEqual(["tcp", "http"])
    }))
})
