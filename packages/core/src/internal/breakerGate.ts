/**
 * The circuit breaker as a gate of the call loop: the machines by key
 * (`breaker.ts`), the break schedule stepped on the client's clock, and each
 * transition told as a log line, a metric and a span event.
 *
 * @internal
 */
import * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as MetricLabel from "#line/MetricLabel"
import { stepDelay } from "#line/schedule"
import { updateMetric } from "#line/unsafe"
import type * as Schedule from "effect/Schedule"
import * as Errors from "../Errors.js"
import * as Metrics from "../Metrics.js"
import { Machine, type Settings, type State, type Transition } from "./breaker.js"
import type { Gate, GateRequest } from "./policy.js"
import { redactUrl } from "./redact.js"
import { withoutStack } from "./transport.js"

/** The most keys a breaker keeps; the oldest is dropped past it. @internal */
export const MAX_KEYS = 1024

/** What the gate needs. @internal */
export interface Config {
  readonly settings: Settings
  readonly key: (url: URL) => string
  readonly isFailure: (error: Errors.HttpError) => boolean
  /** The break durations; its input is how many times it opened in a row (1, 2, …). */
  readonly breakSchedule: Schedule.Schedule<unknown, number>
}

/** A breaker's state as `Breaker.state` reports it. @internal */
export interface Snapshot {
  readonly key: string
  readonly state: State
  /** Open: until the next probe may go (`undefined` while it is being computed). */
  readonly retryInMs: number | undefined
  readonly openedBy: string | undefined
  /** Failures in a row (closed). */
  readonly consecutiveFailures: number
  /** Attempts and failures in the window (closed). */
  readonly calls: number
  readonly failures: number
}

const describe = (error: Errors.HttpError): string =>
  error._tag === "StatusError" ? `StatusError ${error.status}` : error._tag

/** The value of `steadfast_breaker_state`. */
const stateValue: Readonly<Record<State, number>> = { closed: 0, "half-open": 1, open: 2 }

const cleanKey = (key: string) => /[@?#]/.test(key) ? redactUrl(key) : key

/** The machines of one breaker, and its gate. @internal */
export class Breakers {
  private readonly byKey = new Map<string, Machine>()

  constructor(readonly config: Config) {}

  machine(key: string, now: number): Machine {
    let machine = this.byKey.get(key)
    if (machine === undefined) {
      if (this.byKey.size >= MAX_KEYS) this.byKey.delete(this.byKey.keys().next().value as string)
      machine = new Machine(this.config.settings, now)
      this.byKey.set(key, machine)
    }
    return machine
  }

  /** Steps the break schedule when the machine opened and its break is not known yet. */
  ensureBreak(machine: Machine): Effect.Effect<void> | undefined {
    if (machine.state !== "open" || machine.openUntil !== undefined) return undefined
    const schedule = this.config.breakSchedule
    return Effect.map(stepDelay(schedule, machine, machine.openedAt, machine.opens), (delay) => {
      // a schedule that is done keeps the last break it gave
      const ms = delay ?? machine.lastBreakMs
      machine.lastBreakMs = ms
      machine.setBreak(ms)
    })
  }

  snapshot(key: string, now: number): Effect.Effect<Snapshot> {
    const machine = this.machine(key, now)
    const read = Effect.sync((): Snapshot => {
      const counts = machine.counts(now)
      return {
        key,
        state: machine.state,
        retryInMs: machine.state === "open" && machine.openUntil !== undefined
          ? Math.max(0, machine.openUntil - now)
          : undefined,
        openedBy: machine.state === "closed" ? undefined : machine.openedBy,
        consecutiveFailures: machine.consecutive,
        calls: counts.calls,
        failures: counts.failures
      }
    })
    const stepping = this.ensureBreak(machine)
    return stepping === undefined ? read : Effect.zipRight(stepping, read)
  }

  /** A transition: a metric, a span event, and a log line (Warning when it opens). */
  private told(key: string, request: GateRequest, transition: Transition, retryInMs?: number): Effect.Effect<void> {
    updateMetric(Metrics.breakerTransitions, 1, [MetricLabel.make("to", transition.to)])
    updateMetric(Metrics.breakerState, stateValue[transition.to], [MetricLabel.make("key", cleanKey(key))])
    const fields = {
      "steadfast.breaker.key": cleanKey(key),
      "steadfast.breaker.from": transition.from,
      "steadfast.breaker.to": transition.to,
      ...(transition.cause === undefined ? {} : { "steadfast.breaker.cause": transition.cause })
    }
    request.span?.event("steadfast.breaker", BigInt(transition.at) * 1_000_000n, fields)
    const line = transition.to === "open"
      ? `circuit breaker for ${cleanKey(key)} opened (${transition.from} -> open) after ${transition.cause}` +
        (retryInMs === undefined ? "" : `; next probe in ${Duration.format(Duration.millis(retryInMs))}`)
      : transition.to === "half-open"
      ? `circuit breaker for ${cleanKey(key)} is half-open: sending a probe`
      : `circuit breaker for ${cleanKey(key)} closed: the probes succeeded`
    return Effect.annotateLogs(
      transition.to === "open" ? Effect.logWarning(line) : Effect.logInfo(line),
      { steadfast: "breaker", ...fields }
    )
  }

  readonly gate: Gate = {
    name: "circuit-breaker",
    admit: (request, attempt) => {
      const now = this.now(request)
      const key = this.config.key(request.url)
      const machine = this.machine(key, now)
      if (machine.state === "closed") return undefined
      const stepping = this.ensureBreak(machine)
      const decide = Effect.suspend(() => {
        const admission = machine.admit(request, now)
        if (admission._tag === "Admit") {
          return admission.transition === undefined ? Effect.void : this.told(key, request, admission.transition)
        }
        return Effect.fail(withoutStack(() =>
          new Errors.CircuitOpen({
            request: request.requestInfo,
            attempts: attempt - 1,
            history: [],
            key: cleanKey(key),
            state: admission.state,
            ...(admission.retryInMs === undefined ? {} : { retryInMs: admission.retryInMs }),
            ...(admission.openedBy === undefined ? {} : { openedBy: admission.openedBy })
          }, true)
        ))
      })
      return stepping === undefined ? decide : Effect.zipRight(stepping, decide)
    },
    observe: (request, _attempt, error) => {
      const now = this.now(request)
      const key = this.config.key(request.url)
      const failure = error !== undefined && this.config.isFailure(error) ? describe(error) : undefined
      const machine = this.machine(key, now)
      if (machine.state === "closed" && failure === undefined) {
        machine.observe(request, undefined, now)
        return undefined
      }
      const transition = machine.observe(request, failure, now)
      if (transition === undefined) return undefined
      if (transition.to !== "open") return this.told(key, request, transition)
      return Effect.zipRight(
        this.ensureBreak(machine) ?? Effect.void,
        Effect.suspend(() =>
          this.told(key, request, transition, machine.openUntil === undefined ? undefined : machine.openUntil - now)
        )
      )
    },
    release: (request) => {
      const machine = this.byKey.get(this.config.key(request.url))
      machine?.release(request)
    }
  }

  /** The time on the client's clock (a gate request carries it). */
  private now(request: GateRequest): number {
    return request.now()
  }
}
