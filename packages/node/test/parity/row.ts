// A row of the parity table (Parity.test.ts): one scenario, what both networks
// must give, and the shared options and routes rows are built from.
import { Client, type Timeouts } from "@steadfast/core"
import { type Fault as FaultT, Reply, Scenario } from "@steadfast/testkit"

export const timeouts: Timeouts.Input = {
  connect: "250 millis",
  response: "500 millis",
  bodyIdle: "300 millis",
  deadline: "5 seconds"
}

export const noRetries: Client.Options = { retry: { retries: 0 }, timeouts }

/** Retries with fixed, jitter-free delays, so both sides wait the same. */
export const retries = (n: number): Client.Options => ({
  retry: { retries: n, backoff: { base: "20 millis", factor: 1, jitter: "none" } },
  timeouts
})

export type Read = "text" | "json" | "bytes"

export interface Row {
  readonly name: string
  /** The vocabulary constructors the row exercises (checked for coverage below). */
  readonly uses: ReadonlyArray<string>
  /** The scenario; `start` is when both sides start (epoch ms, a whole second), for HTTP dates. */
  readonly scenario: (start: number) => Scenario.Scenario
  /** The expected `_tag`, `"Success"` for a success. */
  readonly tag: string
  /** The fields expected on both sides (a subset of the summary's `fields`), when worth stating. */
  readonly fields?: Readonly<Record<string, unknown>>
  /** The requests both networks are expected to see (redirect hops and retries included). @default 1 */
  readonly wire?: number
  readonly scheme?: "http" | "https"
  readonly method?: "GET" | "POST"
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  /** @default "text" */
  readonly read?: Read
  /** @default no retries */
  readonly options?: Client.Options
  /** Connections per origin on sockets. @default the pool's default */
  readonly connections?: number
  /**
   * An explicit exception: what the socket half gives instead, and why the
   * two cannot agree. Both halves are still checked, each against its own
   * expectation.
   */
  readonly onSockets?: {
    readonly tag: string
    readonly fields?: Readonly<Record<string, unknown>>
    readonly wire: number
    readonly why: string
  }
}

/** One route `GET /fault` (or `POST /fault`) with one step, plus what redirects point to. */
export const single = (fault: FaultT, method: "GET" | "POST" = "GET") => () =>
  Scenario.make({
    [`${method} /fault`]: Scenario.sequence([fault], { after: "fail" }),
    ...targets
  })

export const targets = {
  "GET /target": Scenario.sequence([Reply.text(200, "target")], { after: "repeat-last" }),
  // in memory every origin is routed by path; on sockets the secondary
  // origin echoes by itself and this route serves only the primary
  "* /echo": Scenario.sequence([Reply.echo()], { after: "repeat-last" })
}

export const steps = (...faults: ReadonlyArray<FaultT>) => () =>
  Scenario.make({ "GET /fault": Scenario.sequence(faults, { after: "fail" }), ...targets })

export const text64 = Reply.text(200, "x".repeat(64))
export const binary = new Uint8Array([0, 1, 2, 127, 128, 254, 255, 13, 10])
export const secrets = { authorization: "Bearer s3cret", cookie: "session=abc", "x-keep": "kept" }
