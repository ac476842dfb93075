// `@effect/vitest` as the test files see it on the Effect 4 line:
// @effect/vitest 4 as it is, except `it.prop`, which takes fast-check
// arbitraries (with `{ fastCheck: { seed, numRuns } }`) as @effect/vitest 0.30
// does on the Effect 3 line; @effect/vitest 4's own `it.prop` takes Effect
// 4's Schema-based arbitraries, which fast-check's are not.
// by path: under its own name, "@effect/vitest" is this module (see vitest.config.ts, tsconfig.test.json)
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/testing/TestClock"
import * as TestConsole from "effect/testing/TestConsole"
import * as fc from "fast-check"
import { counting } from "../../../packages/core/src/line/effect4/TestClock.js"
import * as V from "../node_modules/@effect/vitest/dist/index.js"

export * from "../node_modules/@effect/vitest/dist/index.js"

type Arbitraries = ReadonlyArray<fc.Arbitrary<any>> | { readonly [key: string]: fc.Arbitrary<any> }
type Values<Arbs extends Arbitraries> = {
  -readonly [K in keyof Arbs]: Arbs[K] extends fc.Arbitrary<infer A> ? A : never
}
type Options = number | { readonly timeout?: number; readonly fastCheck?: fc.Parameters<any> }

/** `it.prop` as @effect/vitest 0.30 types it: the values, as a tuple or a record, then the test context. */
type Prop = <const Arbs extends Arbitraries>(
  name: string,
  arbitraries: Arbs,
  self: (values: Values<Arbs>, ctx: V.TestContext) => boolean | void,
  options?: Options
) => void

const arbitraryOf = (arbitraries: Arbitraries): fc.Arbitrary<any> =>
  Array.isArray(arbitraries)
    ? fc.tuple(...(arbitraries as ReadonlyArray<fc.Arbitrary<any>>))
    : fc.record(arbitraries as { readonly [key: string]: fc.Arbitrary<any> })

/** Registers a property test: `check` runs fast-check on the values' arbitrary with the options' parameters. */
const register = (
  name: string,
  arbitraries: Arbitraries,
  options: Options | undefined,
  check: (arbitrary: fc.Arbitrary<any>, parameters: fc.Parameters<any>, ctx: V.TestContext) => unknown
) => {
  const timeout = typeof options === "number" ? options : options?.timeout
  const parameters = typeof options === "object" ? options.fastCheck ?? {} : {}
  const arbitrary = arbitraryOf(arbitraries)
  V.it(name, timeout === undefined ? {} : { timeout }, (ctx) => check(arbitrary, parameters, ctx) as any)
}

const prop: Prop = (name, arbitraries, self, options) =>
  register(
    name,
    arbitraries,
    options,
    (arbitrary, parameters, ctx) => fc.assert(fc.property(arbitrary, (values) => self(values, ctx)), parameters)
  )

/** `it.effect.prop` as @effect/vitest 0.30 has it: each run of the property in a fresh test environment (TestClock). */
type EffectProp = <const Arbs extends Arbitraries>(
  name: string,
  arbitraries: Arbs,
  self: (values: Values<Arbs>, ctx: V.TestContext) => Effect.Effect<unknown, unknown, never>,
  options?: Options
) => void

const testEnv = Layer.mergeAll(TestConsole.layer, TestClock.layer())

const effectProp: EffectProp = (name, arbitraries, self, options) =>
  register(name, arbitraries, options, (arbitrary, parameters, ctx) =>
    fc.assert(
      fc.asyncProperty(arbitrary, (values) =>
        Effect.runPromise(
          Effect.suspend(() => self(values, ctx)).pipe(counting, Effect.scoped, Effect.provide(testEnv), Effect.asVoid)
        )),
      parameters
    ))

const withProp = <T extends object>(target: T, replacement: unknown): T =>
  new Proxy(target, { get: (t, key, receiver) => key === "prop" ? replacement : Reflect.get(t, key, receiver) })

/**
 * A test method whose test bodies run under core's TestClock seam's
 * `counting` scheduler, so that its `adjust` settles the test's fibers until
 * none of their tasks is queued (Effect 3's `TestClock.adjust` contract). A
 * call with a name and a body registers the wrapped body; any other call
 * (`each(cases)`, `skipIf(cond)`) or property (`only`, `skip`, `fails`, ...)
 * gives a method wrapped the same way.
 */
const countingMethod = <T extends object>(method: T): T =>
  new Proxy(method, {
    apply: (target, thisArg, args: Array<unknown>) => {
      if (typeof args[0] === "string" && typeof args[1] === "function") {
        const body = args[1] as (...xs: Array<unknown>) => Effect.Effect<unknown, unknown, unknown>
        const wrapped = (...xs: Array<unknown>) => counting(Effect.suspend(() => body(...xs)))
        return Reflect.apply(target as (...xs: Array<unknown>) => unknown, thisArg, [
          args[0],
          wrapped,
          ...args.slice(2)
        ])
      }
      const result = Reflect.apply(target as (...xs: Array<unknown>) => unknown, thisArg, args)
      return typeof result === "function" ? countingMethod(result) : result
    },
    get: (target, key, receiver) => {
      const value = Reflect.get(target, key, receiver)
      return key !== "prop" && typeof value === "function" ? countingMethod(value) : value
    }
  })

/**
 * `it` as the test files use it: @effect/vitest 4's, with `it.prop` and
 * `it.effect.prop` in their fast-check form, `it.effect`'s bodies under the
 * TestClock seam's counting scheduler, and `it.scoped` / `it.scopedLive`
 * (@effect/vitest 0.30's names) as `it.effect` / `it.live`, which on
 * @effect/vitest 4 already run each test in a scope.
 */
export const it: typeof V.it & {
  readonly prop: Prop
  readonly effect: typeof V.it.effect & { readonly prop: EffectProp }
  readonly scoped: typeof V.it.effect
  readonly scopedLive: typeof V.it.live
} = new Proxy(V.it, {
  get: (target, key, receiver) =>
    key === "prop"
      ? prop
      : key === "effect" || key === "scoped"
      ? withProp(countingMethod(target.effect), effectProp)
      : key === "scopedLive"
      ? target.live
      : Reflect.get(target, key, receiver)
}) as any
