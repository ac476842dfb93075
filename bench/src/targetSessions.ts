/**
 * The targets phase of a run: after the main table, `sessions` sessions of
 * only the rows the targets need (each target's client and its ratio's
 * denominator: the Effect floor of the client's shape, or raw undici), each
 * session with fresh clients, warmed up, interleaved as the main table is
 * (`measure.ts`), its ratios paired with the denominator measured in that
 * session. `targetSpread.ts` decides the targets by the median of the sessions.
 */
import { type ClientSpec, FLOOR, REFERENCE } from "./base.js"
import type { Row } from "./figures.js"
import { measureConcurrency, rowsOf, type TablePlan } from "./measure.js"
import { formatRatio, rotated } from "./stats.js"
import { type Target, targets } from "./targets.js"
import { spreadTargets, type TargetSessions } from "./targetSpread.js"

/** The client ids a session runs at one concurrency: each denominator first, then the targets' clients. */
export interface SessionGroup {
  readonly concurrency: number
  readonly ids: ReadonlyArray<string>
}

/**
 * Which clients a session runs, by concurrency (ascending): for each target
 * its client and the denominator of its ratio (raw undici, or the Effect
 * floor of the client's shape, read by `shapeOf`), each id once.
 */
export const sessionGroups = (
  list: ReadonlyArray<Target>,
  shapeOf: (id: string) => ClientSpec["shape"]
): ReadonlyArray<SessionGroup> => {
  const byConcurrency = new Map<number, { denominators: Set<string>; clients: Set<string> }>()
  for (const t of list) {
    const group = byConcurrency.get(t.concurrency) ?? { denominators: new Set(), clients: new Set() }
    byConcurrency.set(t.concurrency, group)
    const shape = shapeOf(t.clientId)
    if (t.against === "undici") group.denominators.add(REFERENCE)
    else if (shape !== undefined) group.denominators.add(FLOOR[shape])
    group.clients.add(t.clientId)
  }
  return [...byConcurrency.entries()].sort(([a], [b]) => a - b).map(([concurrency, g]) => ({
    concurrency,
    ids: [...new Set([...g.denominators, ...g.clients])]
  }))
}

/** What the targets phase measured: the decision's figures and every session's rows (to report broken rows). */
export interface TargetPhase {
  readonly figures: TargetSessions
  readonly rows: ReadonlyArray<ReadonlyArray<Row>>
}

/**
 * Runs `sessions` sessions of the target rows of `specs` against `origin`,
 * each session running every group of {@link sessionGroups} with
 * `repetitions` interleaved repetitions (the main table's bounds and
 * warm-up); the clients' order rotates from session to session.
 */
export const measureTargetSessions = async (
  origin: string,
  specs: ReadonlyArray<ClientSpec>,
  plan: TablePlan & { readonly sessions: number },
  gc: () => void,
  log: (line: string) => void,
  list: ReadonlyArray<Target> = targets
): Promise<TargetPhase> => {
  const specOf = (id: string) => specs.find((s) => s.id === id)
  const groups = sessionGroups(list, (id) => specOf(id)?.shape).map((g) => ({
    concurrency: g.concurrency,
    specs: g.ids.map((id) => {
      const spec = specOf(id)
      if (spec === undefined) {
        throw new Error(`the targets name the client "${id}", which is not among the bench's clients (clients.ts)`)
      }
      return spec
    })
  }))
  const rows: Array<ReadonlyArray<Row>> = []
  for (let session = 0; session < plan.sessions; session++) {
    const started = performance.now()
    const sessionRows: Array<Row> = []
    for (const g of groups) {
      const order = rotated(g.specs, session)
      const slots = await measureConcurrency(origin, order, g.concurrency, plan, gc, () => {})
      sessionRows.push(...rowsOf(slots, g.concurrency))
    }
    rows.push(sessionRows)
    const values = spreadTargets([sessionRows], list).map((r) => formatRatio(r.median))
    const seconds = ((performance.now() - started) / 1000).toFixed(0)
    log(`  targets session ${session + 1}/${plan.sessions} (${seconds} s): ${values.join(", ")}`)
  }
  return {
    figures: {
      sessions: plan.sessions,
      repetitions: plan.repetitions,
      clients: groups.map((g) => ({ concurrency: g.concurrency, names: g.specs.map((s) => s.name) })),
      results: spreadTargets(rows, list)
    },
    rows
  }
}
