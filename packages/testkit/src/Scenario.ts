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
import { drawFor } from "./internal/seeded.js"

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
 * Parses `"GET /items"`, `"* /items/*"` or `"/items"` (any method).
 *
 * @since 0.1.0
 */
export const parseMatcher = (spec: string): Matcher => {
  const parts = spec.trim().split(/\s+/)
  const [method, path] = parts.length === 1 ? ["*", parts[0]!] : [parts[0]!.toUpperCase(), parts[1]!]
  if (parts.length > 2 || !path.startsWith("/")) {
    throw new TypeError(`Scenario: route "${spec}" should look like "GET /path", "* /prefix/*" or "/path"`)
  }
  const prefix = path.endsWith("*")
  return { _tag: "Path", method, path: prefix ? path.slice(0, -1) : path, prefix }
}

/**
 * Whether a matcher matches a request.
 *
 * @since 0.1.0
 */
export const matches = (matcher: Matcher, method: string, url: URL): boolean => {
  if (matcher._tag === "Predicate") return matcher.test({ method, url })
  if (matcher.method !== "*" && matcher.method !== method.toUpperCase()) return false
  return matcher.prefix ? url.pathname.startsWith(matcher.path) : url.pathname === matcher.path
}

/**
 * A route from a spec string (`"GET /items"`) or a named predicate. A bare
 * array of faults is a sequence that fails loudly after its last step.
 *
 * @since 0.1.0
 */
export const route = (
  spec: string | {
    readonly name: string
    readonly test: (request: { readonly method: string; readonly url: URL }) => boolean
  },
  script: Script | ReadonlyArray<Fault>
): Route => ({
  key: typeof spec === "string" ? spec.trim() : spec.name,
  matcher: typeof spec === "string" ? parseMatcher(spec) : { _tag: "Predicate", name: spec.name, test: spec.test },
  script: Array.isArray(script) ? sequence(script as ReadonlyArray<Fault>, { after: "fail" }) : script as Script
})

/**
 * A scenario from a record of routes (in insertion order) or a list of them.
 *
 * @since 0.1.0
 */
export const make = (
  routes: Readonly<Record<string, Script | ReadonlyArray<Fault>>> | ReadonlyArray<Route>
): Scenario => ({
  routes: Array.isArray(routes)
    ? routes as ReadonlyArray<Route>
    : Object.entries(routes as Record<string, Script | ReadonlyArray<Fault>>).map(([spec, script]) =>
      route(spec, script)
    )
})

/**
 * The first route that matches a request.
 *
 * @since 0.1.0
 */
export const find = (scenario: Scenario, method: string, url: URL): Route | undefined =>
  scenario.routes.find((r) => matches(r.matcher, method, url))

/** A number in [0, 1) drawn from the seed, the route key and the attempt index. */
const draw = (seed: number, key: string, index: number): number => drawFor(seed, `${key}#${index}`)

/**
 * The fault for the `index`-th attempt (0-based) of a route, or `undefined`
 * when a sequence with `after: "fail"` has run out.
 *
 * @since 0.1.0
 */
export const stepFor = (route: Route, index: number): Fault | undefined => {
  const script = route.script
  if (script._tag === "Sequence") {
    const n = script.steps.length
    if (index < n) return script.steps[index]
    switch (script.after) {
      case "repeat-last":
        return script.steps[n - 1]
      case "cycle":
        return script.steps[index % n]
      case "fail":
        return undefined
    }
  }
  const x = draw(script.seed, route.key, index)
  let acc = 0
  for (const { fault, rate } of script.faults) {
    acc += rate
    if (x < acc) return fault
  }
  return script.otherwise
}

/**
 * The message used when a route's script has run out.
 *
 * @since 0.1.0
 */
export const exhaustedMessage = (route: Route, index: number): string => {
  const n = route.script._tag === "Sequence" ? route.script.steps.length : 0
  return `steadfast testkit: route "${route.key}" got attempt ${index + 1} but its script has ${n} step(s) ` +
    `and after: "fail". Add steps, or use after: "repeat-last" or "cycle".`
}
