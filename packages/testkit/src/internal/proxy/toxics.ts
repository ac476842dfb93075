/**
 * Toxics in Toxiproxy's JSON form (`{ name, type, stream, toxicity,
 * attributes }`) and back, with Toxiproxy's units: milliseconds for
 * `latency`, `jitter`, `delay` and `timeout`, KB/s (1000 bytes) for
 * `bandwidth`'s `rate`, microseconds for `slicer`'s `delay`.
 *
 * @internal
 */
import * as Duration from "@steadfast/core/line/Duration"
import type { Direction, Toxic, ToxicCommon, ToxicOptions } from "./toxic.js"

/** A toxic as Toxiproxy's API shows it. */
export interface ToxicJson {
  readonly name: string
  readonly type: string
  readonly stream: Direction
  readonly toxicity: number
  readonly attributes: Readonly<Record<string, number>>
}

/** A request the API refuses: its status and Toxiproxy's message. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

/** The toxic types Toxiproxy knows, with their attributes and defaults. */
const types: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  latency: { latency: 0, jitter: 0 },
  bandwidth: { rate: 0 },
  slow_close: { delay: 0 },
  timeout: { timeout: 0 },
  reset_peer: { timeout: 0 },
  slicer: { average_size: 0, size_variation: 0, delay: 0 },
  limit_data: { bytes: 0 }
}

const invalidType = () => new ApiError(400, "invalid toxic type")

const attributesOf = (
  type: string,
  given: unknown,
  base?: Readonly<Record<string, number>>
): Record<string, number> => {
  const defaults = types[type]
  if (defaults === undefined) throw invalidType()
  const out: Record<string, number> = { ...defaults, ...base }
  if (given === undefined || given === null) return out
  if (typeof given !== "object" || Array.isArray(given)) {
    throw new ApiError(400, "bad request body: attributes must be an object")
  }
  for (const [key, value] of Object.entries(given as Record<string, unknown>)) {
    if (!(key in defaults)) continue // Toxiproxy ignores unknown attributes
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new ApiError(400, `bad request body: attribute ${key} must be a number`)
    }
    out[key] = value
  }
  return out
}

const toxicityOf = (u: unknown, fallback: number): number => {
  if (u === undefined || u === null) return fallback
  if (typeof u !== "number" || !(u >= 0 && u <= 1)) {
    throw new ApiError(400, "bad request body: toxicity must be in [0, 1]")
  }
  return u
}

/** Validates a toxic to create (Toxiproxy's defaults: `downstream`, toxicity 1, name `<type>_<stream>`). */
export const parseNew = (body: unknown): ToxicJson => {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ApiError(400, "bad request body: expected a JSON object")
  }
  const b = body as Record<string, unknown>
  const stream = b["stream"] ?? "downstream"
  if (stream !== "upstream" && stream !== "downstream") {
    throw new ApiError(400, "stream was invalid, can be either upstream or downstream")
  }
  const type = typeof b["type"] === "string" ? b["type"] : ""
  if (types[type] === undefined) throw invalidType()
  const name = typeof b["name"] === "string" && b["name"] !== "" ? b["name"] : `${type}_${stream}`
  return {
    name,
    type,
    stream,
    toxicity: toxicityOf(b["toxicity"], 1),
    attributes: attributesOf(type, b["attributes"])
  }
}

/** An update: new attributes over the old ones, and the toxicity. */
export const parseUpdate = (current: ToxicJson, body: unknown): ToxicJson => {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ApiError(400, "bad request body: expected a JSON object")
  }
  const b = body as Record<string, unknown>
  return {
    ...current,
    toxicity: toxicityOf(b["toxicity"], current.toxicity),
    attributes: attributesOf(current.type, b["attributes"], current.attributes)
  }
}

const ms = (n: number) => Duration.millis(Math.max(0, n))

/** The FaultProxy toxic a Toxiproxy toxic stands for. */
export const toToxic = (json: ToxicJson): Toxic => {
  const common = { name: json.name, direction: json.stream, toxicity: json.toxicity }
  const a = json.attributes
  switch (json.type) {
    case "latency":
      return { _tag: "Latency", ...common, latency: ms(a["latency"]!), jitter: ms(a["jitter"]!) }
    case "bandwidth":
      // Toxiproxy passes everything at a rate <= 0
      return a["rate"]! > 0
        ? { _tag: "Bandwidth", ...common, bytesPerSecond: a["rate"]! * 1000 }
        : { _tag: "Latency", ...common, latency: Duration.zero, jitter: Duration.zero }
    case "slow_close":
      return { _tag: "SlowClose", ...common, delay: ms(a["delay"]!) }
    case "timeout":
      return { _tag: "Timeout", ...common, timeout: ms(a["timeout"]!) }
    case "reset_peer":
      return { _tag: "ResetPeer", ...common, timeout: ms(a["timeout"]!) }
    case "slicer":
      return {
        _tag: "Slicer",
        ...common,
        averageSize: Math.max(1, Math.floor(a["average_size"]!)),
        sizeVariation: Math.max(0, Math.floor(a["size_variation"]!)),
        delay: Duration.micros(BigInt(Math.max(0, Math.floor(a["delay"]!))))
      }
    case "limit_data":
      return { _tag: "LimitData", ...common, bytes: Math.max(0, Math.floor(a["bytes"]!)) }
    default:
      throw invalidType()
  }
}

/** The name, direction and toxicity of a toxic built by a FaultProxy constructor. */
export const common = (kind: string, options: ToxicOptions | undefined): ToxicCommon => {
  const direction = options?.direction ?? "downstream"
  const toxicity = options?.toxicity ?? 1
  if (!(toxicity >= 0 && toxicity <= 1)) {
    throw new RangeError(`FaultProxy: toxicity must be in [0, 1] (got ${toxicity})`)
  }
  return { name: options?.name ?? `${kind}_${direction}`, direction, toxicity }
}

/** `n`, or a RangeError naming `what`. */
export const nonNegative = (what: string, n: number): number => {
  if (!(n >= 0) || !Number.isFinite(n)) {
    throw new RangeError(`FaultProxy: ${what} must be a finite number >= 0 (got ${n})`)
  }
  return n
}
