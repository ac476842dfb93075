/**
 * The scenario interpreter: which route a request takes, which step an
 * attempt gets, and what a route accepts as its steps. Shared by the
 * SimulatedNetwork and the FaultServer.
 *
 * @internal
 */
import type { Fault } from "../Fault.js"
import type { Matcher, Route, Scenario, Script } from "../Scenario.js"
import { isFault } from "./faults/table.js"
import { drawFor } from "./seeded.js"

/** Parses `"GET /items"`, `"* /items/*"` or `"/items"` (any method). */
export const parseMatcher = (spec: string): Matcher => {
  const parts = spec.trim().split(/\s+/)
  const [method, path] = parts.length === 1 ? ["*", parts[0]!] : [parts[0]!.toUpperCase(), parts[1]!]
  if (parts.length > 2 || !path.startsWith("/")) {
    throw new TypeError(`Scenario: route "${spec}" should look like "GET /path", "* /prefix/*" or "/path"`)
  }
  const prefix = path.endsWith("*")
  return { _tag: "Path", method, path: prefix ? path.slice(0, -1) : path, prefix }
}

/** Whether a matcher matches a request. */
export const matches = (matcher: Matcher, method: string, url: URL): boolean => {
  if (matcher._tag === "Predicate") return matcher.test({ method, url })
  if (matcher.method !== "*" && matcher.method !== method && matcher.method !== method.toUpperCase()) return false
  return matcher.prefix ? url.pathname.startsWith(matcher.path) : url.pathname === matcher.path
}

/** The first route that matches a request. */
export const find = (scenario: Scenario, method: string, url: URL): Route | undefined => {
  const routes = scenario.routes
  for (let i = 0; i < routes.length; i++) {
    if (matches(routes[i]!.matcher, method, url)) return routes[i]
  }
  return undefined
}

const describe = (u: unknown): string => {
  if (u === null || typeof u !== "object") return typeof u === "string" ? JSON.stringify(u) : String(u)
  if (Array.isArray(u)) return "an array"
  const tag = (u as { _tag?: unknown })._tag
  return typeof tag === "string" ? `an object tagged "${tag}"` : "an object without a _tag"
}

const shapes = "one step (a Fault or Reply, e.g. Fault.status(503)), an array of steps, " +
  "Scenario.sequence([...], { after }) or Scenario.chaos({ ... })"

/**
 * A route's steps as a script: one step or a bare array is a sequence that
 * fails after its last step. Anything else is a `TypeError` naming the
 * shapes a route accepts.
 */
export const toScript = (steps: Fault | ReadonlyArray<Fault> | Script, route: string): Script => {
  if (Array.isArray(steps)) {
    const list = steps as ReadonlyArray<unknown>
    if (list.length === 0) throw new TypeError(`steadfast testkit: route "${route}" got no steps; give it ${shapes}.`)
    list.forEach((step, i) => {
      if (!isFault(step)) {
        throw new TypeError(
          `steadfast testkit: step ${i + 1} of route "${route}" is ${describe(step)}, not a Fault or Reply. ` +
            `A route takes ${shapes}.`
        )
      }
    })
    return { _tag: "Sequence", steps: list as ReadonlyArray<Fault>, after: "fail" }
  }
  const s = steps as unknown
  if (isFault(s)) return { _tag: "Sequence", steps: [s], after: "fail" }
  const tag = s !== null && typeof s === "object" ? (s as { _tag?: unknown })._tag : undefined
  if (tag === "Sequence" || tag === "Chaos") return s as Script
  throw new TypeError(`steadfast testkit: route "${route}" got ${describe(s)}; a route takes ${shapes}.`)
}

/**
 * The fault for the `index`-th attempt (0-based) of a route, or `undefined`
 * when a sequence with `after: "fail"` has run out.
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
  // a number in [0, 1) drawn from the seed, the route key and the attempt index
  const x = drawFor(script.seed, `${route.key}#${index}`)
  let acc = 0
  for (const { fault, rate } of script.faults) {
    acc += rate
    if (x < acc) return fault
  }
  return script.otherwise
}

/** The message used when a route's script has run out. */
export const exhaustedMessage = (route: Route, index: number): string => {
  const n = route.script._tag === "Sequence" ? route.script.steps.length : 0
  return `steadfast testkit: route "${route.key}" got attempt ${index + 1} but its script has ${n} step(s) ` +
    `and after: "fail". Add steps, or use after: "repeat-last" or "cycle".`
}
