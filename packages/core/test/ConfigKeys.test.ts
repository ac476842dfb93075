import * as ConfigProvider from "#line/ConfigProvider"
import * as Effect from "#line/Effect"
import * as Layer from "#line/Layer"
import * as LogLines from "#line/logLines"
import { describe, expect, it } from "@effect/vitest"
import { Client, ConfigKeys } from "@steadfast/core"
import { SimulatedNetwork } from "@steadfast/testkit"
import * as fc from "effect/FastCheck"

const env = (vars: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(vars)), { pathDelim: "_" })

/** Warnings logged while `effect` runs. */
const warnings = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    yield* Effect.either(effect.pipe(LogLines.withLogLines(LogLines.Warning, (line, level) => {
      if (level === LogLines.Warning) lines.push(line)
    })))
    return lines
  })

/** Levenshtein distance, written here independently of the module's. */
const editDistance = (a: string, b: string): number => {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 0; j <= b.length; j++) d[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
  }
  return d[a.length]![b.length]!
}

describe("ConfigKeys", () => {
  it.effect("known: the names Client.config reads, under the prefix", () =>
    Effect.gen(function*() {
      const names = yield* ConfigKeys.known(Client.config, "STEADFAST")
      expect(names).toContain("STEADFAST_TIMEOUT_CONNECT")
      expect(names).toContain("STEADFAST_BASE_URL")
      expect(names).toContain("STEADFAST_RETRIES")
      expect(names.every((n) => n.startsWith("STEADFAST_"))).toBe(true)
      expect(yield* ConfigKeys.known(Client.config, "")).toContain("TIMEOUT_CONNECT")
    }))

  it.effect("unknown: variables under the prefix that are not read, with the closest known name", () =>
    Effect.gen(function*() {
      const found = yield* ConfigKeys.unknown(Client.config, "STEADFAST").pipe(
        Effect.withConfigProvider(env({
          STEADFAST_TIMEOUT_CONECT: "2 seconds",
          STEADFAST_RETRY: "2",
          STEADFAST_RETRIES: "2",
          STEADFAST_XYZZY: "1",
          OTHER_TIMEOUT_CONECT: "1"
        }))
      )
      expect(found).toEqual([
        { name: "STEADFAST_RETRY", suggestion: "STEADFAST_RETRIES" },
        { name: "STEADFAST_TIMEOUT_CONECT", suggestion: "STEADFAST_TIMEOUT_CONNECT" },
        { name: "STEADFAST_XYZZY", suggestion: undefined }
      ])
    }))

  it.effect("an empty prefix checks nothing", () =>
    Effect.gen(function*() {
      const found = yield* ConfigKeys.unknown(Client.config, "").pipe(Effect.withConfigProvider(env({ PATH: "/bin" })))
      expect(found).toEqual([])
    }))

  it.effect("Client.layerConfig warns about a misspelt variable, and is silent when every name is known", () =>
    Effect.gen(function*() {
      const layer = Client.layerConfig().pipe(Layer.provide(SimulatedNetwork.layer()))
      const client = Effect.scoped(Effect.flatMap(Layer.build(layer), (context) => Effect.succeed(context)))
      const lines = yield* warnings(
        client.pipe(Effect.withConfigProvider(env({ STEADFAST_TIMEOUT_CONECT: "2 seconds", STEADFAST_RETRIES: "1" })))
      )
      expect(lines).toEqual([
        "STEADFAST_TIMEOUT_CONECT is set, but steadfast reads no such setting: it is ignored. Did you mean STEADFAST_TIMEOUT_CONNECT?"
      ])
      const none = yield* warnings(
        client.pipe(Effect.withConfigProvider(env({ STEADFAST_TIMEOUT_CONNECT: "2 seconds" })))
      )
      expect(none).toEqual([])
    }))

  it.effect.prop(
    "one edit to a known name suggests a known name at most one edit away",
    [
      fc.integer({ min: 0, max: 1000 }),
      fc.constantFrom("insert", "delete", "substitute"),
      fc.integer({ min: 0, max: 25 })
    ],
    ([pick, edit, letter]) =>
      Effect.gen(function*() {
        const names = yield* ConfigKeys.known(Client.config, "STEADFAST")
        const name = names[pick % names.length]!
        const tail = name.slice("STEADFAST_".length)
        const at = pick % tail.length
        const char = String.fromCharCode(65 + letter)
        const mutated = "STEADFAST_" + (edit === "insert"
          ? tail.slice(0, at) + char + tail.slice(at)
          : edit === "delete"
          ? tail.slice(0, at) + tail.slice(at + 1)
          : tail.slice(0, at) + char + tail.slice(at + 1))
        const found = yield* ConfigKeys.unknown(Client.config, "STEADFAST").pipe(
          Effect.withConfigProvider(env({ [mutated]: "1" }))
        )
        if (names.includes(mutated)) {
          expect(found).toEqual([]) // the edit gave back a known name
        } else {
          expect(found).toHaveLength(1)
          const suggestion = found[0]!.suggestion
          expect(suggestion).toBeDefined()
          expect(editDistance(mutated, suggestion!)).toBeLessThanOrEqual(1)
        }
      }),
    { fastCheck: { seed: 1414, numRuns: 200 } }
  )
})
