/**
 * The simulated network: routes, step counts, records, and the transport and
 * client over them.
 *
 * @internal
 */
import { virtualTime } from "#line/virtualTime"
import { Redact, Transport } from "@steadfast/core"
import * as Context from "@steadfast/core/line/Context"
import * as Effect from "@steadfast/core/line/Effect"
import {
  HttpClient,
  type HttpClientError,
  type HttpClientRequest,
  type HttpClientResponse
} from "@steadfast/core/line/http"
import * as Layer from "@steadfast/core/line/Layer"
import { currentTimeMillis } from "@steadfast/core/line/unsafe"
import type { Fault } from "../../Fault.js"
import * as Scenario from "../../Scenario.js"
import type { AttemptRecord, RouteSpec, Service, SimulatedNetwork } from "../../SimulatedNetwork.js"
import { rowOf } from "../faults/table.js"
import * as Script from "../scenario.js"
import { withoutStack } from "../stackless.js"
import { AttemptContext } from "./attempt.js"
import { Entry } from "./entry.js"
export { formatRecord, outcomeLabel } from "./records.js"

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
        currentTimeMillis(clock),
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

/** @internal */
export const layer = (
  tag: typeof SimulatedNetwork,
  scenario?: Scenario.Scenario
): Layer.Layer<SimulatedNetwork | HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(make(scenario), (network) =>
    Layer.merge(
      Layer.succeedContext(Context.make(tag, network).pipe(Context.add(HttpClient.HttpClient, network.client))),
      virtualTime(network.timeline)
    )))
