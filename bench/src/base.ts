/**
 * What every client row is built on, on either Effect line: the instance and
 * spec shapes, raw undici (the reference every ratio is taken against), and
 * the Effect floor (raw undici in `Effect.tryPromise`). It imports only the
 * Effect API both lines share, plus the `#line/logger` seam (docs/design.md,
 * "Two Effect lines"), so the Effect 4 bench (lines/effect4/bench) compiles
 * this file unchanged.
 */
import { quietLogger } from "#line/logger"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { Agent } from "undici"
import { type Bound, driveEffect, driveEffectEach, drivePromise, type Sample, type Shape } from "./load.js"

export interface Instance {
  readonly run: (bound: Bound) => Promise<Sample>
  readonly close: () => Promise<void>
}

export interface ClientSpec {
  /** Stable key (tests, ratios). */
  readonly id: string
  /** Display name. */
  readonly name: string
  /** For Effect clients: whether the tracer is enabled during the run. */
  readonly tracing: "on" | "off" | undefined
  /** For Effect clients: worker fibers, or a fiber per request. */
  readonly shape?: Shape
  /** What exactly runs, for the method section. */
  readonly describe: string
  readonly make: (origin: string, concurrency: number) => Promise<Instance>
}

/** The reference every ratio is taken against. */
export const REFERENCE = "undici-request"

/** The Effect floor of each shape: raw undici in `Effect.tryPromise`, the least an Effect client can cost. */
export const FLOOR: Record<Shape, string> = { workers: "effect-floor", each: "effect-floor-each" }

export const undiciAgent = (concurrency: number) => new Agent({ connections: concurrency, keepAliveTimeout: 60_000 })

export const expectOk = (status: number) => {
  if (status !== 200) throw new Error(`unexpected status ${status}`)
}

/** `GET /` with raw undici: status checked, JSON body parsed. */
const undiciGet = (agent: Agent, origin: string) => async (): Promise<unknown> => {
  const { statusCode, body } = await agent.request({ origin, path: "/", method: "GET" })
  if (statusCode !== 200) {
    await body.dump()
    expectOk(statusCode)
  }
  return body.json()
}

export const promiseInstance = (
  send: () => Promise<unknown>,
  concurrency: number,
  close: () => Promise<void>
): Instance => ({ run: (bound) => drivePromise(send, concurrency, bound), close })

/**
 * An Effect client: `send` runs on a runtime built from `layer` (plus the
 * line's quiet logger: Effect's default logger removed, so log lines cost
 * their formatting, not terminal I/O) before any measurement; with tracing
 * "off" the whole run is wrapped in `Effect.withTracerEnabled(false)` (what
 * `Layer.setTracerEnabled(false)` does).
 */
export const effectInstance = async <E, R>(
  layer: Layer.Layer<R>,
  send: Effect.Effect<unknown, E, R>,
  concurrency: number,
  tracing: "on" | "off",
  close: () => Promise<void>,
  shape: Shape = "workers"
): Promise<Instance> => {
  const runtime = ManagedRuntime.make(Layer.merge(layer, quietLogger))
  await runtime.runPromise(Effect.void)
  const runPromise = (effect: Effect.Effect<void, never, R>) =>
    runtime.runPromise(tracing === "off" ? Effect.withTracerEnabled(effect, false) : effect)
  return {
    run: (bound) =>
      shape === "each"
        ? driveEffectEach(send, concurrency, bound, runPromise)
        : driveEffect(send, concurrency, bound, runPromise),
    close: async () => {
      await runtime.dispose()
      await close()
    }
  }
}

/** Raw undici `Agent.request()`: the reference. */
export const undiciReference: ClientSpec = {
  id: REFERENCE,
  name: "undici Agent.request",
  tracing: undefined,
  describe: "`agent.request({ origin, path, method })`, `body.json()`; undici Agent, `connections` = concurrency",
  make: async (origin, concurrency) => {
    const agent = undiciAgent(concurrency)
    return promiseInstance(undiciGet(agent, origin), concurrency, () => agent.close())
  }
}

/**
 * The Effect floor: raw undici wrapped in `Effect.tryPromise`, in the given
 * shape. What any Effect client costs at the least; steadfast's ratios to it
 * are the cost of steadfast itself.
 */
export const effectFloor = (shape: Shape): ClientSpec => ({
  id: FLOOR[shape],
  name: shape === "each" ? "Effect floor (fiber/request)" : "Effect floor",
  tracing: "off",
  shape,
  describe: "`Effect.tryPromise(() => agent.request(…).then(body.json))`, raw undici Agent" +
    (shape === "each" ? ", a fiber per request (`Effect.forEach`)" : ", worker fibers"),
  make: async (origin, concurrency) => {
    const agent = undiciAgent(concurrency)
    const send = Effect.tryPromise(undiciGet(agent, origin))
    return effectInstance(Layer.empty, send, concurrency, "off", () => agent.close(), shape)
  }
})
