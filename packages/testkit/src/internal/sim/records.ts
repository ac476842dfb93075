/**
 * How an attempt record reads in a line of text (`SimulatedNetwork.format`,
 * the hint of a test stuck in virtual time).
 *
 * @internal
 */
import type { AttemptRecord } from "../../SimulatedNetwork.js"

/** @internal */
export const outcomeLabel = (record: AttemptRecord): string => {
  const o = record.outcome
  switch (o._tag) {
    case "Pending":
      return "pending"
    case "Response":
      return String(o.status)
    case "Failed":
      return o.phase === "body" ? `${o.code} (body)` : o.code
    case "Aborted":
      return `aborted: ${o.reason}`
  }
}

/** @internal */
export const formatRecord = (record: AttemptRecord): string =>
  `#${record.seq} +${record.at}ms ${record.method} ${record.url} [${record.fault}] -> ${outcomeLabel(record)}`
