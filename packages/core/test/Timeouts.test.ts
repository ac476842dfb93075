import * as Config from "#line/Config"
import * as ConfigError from "#line/ConfigError"
import * as ConfigProvider from "#line/ConfigProvider"
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as Either from "#line/Either"
import { describe, it } from "@effect/vitest"
import { assertFalse, assertInclude, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Timeouts } from "@steadfast/core"

const millis = (t: Timeouts.Timeouts) => ({
  connect: Timeouts.toMillis(t.connect),
  response: Timeouts.toMillis(t.response),
  bodyIdle: Timeouts.toMillis(t.bodyIdle),
  deadline: Timeouts.toMillis(t.deadline)
})

const DEFAULTS = { connect: 5_000, response: 30_000, bodyIdle: 30_000, deadline: 120_000 }

const load = <A>(config: Config.Config<A>, entries: ReadonlyArray<readonly [string, string]>, pathDelim?: string) =>
  Effect.withConfigProvider(
    Effect.either(config),
    ConfigProvider.fromMap(new Map(entries), pathDelim === undefined ? {} : { pathDelim })
  )

describe("Timeouts", () => {
  describe("defaults and make", () => {
    it("defaults: connect 5 s, response 30 s, body idle 30 s, deadline 2 min", () => {
      deepStrictEqual(millis(Timeouts.defaults), DEFAULTS)
    })

    it("make() and make({}) are the defaults", () => {
      deepStrictEqual(millis(Timeouts.make()), DEFAULTS)
      deepStrictEqual(millis(Timeouts.make({})), DEFAULTS)
    })

    it("make merges the given limits over the defaults", () => {
      deepStrictEqual(millis(Timeouts.make({ response: "2 minutes", deadline: "5 minutes" })), {
        ...DEFAULTS,
        response: 120_000,
        deadline: 300_000
      })
    })

    it.each<{ readonly input: Duration.DurationInput; readonly ms: number }>([
      { input: "250 millis", ms: 250 },
      { input: 1500, ms: 1_500 },
      { input: Duration.seconds(3), ms: 3_000 },
      { input: "1.5 seconds", ms: 1_500 }
    ])("make accepts any DurationInput: $input", ({ input, ms }) => {
      strictEqual(Timeouts.toMillis(Timeouts.make({ connect: input }).connect), ms)
    })

    it("an explicit undefined keeps the default", () => {
      deepStrictEqual(millis(Timeouts.make({ connect: undefined, bodyIdle: "1 second" })), {
        ...DEFAULTS,
        bodyIdle: 1_000
      })
    })

    it("make merges over the base it is given instead of the defaults", () => {
      const base = Timeouts.make({
        connect: "1 second",
        response: "2 seconds",
        bodyIdle: "3 seconds",
        deadline: "4 seconds"
      })
      deepStrictEqual(millis(Timeouts.make({ response: "9 seconds" }, base)), {
        connect: 1_000,
        response: 9_000,
        bodyIdle: 3_000,
        deadline: 4_000
      })
    })
  })

  describe("off", () => {
    it("is an infinite duration: toMillis is Infinity", () => {
      assertFalse(Duration.isFinite(Timeouts.off))
      assertTrue(Duration.equals(Timeouts.off, Duration.infinity))
      strictEqual(Timeouts.toMillis(Timeouts.off), Infinity)
    })

    it("turns one limit off and leaves the others", () => {
      deepStrictEqual(millis(Timeouts.make({ deadline: Timeouts.off })), { ...DEFAULTS, deadline: Infinity })
    })
  })

  describe("config", () => {
    it.effect("nothing configured: the defaults", () =>
      Effect.gen(function*() {
        const result = yield* load(Timeouts.config, [])
        assertTrue(Either.isRight(result))
        if (Either.isRight(result)) deepStrictEqual(millis(result.right), DEFAULTS)
      }))

    it.effect("reads CONNECT, RESPONSE, BODY_IDLE and DEADLINE, durations or off in any case", () =>
      Effect.gen(function*() {
        const result = yield* load(Timeouts.config, [
          ["CONNECT", "2 seconds"],
          ["RESPONSE", "off"],
          ["BODY_IDLE", " OFF "],
          ["DEADLINE", "5 minutes"]
        ])
        assertTrue(Either.isRight(result), String(result))
        if (Either.isRight(result)) {
          deepStrictEqual(millis(result.right), {
            connect: 2_000,
            response: Infinity,
            bodyIdle: Infinity,
            deadline: 300_000
          })
        }
      }))

    it.effect("a partial configuration keeps the other defaults", () =>
      Effect.gen(function*() {
        const result = yield* load(Timeouts.config, [["RESPONSE", "1500 millis"]])
        assertTrue(Either.isRight(result), String(result))
        if (Either.isRight(result)) deepStrictEqual(millis(result.right), { ...DEFAULTS, response: 1_500 })
      }))

    it.effect.each([
      { name: "CONNECT", value: "soon" },
      { name: "RESPONSE", value: "5s" },
      { name: "BODY_IDLE", value: "1500" },
      { name: "DEADLINE", value: "" }
    ])(
      "an invalid $name ($value) fails with a ConfigError naming the value",
      ({ name, value }) =>
        Effect.gen(function*() {
          const result = yield* load(Timeouts.config, [[name, value]])
          assertTrue(Either.isLeft(result), `${name}=${value} was accepted`)
          if (Either.isLeft(result)) {
            assertTrue(ConfigError.isConfigError(result.left))
            const text = String(result.left)
            assertInclude(text, `but got "${value}"`)
            assertInclude(text, name)
          }
        })
    )

    it.effect("nested under a prefix, it reads PREFIX_CONNECT from an environment-style provider", () =>
      Effect.gen(function*() {
        const result = yield* load(Config.nested(Timeouts.config, "STEADFAST_TIMEOUT"), [
          ["STEADFAST_TIMEOUT_CONNECT", "1 second"],
          ["STEADFAST_TIMEOUT_DEADLINE", "off"],
          ["CONNECT", "9 seconds"]
        ], "_")
        assertTrue(Either.isRight(result), String(result))
        if (Either.isRight(result)) {
          deepStrictEqual(millis(result.right), { ...DEFAULTS, connect: 1_000, deadline: Infinity })
        }
      }))
  })
})
