/**
 * The FaultServer's scripts: each route's step counter, the draw of the next
 * step, and the records of every attempt.
 *
 * @internal
 */
import { Redact } from "@steadfast/core"
import type { Fault } from "../../Fault.js"
import type { Attempt, Exhausted } from "../../FaultServer.js"
import type * as Scenario from "../../Scenario.js"
import * as Script from "../scenario.js"

/** The header through which the interceptor tells the server which step it drew. */
export const STEP_HEADER = "x-steadfast-step"

/** What to do with one request. */
export type Plan =
  | { readonly _tag: "Fault"; readonly fault: Fault; readonly route: string; readonly step: number }
  | { readonly _tag: "Exhausted"; readonly message: string }
  | { readonly _tag: "NoRoute" }

interface RouteState {
  route: Scenario.Route
  position: number
  hits: number
}

export class Scripts {
  private readonly routes: Array<RouteState>
  readonly attempts: Array<Attempt> = []
  readonly exhausted: Array<Exhausted> = []

  /** `now`: the server's time in epoch milliseconds; records are stamped with it, floored. */
  constructor(scenario: Scenario.Scenario, private readonly now: () => number) {
    this.routes = scenario.routes.map((route) => ({ route, position: 0, hits: 0 }))
  }

  /** The keys of the routes, in order. */
  get keys(): ReadonlyArray<string> {
    return this.routes.map((r) => r.route.key)
  }

  record(
    method: string,
    url: URL | string,
    headers: Readonly<Record<string, string>>,
    via: Attempt["via"],
    route: string | undefined,
    step: number,
    fault: string
  ): void {
    const copy: Record<string, string> = {}
    for (const [name, value] of Object.entries(headers)) if (name !== STEP_HEADER) copy[name] = value
    this.attempts.push({
      at: Math.floor(this.now()),
      method,
      url: Redact.url(url),
      headers: Redact.headers(copy),
      route,
      step,
      fault,
      via
    })
  }

  /** Draws the next step for a request and records the attempt. */
  draw(method: string, url: URL, headers: Readonly<Record<string, string>>, via: Attempt["via"]): Plan {
    const state = this.routes.find((r) => Script.matches(r.route.matcher, method, url))
    if (state === undefined) {
      this.record(method, url, headers, via, undefined, -1, "NoRoute")
      return { _tag: "NoRoute" }
    }
    const step = state.position++
    state.hits++
    const fault = Script.stepFor(state.route, step)
    if (fault === undefined) {
      const message = Script.exhaustedMessage(state.route, step)
      this.exhausted.push({ at: Math.floor(this.now()), route: state.route.key, attempt: step + 1, message })
      this.record(method, url, headers, via, state.route.key, step, "Exhausted")
      return { _tag: "Exhausted", message }
    }
    this.record(method, url, headers, via, state.route.key, step, fault._tag)
    return { _tag: "Fault", fault, route: state.route.key, step }
  }

  hits(key: string): number {
    return this.routes.reduce((n, r) => r.route.key === key ? n + r.hits : n, 0)
  }

  /** Replaces the script of the first route with this key (its steps restart), or adds a last route. */
  set(key: string, steps: Fault | ReadonlyArray<Fault> | Scenario.Script): void {
    const state = this.routes.find((r) => r.route.key === key)
    if (state === undefined) {
      const route: Scenario.Route = { key, matcher: Script.parseMatcher(key), script: Script.toScript(steps, key) }
      this.routes.push({ route, position: 0, hits: 0 })
    } else {
      state.route = { ...state.route, script: Script.toScript(steps, key) }
      state.position = 0
    }
  }
}
