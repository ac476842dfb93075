/**
 * Scenarios: which route gets which faults, attempt after attempt.
 *
 * A scenario is data. The same value drives the in-memory SimulatedNetwork and
 * the FaultServer on real sockets, so a resilience test written once runs in
 * both.
 *
 * @example
 * ```ts
 * import { Fault, Reply, Scenario } from "@steadfast/testkit"
 *
 * const scenario = Scenario.make({
 *   "GET /items": Scenario.sequence([Fault.reset(), Reply.json(200, [])], { after: "repeat-last" }),
 *   "POST /orders": Scenario.chaos({ seed: 7, faults: [{ fault: Fault.reset(), rate: 0.1 }], otherwise: Reply.json(201, {}) })
 * })
 * ```
 *
 * @since 0.1.0
 */
import type { Fault } from "./Fault.js"
import * as internal from "./internal/scenario.js"

/**
 * What a sequence does once its steps are used up:
 * - `"repeat-last"`: every later attempt gets the last step again;
 * - `"cycle"`: start over from the first step;
 * - `"fail"`: the attempt fails loudly (a defect in memory, a 500 naming the
 *   route on sockets), because the test did not expect it.
 *
 * @since 0.1.0
 */
export type After = "repeat-last" | "cycle" | "fail"

/**
 * A fixed sequence of faults, one per attempt.
 *
 * @since 0.1.0
 */
export interface Sequence {
  readonly _tag: "Sequence"
  readonly steps: ReadonlyArray<Fault>
  readonly after: After
}

/**
 * Seeded random faults: each attempt draws one of `faults` with its `rate`
 * (rates add up to at most 1), else gets `otherwise`. The draw for the n-th
 * attempt of a route depends only on the seed, the route and n, so a run is
 * reproducible whatever the interleaving.
 *
 * @since 0.1.0
 */
export interface Chaos {
  readonly _tag: "Chaos"
  readonly seed: number
  readonly faults: ReadonlyArray<{ readonly fault: Fault; readonly rate: number }>
  readonly otherwise: Fault
}

/**
 * A script: what each attempt of a route gets.
 *
 * @since 0.1.0
 */
export type Script = Sequence | Chaos

/**
 * Which requests a route matches: a method (`"*"` for any) and a path, exact
 * or ending in `*` for a prefix; or a predicate.
 *
 * @since 0.1.0
 */
export type Matcher =
  | { readonly _tag: "Path"; readonly method: string; readonly path: string; readonly prefix: boolean }
  | {
    readonly _tag: "Predicate"
    readonly name: string
    readonly test: (request: { readonly method: string; readonly url: URL }) => boolean
  }

/**
 * A route: a matcher and its script. `key` names the route in records and
 * messages (`"GET /items"`).
 *
 * @since 0.1.0
 */
export interface Route {
  readonly key: string
  readonly matcher: Matcher
  readonly script: Script
}

/**
 * An ordered list of routes; the first match wins.
 *
 * @since 0.1.0
 */
export interface Scenario {
  readonly routes: ReadonlyArray<Route>
}

/**
 * A sequence script. `after` is required on purpose: what happens after the
 * last step is never left implicit.
 *
 * @since 0.1.0
 */
export const sequence = (steps: ReadonlyArray<Fault>, options: { readonly after: After }): Sequence => {
  if (steps.length === 0) throw new TypeError("Scenario.sequence needs at least one step")
  return { _tag: "Sequence", steps, after: options.after }
}

/**
 * A chaos script (see {@link Chaos}).
 *
 * @since 0.1.0
 */
export const chaos = (options: {
  readonly seed: number
  readonly faults: ReadonlyArray<{ readonly fault: Fault; readonly rate: number }>
  readonly otherwise: Fault
}): Chaos => {
  const total = options.faults.reduce((sum, f) => sum + f.rate, 0)
  if (!(total >= 0 && total <= 1 + 1e-9) || options.faults.some((f) => f.rate < 0)) {
    throw new RangeError(`Scenario.chaos: rates must be >= 0 and add up to at most 1 (got ${total})`)
  }
  return { _tag: "Chaos", seed: options.seed >>> 0, faults: options.faults, otherwise: options.otherwise }
}

/**
 * What a route can be given: one step (a `Fault` or `Reply`), an array of
 * steps, or a script built with {@link sequence} or {@link chaos}. One step
 * or a bare array is a sequence that fails loudly after its last step
 * (`after: "fail"`): the test did not expect another attempt.
 *
 * @since 0.1.0
 */
export type Steps = Fault | ReadonlyArray<Fault> | Script

/**
 * A route from a spec string (`"GET /items"`, `"* /items/*"`, `"/items"`) or
 * a named predicate, and its steps (see {@link Steps}).
 *
 * @since 0.1.0
 */
export const route = (
  spec: string | {
    readonly name: string
    readonly test: (request: { readonly method: string; readonly url: URL }) => boolean
  },
  steps: Fault | ReadonlyArray<Fault> | Script
): Route => ({
  key: typeof spec === "string" ? spec.trim() : spec.name,
  matcher: typeof spec === "string"
    ? internal.parseMatcher(spec)
    : { _tag: "Predicate", name: spec.name, test: spec.test },
  script: internal.toScript(steps, typeof spec === "string" ? spec.trim() : spec.name)
})

/**
 * A scenario from a record of routes (in insertion order; each value is one
 * step, an array of steps, or a script) or a list of {@link route}s.
 *
 * @since 0.1.0
 */
export const make = (
  routes: Readonly<Record<string, Fault | ReadonlyArray<Fault> | Script>> | ReadonlyArray<Route>
): Scenario => ({
  routes: Array.isArray(routes)
    ? routes as ReadonlyArray<Route>
    : Object.entries(routes as Record<string, Steps>).map(([spec, steps]) => route(spec, steps))
})
