/**
 * The targets of the performance issue decided over several sessions of one
 * run: each session's ratio per target (paired with the floor or raw undici
 * measured in that session), their median and spread, and met or missed by
 * the median. One run's ratio straddles the targets' lines by chance
 * (bench/PROFILES.md, "How far one run decides the targets"), so the
 * decision reads the median of sessions. Pure: tested in bench/test.
 */
import type { Row } from "./figures.js"
import { formatRatio, mdRow, meets, type Spread, spread } from "./stats.js"
import { checkTargets, type Target, targets } from "./targets.js"

/** One target over the sessions of a run. */
export interface TargetSpread extends Spread {
  readonly target: Target
  /** Each session's ratio, in session order (`NaN` where that session did not measure it). */
  readonly sessions: ReadonlyArray<number>
  /** Met or missed by the median; `undefined` when no session measured it. */
  readonly met: boolean | undefined
  /** How many sessions, taken alone, meet the target. */
  readonly sessionsMet: number
}

/** The clients a session runs at one concurrency, by id and display name. */
export interface SessionClients {
  readonly concurrency: number
  readonly names: ReadonlyArray<string>
}

/** How the targets were decided in a run: the sessions' plan and each target's spread. */
export interface TargetSessions {
  /** Sessions run (each with fresh clients, warmed up). */
  readonly sessions: number
  /** Interleaved repetitions per session; a session's ratio is the median of its paired ratios. */
  readonly repetitions: number
  readonly clients: ReadonlyArray<SessionClients>
  readonly results: ReadonlyArray<TargetSpread>
}

/** Each target's spread over `sessions`, each session given as the rows it measured. */
export const spreadTargets = (
  sessions: ReadonlyArray<ReadonlyArray<Row>>,
  list: ReadonlyArray<Target> = targets
): ReadonlyArray<TargetSpread> => {
  const perSession = sessions.map((rows) => checkTargets(rows, list))
  return list.map((target, i): TargetSpread => {
    const values = perSession.map((results) => results[i]!.measured)
    const s = spread(values)
    return {
      ...s,
      target,
      sessions: values,
      met: meets(s.median, target.target, target.direction),
      sessionsMet: values.filter((v) => meets(v, target.target, target.direction) === true).length
    }
  })
}

const sign = (t: Target) => t.direction === "at-most" ? "≤" : "≥"

const verdict = (r: TargetSpread) => r.met === undefined ? "not measured" : r.met ? "meets" : "misses"

const range = (r: TargetSpread) => r.count === 0 ? "–" : `${formatRatio(r.min)}–${formatRatio(r.max)}`

/**
 * The Targets section (Markdown; the console prints it without the bold
 * marks): how the sessions ran, then per target its line, the median, the
 * spread, every session's ratio, how many sessions alone meet it, and the
 * verdict of the median.
 */
export const renderTargetSessions = (figures: TargetSessions): string => {
  const header = ["target", "line", "median", "min–max", "sessions", "sessions within", "by the median"]
  const align = ["---", "---", "---:", "---:", "---", "---:", "---"]
  const body = figures.results.map((r) => {
    const of = r.target.against === "floor" ? "the Effect floor" : "raw undici"
    return mdRow([
      `${r.target.label} at c=${r.target.concurrency}, x ${of}`,
      `${sign(r.target)} ${r.target.target}x`,
      `**${formatRatio(r.median)}**`,
      range(r),
      r.sessions.map(formatRatio).join(" "),
      `${r.sessionsMet} of ${r.sessions.length}`,
      `**${verdict(r)}**`
    ])
  })
  const clients = figures.clients.map((c) => `c=${c.concurrency}: ${c.names.join(", ")}`).join("; ")
  return [
    `Decided by the median of ${figures.sessions} session${figures.sessions === 1 ? "" : "s"} in this run. ` +
    `Each session builds fresh clients for the target rows only (${clients}), warms them up and runs them ` +
    `interleaved, ${figures.repetitions} repetition${figures.repetitions === 1 ? "" : "s"}; its ratio is the median ` +
    "of its paired ratios to the Effect floor or raw undici measured in that same session. min–max is the spread " +
    "over the sessions; a range that straddles the line is one a single session meets or misses by chance.",
    "",
    mdRow(header),
    mdRow(align),
    ...body
  ].join("\n")
}
