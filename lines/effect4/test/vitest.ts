// `@effect/vitest` as the test files see it on the Effect 4 line:
// @effect/vitest 4 as it is, except `it.prop`, which takes fast-check
// arbitraries (with `{ fastCheck: { seed, numRuns } }`) as @effect/vitest 0.30
// does on the Effect 3 line; @effect/vitest 4's own `it.prop` takes Effect
// 4's Schema-based arbitraries, which fast-check's are not.
import * as V from "@effect/vitest"
import * as fc from "fast-check"

export * from "@effect/vitest"

type Arbitraries = ReadonlyArray<fc.Arbitrary<unknown>> | Readonly<Record<string, fc.Arbitrary<unknown>>>
type Options = number | { readonly timeout?: number; readonly fastCheck?: fc.Parameters<unknown> }

const prop = (
  name: string,
  arbitraries: Arbitraries,
  self: (values: any, ctx: unknown) => unknown,
  options?: Options
) => {
  const arbitrary: fc.Arbitrary<unknown> = Array.isArray(arbitraries)
    ? fc.tuple(...(arbitraries as ReadonlyArray<fc.Arbitrary<unknown>>))
    : fc.record(arbitraries as Record<string, fc.Arbitrary<unknown>>)
  const timeout = typeof options === "number" ? options : options?.timeout
  const parameters = typeof options === "object" ? options.fastCheck ?? {} : {}
  return V.it(
    name,
    timeout === undefined ? {} : { timeout },
    (ctx) => fc.assert(fc.property(arbitrary, (values) => self(values, ctx) as boolean | void), parameters)
  )
}

export const it: typeof V.it = new Proxy(V.it, {
  get: (target, key, receiver) => key === "prop" ? prop : Reflect.get(target, key, receiver)
})
