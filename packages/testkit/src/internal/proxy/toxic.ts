/**
 * The toxics a FaultProxy applies (see FaultProxy.ts for what each does on
 * the wire): their data and their constructors, which check the options and
 * decode the durations.
 */
import * as Duration from "@steadfast/core/line/Duration"
import { common, nonNegative } from "./toxics.js"

/**
 * Which way a toxic acts: `"upstream"` is client → server, `"downstream"` is
 * server → client.
 *
 * @since 0.1.0
 */
export type Direction = "upstream" | "downstream"

/**
 * What every toxic has.
 *
 * @since 0.1.0
 */
export interface ToxicCommon {
  /** Unique per proxy; setting a toxic with a taken name replaces it. */
  readonly name: string
  readonly direction: Direction
  /** Probability, in [0, 1], that the toxic applies to a connection. */
  readonly toxicity: number
}

/**
 * Holds each chunk `latency` ± `jitter` after it arrived.
 *
 * @since 0.1.0
 */
export interface Latency extends ToxicCommon {
  readonly _tag: "Latency"
  readonly latency: Duration.Duration
  readonly jitter: Duration.Duration
}

/**
 * Limits throughput to `bytesPerSecond`.
 *
 * @since 0.1.0
 */
export interface Bandwidth extends ToxicCommon {
  readonly _tag: "Bandwidth"
  readonly bytesPerSecond: number
}

/**
 * Cuts data in slices of `averageSize` ± `sizeVariation` bytes, `delay` apart.
 *
 * @since 0.1.0
 */
export interface Slicer extends ToxicCommon {
  readonly _tag: "Slicer"
  readonly averageSize: number
  readonly sizeVariation: number
  readonly delay: Duration.Duration
}

/**
 * Resets the connection `timeout` after it opened (or after the toxic was added).
 *
 * @since 0.1.0
 */
export interface ResetPeer extends ToxicCommon {
  readonly _tag: "ResetPeer"
  readonly timeout: Duration.Duration
}

/**
 * Drops data; closes the connection after `timeout` unless it is zero.
 *
 * @since 0.1.0
 */
export interface Timeout extends ToxicCommon {
  readonly _tag: "Timeout"
  readonly timeout: Duration.Duration
}

/**
 * Closes the connection once `bytes` bytes have passed.
 *
 * @since 0.1.0
 */
export interface LimitData extends ToxicCommon {
  readonly _tag: "LimitData"
  readonly bytes: number
}

/**
 * Passes the close (FIN) on `delay` late.
 *
 * @since 0.1.0
 */
export interface SlowClose extends ToxicCommon {
  readonly _tag: "SlowClose"
  readonly delay: Duration.Duration
}

/**
 * A toxic.
 *
 * @since 0.1.0
 */
export type Toxic = Latency | Bandwidth | Slicer | ResetPeer | Timeout | LimitData | SlowClose

/**
 * Options every toxic constructor takes.
 *
 * @since 0.1.0
 */
export interface ToxicOptions {
  /** @default `${kind}_${direction}`, e.g. "latency_downstream" (Toxiproxy's naming) */
  readonly name?: string
  /** @default "downstream" (as in Toxiproxy) */
  readonly direction?: Direction
  /** @default 1 */
  readonly toxicity?: number
}

/**
 * Holds each chunk `latency` (± `jitter`, uniform) after it arrived.
 *
 * @since 0.1.0
 */
export const latency = (
  latency: Duration.DurationInput,
  options?: ToxicOptions & {
    /** @default 0 */
    readonly jitter?: Duration.DurationInput
  }
): Latency => ({
  _tag: "Latency",
  ...common("latency", options),
  latency: Duration.decode(latency),
  jitter: Duration.decode(options?.jitter ?? 0)
})

/**
 * Limits throughput to `bytesPerSecond` (Toxiproxy counts KB/s; this is bytes).
 *
 * @since 0.1.0
 */
export const bandwidth = (bytesPerSecond: number, options?: ToxicOptions): Bandwidth => {
  if (!(bytesPerSecond > 0)) throw new RangeError(`FaultProxy: bytesPerSecond must be > 0 (got ${bytesPerSecond})`)
  return { _tag: "Bandwidth", ...common("bandwidth", options), bytesPerSecond }
}

/**
 * Cuts data in slices of `averageSize` ± `sizeVariation` bytes sent `delay` apart.
 *
 * @since 0.1.0
 */
export const slicer = (
  options: ToxicOptions & {
    readonly averageSize: number
    /** @default 0 */
    readonly sizeVariation?: number
    /** @default 0 */
    readonly delay?: Duration.DurationInput
  }
): Slicer => {
  if (!(options.averageSize >= 1)) {
    throw new RangeError(`FaultProxy: averageSize must be >= 1 (got ${options.averageSize})`)
  }
  return {
    _tag: "Slicer",
    ...common("slicer", options),
    averageSize: Math.floor(options.averageSize),
    sizeVariation: Math.floor(nonNegative("sizeVariation", options.sizeVariation ?? 0)),
    delay: Duration.decode(options.delay ?? 0)
  }
}

/**
 * Resets the connection `timeout` after it opened (0: at once).
 *
 * @since 0.1.0
 */
export const resetPeer = (
  options?: ToxicOptions & {
    /** @default 0 */
    readonly timeout?: Duration.DurationInput
  }
): ResetPeer => ({
  _tag: "ResetPeer",
  ...common("reset_peer", options),
  timeout: Duration.decode(options?.timeout ?? 0)
})

/**
 * Drops all data in its direction; with a `timeout` above zero, also closes
 * the connection that long after it opened. With zero the connection hangs
 * until the toxic is removed (data sent meanwhile is lost).
 *
 * @since 0.1.0
 */
export const timeout = (
  options?: ToxicOptions & {
    /** @default 0 (never close) */
    readonly timeout?: Duration.DurationInput
  }
): Timeout => ({ _tag: "Timeout", ...common("timeout", options), timeout: Duration.decode(options?.timeout ?? 0) })

/**
 * Closes the connection once `bytes` bytes have passed in its direction.
 *
 * @since 0.1.0
 */
export const limitData = (bytes: number, options?: ToxicOptions): LimitData => ({
  _tag: "LimitData",
  ...common("limit_data", options),
  bytes: Math.floor(nonNegative("bytes", bytes))
})

/**
 * Passes the close (FIN) on `delay` after it arrived.
 *
 * @since 0.1.0
 */
export const slowClose = (delay: Duration.DurationInput, options?: ToxicOptions): SlowClose => ({
  _tag: "SlowClose",
  ...common("slow_close", options),
  delay: Duration.decode(delay)
})
