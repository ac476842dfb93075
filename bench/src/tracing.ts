/**
 * What tracing and trace propagation cost on the happy path: the default
 * steadfast client (spans, metrics, retries, timeouts) with the tracer off,
 * with the tracer on but no headers sent (`propagation: false`), and with
 * the tracer on and `traceparent` on every request (the default),
 * interleaved, client CPU per request.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Client } from "@steadfast/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { quietLogger } from "./clients.js"
import { type Bound, driveEffect, type Sample } from "./load.js"
import { measuredSample } from "./rewarm.js"
import { median } from "./stats.js"
import * as Steadfast from "./steadfast.js"

export interface TracingRow {
  readonly variant: string
  readonly concurrency: number
  readonly cpuUs: number
  /** This variant's CPU per request minus the tracer-off variant's, paired by repetition. */
  readonly overTracerOffUs: number
  readonly errors: number
}

interface Variant {
  readonly name: string
  readonly tracer: boolean
  readonly options: Client.Options
}

const variants: ReadonlyArray<Variant> = [
  { name: "tracer off", tracer: false, options: {} },
  { name: "tracer on, propagation off", tracer: true, options: { propagation: false } },
  { name: "tracer on, traceparent sent (default)", tracer: true, options: {} }
]

let key = 0

/**
 * The three variants against `origin`, `repetitions` interleaved runs each,
 * each run after `gc` and `rewarm` requests of the same variant (rewarm.ts).
 */
export const tracingCost = async (
  origin: string,
  options: {
    readonly concurrencies: ReadonlyArray<number>
    readonly repetitions: number
    readonly bound: Bound
    readonly rewarm: Bound
  },
  gc: () => void
): Promise<ReadonlyArray<TracingRow>> => {
  const perRequest = (s: Sample) => s.ok > 0 ? s.cpuUs / s.ok : NaN
  const rows: Array<TracingRow> = []
  for (const concurrency of options.concurrencies) {
    const runners = await Promise.all(variants.map(async (v) => {
      const runtime = ManagedRuntime.make(Layer.merge(Steadfast.layer(concurrency, v.options), quietLogger))
      const client = await runtime.runPromise(Client.Client)
      const send = Effect.suspend(() => client.json(HttpClientRequest.get(`${origin}/?k=${++key}`)))
      const run = (effect: Effect.Effect<void>) =>
        runtime.runPromise(v.tracer ? effect : Effect.withTracerEnabled(effect, false))
      return { variant: v, runtime, drive: (bound: Bound) => driveEffect(send, concurrency, bound, run) }
    }))
    const warm: Bound = { maxRequests: Math.min(1000, options.bound.maxRequests), maxMs: 500 }
    for (const r of runners) await r.drive(warm)
    const samples = runners.map(() => [] as Array<Sample>)
    for (let rep = 0; rep < options.repetitions; rep++) {
      for (let i = 0; i < runners.length; i++) {
        samples[i]!.push(await measuredSample(gc, options.rewarm, runners[i]!.drive, options.bound))
      }
    }
    for (const r of runners) await r.runtime.dispose()
    const off = samples[0]!
    runners.forEach((r, i) => {
      const mine = samples[i]!
      rows.push({
        variant: r.variant.name,
        concurrency,
        cpuUs: median(mine.map(perRequest)),
        overTracerOffUs: median(mine.map((s, j) => perRequest(s) - perRequest(off[j]!))),
        errors: mine.reduce((n, s) => n + s.errors, 0)
      })
    })
  }
  return rows
}
