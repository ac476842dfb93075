/**
 * What the tour returns: per section its rows, checks and blocks of text,
 * in the order `main.ts` prints them.
 */
import type { Effect } from "effect"
import type { Policies } from "./sections/policies.js"
import type { RateLimits } from "./sections/rateLimits.js"
/**
 * One request of a table: what the server was told to do, the outcome the
 * tour expects and the one it saw.
 */
export interface Row {
  /** What the server did (or, for timeouts, which limit should fire). */
  readonly label: string
  /** The expected `_tag`, or `"success"`. */
  readonly expected: string
  /** The `_tag` seen, or `"success"`. */
  readonly actual: string
  /** The expected detail of the error (reason, phase…), `""` when none. */
  readonly expectedDetail: string
  /** The detail seen (a `TlsError`'s reason, a `ConnectionReset`'s phase…), `""` when none. */
  readonly detail: string
  /** Attempts the client made. */
  readonly attempts: number
  /** Wall-clock time of the request, in milliseconds. */
  readonly elapsedMs: number
  /** The time limit that should have fired, when the row is about one. */
  readonly limitMs: number | undefined
  /** The error's message (what happened, to which request, how to fix it). */
  readonly message: string | undefined
  readonly ok: boolean
  /** Why the row is not ok, when it is not. */
  readonly problem: string | undefined
}

/** Something a section expects, and what it saw. */
export interface Check {
  readonly what: string
  readonly expected: string
  readonly actual: string
  readonly ok: boolean
}

/** A piece of a section, in the order the tour wants it told. */
export type Block =
  /** Context: what the server is scripted to do, what comes next; `indent` is a nesting level. */
  | { readonly _tag: "Text"; readonly text: string; readonly indent: number }
  | { readonly _tag: "Rows"; readonly header: string; readonly rows: ReadonlyArray<Row> }
  | { readonly _tag: "Check"; readonly check: Check }
  /** Lines the client logged (its retry log), the request's `METHOD url: ` prefix left out. */
  | { readonly _tag: "Log"; readonly lines: ReadonlyArray<string> }
  /** A message of an error, shown in full. */
  | { readonly _tag: "Message"; readonly text: string }

/** The sections, in order. */
export type SectionId =
  | "classification"
  | "retries"
  | "timeouts"
  | "post"
  | "redirects"
  | "pool"
  | "rate-limits"
  | "policies"

/** One section of the tour. */
export interface Section<Id extends SectionId = SectionId, Data = unknown> {
  readonly id: Id
  readonly title: string
  readonly blocks: ReadonlyArray<Block>
  /** Every row and check went as expected. */
  readonly ok: boolean
  readonly elapsedMs: number
  readonly data: Data
}

/** The rows of a section. */
export const rowsOf = (section: Section): ReadonlyArray<Row> =>
  section.blocks.flatMap((b) => b._tag === "Rows" ? b.rows : [])

/** The checks of a section. */
export const checksOf = (section: Section): ReadonlyArray<Check> =>
  section.blocks.flatMap((b) => b._tag === "Check" ? [b.check] : [])

/** A snapshot of the pool's connections to the fault server's origin. */
export interface PoolSnapshot {
  readonly connected: number
  readonly free: number
  readonly pending: number
  readonly running: number
  readonly size: number
}

export type Classification = Section<"classification", { readonly rows: ReadonlyArray<Row> }>

export type Retries = Section<"retries", {
  readonly flaky: {
    /** What the client returned. */
    readonly body: unknown
    /** Requests the server received, each with what it played. */
    readonly received: ReadonlyArray<{ readonly atMs: number; readonly played: string }>
    /** The pause before the last attempt (the server asked for 1 s). */
    readonly retryAfterWaitMs: number
    readonly elapsedMs: number
  }
  readonly dead: {
    readonly tag: string
    readonly attempts: number
    readonly waitsMs: ReadonlyArray<number>
    readonly deadlineMs: number
    readonly elapsedMs: number
  }
}>

export type Timeouts = Section<"timeouts", { readonly rows: ReadonlyArray<Row> }>

export type Post = Section<"post", {
  readonly plain: {
    readonly tag: string
    readonly attempts: number
    readonly requestSent: boolean
    readonly received: number
  }
  readonly keyed: { readonly body: unknown; readonly received: number }
}>

export type Redirects = Section<"redirects", {
  readonly forwarded: { readonly url: string; readonly authorization: string | undefined }
  readonly downgrade: Row
}>

export type PoolTour = Section<"pool", {
  readonly connections: number
  /** During a burst of slow requests. */
  readonly busy: PoolSnapshot
  /** The gauges (`Pool.connected`, …, Effect metrics) read at the same moment. */
  readonly busyGauges: PoolSnapshot
  /** After the burst. */
  readonly idle: PoolSnapshot
  readonly throughput: { readonly requests: number; readonly concurrency: number; readonly elapsedMs: number }
  /** After the throughput run. */
  readonly afterThroughput: PoolSnapshot
  readonly stale: { readonly body: string; readonly received: number; readonly staleResends: number }
  /** Right before the pool closes. */
  readonly final: PoolSnapshot
  /** Sockets the fault server still had open once the pool's scope closed. */
  readonly openSocketsAfterClose: number
  readonly connectedGaugeAfterClose: number
}>

/** What {@link tour} returns. */
export interface Result {
  readonly server: { readonly https: string; readonly http: string }
  readonly classification: Classification
  readonly retries: Retries
  readonly timeouts: Timeouts
  readonly post: Post
  readonly redirects: Redirects
  readonly pool: PoolTour
  readonly rateLimits: RateLimits
  readonly policies: Policies
  readonly sections: ReadonlyArray<Section>
  /** Every section went as expected. */
  readonly ok: boolean
  readonly elapsedMs: number
}

export interface Options {
  /** Called with each section as soon as it is done (to print as the tour goes). */
  readonly onSection?: ((section: Section) => Effect.Effect<void>) | undefined
  /** Requests of the throughput run of the pool section. @default 400 */
  readonly requests?: number | undefined
}
