/**
 * The simulated network: routes, step counts, records, and the transport and
 * client over them.
 *
 * @internal
 */
import { Redact, Transport } from "@steadfast/core"
import * as Context from "@steadfast/core/line/Context"
import * as Effect from "@steadfast/core/line/Effect"
import {
  HttpClient,
  type HttpClientError,
  type HttpClientRequest,
  type HttpClientResponse
} from "@steadfast/core/line/http"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import type { Fault } from "../../Fault.js"
import * as Scenario from "../../Scenario.js"
import type { AttemptRecord, RouteSpec, Service } from "../../SimulatedNetwork.js"
import { rowOf } from "../faults/table.js"
import * as Script from "../scenario.js"
import { withoutStack } from "../stackless.js"
import { AttemptContext, Entry } from "./attempt.js"
import { CountingScheduler, follow, isTestClock, VirtualClock } from "./clock.js"

const describeRoutes = (scenario: Scenario.Scenario): string =>
  scenario.routes.length === 0
    ? "No route is scripted."
    : `Known routes (first match wins): ${scenario.routes.map((r) => JSON.stringify(r.key)).join(", ")}.`

class Network implements Service {
  private scenario: Scenario.Scenario
  private readonly steps = new Map<Scenario.Route, number>()
  private records: Array<Entry> = []
  readonly transport: Transport.Transport
  readonly client: HttpClient.HttpClient

  constructor(scenario: Scenario.Scenario) {
    this.scenario = scenario
    this.transport = { tracksConnect: true, send: (request, url, attempt) => this.send(request, url, attempt) }
    this.client = Transport.withTransport(
      HttpClient.make((request, url, signal) => this.send(request, url, Transport.attemptFromSignal(signal))),
      this.transport
    )
  }

  send(
    request: HttpClientRequest.HttpClientRequest,
    url: URL,
    attempt: Transport.Attempt
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> {
    return Effect.clockWith((clock) => {
      const scenario = this.scenario
      const route = Script.find(scenario, request.method, url)
      if (route === undefined) {
        return Effect.dieMessage(
          `steadfast testkit: no route matches ${request.method} ${Redact.url(url)}. ${describeRoutes(scenario)} ` +
            "Script one with SimulatedNetwork.script, or add it to the scenario."
        )
      }
      const index = this.steps.get(route) ?? 0
      const fault = Script.stepFor(route, index)
      if (fault === undefined) {
        return Effect.dieMessage(
          `${Script.exhaustedMessage(route, index)} Request: ${request.method} ${Redact.url(url)}. ${
            describeRoutes(scenario)
          }`
        )
      }
      this.steps.set(route, index + 1)
      const entry = new Entry(
        this.records.length,
        clock.unsafeCurrentTimeMillis(),
        request.method,
        url.href,
        request.headers,
        route.key,
        index,
        fault._tag,
        attempt.sensitiveHeaders
      )
      this.records.push(entry)
      const ctx = new AttemptContext(request, url, attempt, entry, clock)
      if (attempt.aborted) return ctx.aborted()
      const row = rowOf(fault)
      return row.suspends === true
        ? Effect.onInterrupt(
          Effect.suspend(() => withoutStack(() => row.memory(ctx, fault))),
          () => ctx.interrupted(ctx.phase)
        )
        : withoutStack(() => row.memory(ctx, fault))
    })
  }

  script(spec: RouteSpec, script: Fault | ReadonlyArray<Fault> | Scenario.Script): Effect.Effect<void> {
    return Effect.sync(() => {
      const route = Scenario.route(spec, script)
      const routes = this.scenario.routes
      const at = routes.findIndex((r) => r.key === route.key)
      this.scenario = {
        routes: at === -1 ? [route, ...routes] : routes.map((r, i) => i === at ? route : r)
      }
    })
  }

  setScenario(scenario: Scenario.Scenario): Effect.Effect<void> {
    return Effect.sync(() => {
      this.scenario = scenario
      this.steps.clear()
    })
  }

  attempts(route?: string): Effect.Effect<ReadonlyArray<AttemptRecord>> {
    return Effect.sync(() =>
      (route === undefined ? this.records : this.records.filter((r) => r.route === route)).map((r) => r.snapshot())
    )
  }

  get timeline(): Effect.Effect<ReadonlyArray<AttemptRecord>> {
    return this.attempts()
  }

  get reset(): Effect.Effect<void> {
    return Effect.sync(() => {
      this.records = []
      this.steps.clear()
    })
  }
}

/** @internal */
export const make = (scenario: Scenario.Scenario = Scenario.make({})): Effect.Effect<Service> =>
  Effect.sync(() => new Network(scenario))

/**
 * The hint printed when a test under the virtual clock is interrupted (a
 * test runner's timeout interrupts the test's fiber) while fibers still wait
 * for virtual time that no `TestClock.adjust` brought: the usual cause of a
 * test that "times out" under `TestClock`.
 *
 * @internal
 */
export const missingAdjustHint = (clock: VirtualClock, pending: ReadonlyArray<AttemptRecord>): string => {
  const sleeping = clock.pendingInstants()
  const count = sleeping.length + clock.cancelledWaits.count
  const earliestAt = Math.min(sleeping[0] ?? Infinity, clock.cancelledWaits.earliest)
  const at = count === 0 ? undefined : earliestAt
  const now = clock.unsafeCurrentTimeMillis()
  const earliest = at === undefined ? "" : `, the earliest until ${at === Infinity ? "never" : `+${at - now} ms`}`
  const cause = clock.adjusted
    ? `the TestClock stands at ${now} ms and was not adjusted far enough`
    : "TestClock.adjust was never called"
  const attempts = pending.length === 0
    ? ""
    : `\nAttempts still waiting:${pending.slice(0, 5).map((r) => `\n  ${formatRecord(r)}`).join("")}` +
      (pending.length > 5 ? `\n  … and ${pending.length - 5} more` : "")
  return `steadfast testkit: the test was interrupted (did it time out?) while ${count} fiber(s) waited ` +
    `for virtual time${earliest}, and ${cause}. Under TestClock, time moves only when the test moves it: fork the ` +
    `code under test, call TestClock.adjust (e.g. TestClock.adjust("1 minute")), then Fiber.join.${attempts}`
}

/** @internal */
export const layer = <I>(
  tag: Context.Tag<I, Service>,
  scenario?: Scenario.Scenario
): Layer.Layer<I | HttpClient.HttpClient> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const network = yield* make(scenario)
    const services = Layer.succeedContext(
      Context.make(tag, network).pipe(Context.add(HttpClient.HttpClient, network.client))
    )
    const clock = yield* Effect.clock
    if (!isTestClock(clock)) return services
    const scheduler = new CountingScheduler(yield* FiberRef.get(FiberRef.currentScheduler))
    const virtual = new VirtualClock(clock.unsafeCurrentTimeMillis(), scheduler)
    // a test may move the TestClock from outside the layer: follow it
    yield* Effect.forkScoped(follow(clock, virtual))
    yield* Effect.addFinalizer((exit) =>
      Exit.isInterrupted(exit) && (virtual.waiting > 0 || virtual.cancelledWaits.count > 0)
        ? Effect.flatMap(network.timeline, (timeline) =>
          Effect.sync(() => {
            const stuck = timeline.filter((r) =>
              r.outcome._tag === "Pending" || (r.outcome._tag === "Aborted" && r.outcome.reason === "Interrupted")
            )
            console.warn(missingAdjustHint(virtual, stuck))
          }))
        : Effect.void
    )
    return Layer.mergeAll(services, Layer.setClock(virtual), Layer.setScheduler(scheduler))
  }))

/** @internal */
export const outcomeLabel = (record: AttemptRecord): string => {
  const o = record.outcome
  switch (o._tag) {
    case "Pending":
      return "pending"
    case "Response":
      return String(o.status)
    case "Failed":
      return o.phase === "body" ? `${o.code} (body)` : o.code
    case "Aborted":
      return `aborted: ${o.reason}`
  }
}

/** @internal */
export const formatRecord = (record: AttemptRecord): string =>
  `#${record.seq} +${record.at}ms ${record.method} ${record.url} [${record.fault}] -> ${outcomeLabel(record)}`
