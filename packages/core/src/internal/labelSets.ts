/**
 * The label sets of the request duration histogram, one array per
 * combination of method, origin, status and error type: the metric caches
 * its hook by the array, so a combination must get the same array each time.
 *
 * A client mostly sends one method to one origin, and each status comes
 * with one error type: the set used last with the status is compared field
 * by field first (no key built), then the sets seen so far are looked up by
 * a key (bounded: past the bound, a new combination gets a new array each
 * time, and is not remembered).
 *
 * @internal
 */
import type * as MetricLabel from "#line/MetricLabel"

/** @internal */
export type Labels = ReadonlyArray<MetricLabel.MetricLabel>

const MAX_LABEL_SETS = 512

interface Last {
  readonly method: string
  readonly origin: string
  readonly error: string | undefined
  readonly labels: Labels
}

/** @internal */
export class LabelSets {
  private readonly byKey = new Map<string, Labels>()
  /** Per status (a number, or `undefined` without a response): the set used last with it. */
  private readonly lastByStatus = new Map<number | undefined, Last>()

  /** The combinations kept by key. */
  get size(): number {
    return this.byKey.size
  }

  /** The set for this combination: the one used before, or `make(url)`'s (kept while under the bound). */
  get<U>(
    method: string,
    origin: string,
    status: number | undefined,
    error: string | undefined,
    url: U,
    make: (method: string, url: U, status: number | undefined, error: string | undefined) => Labels
  ): Labels {
    const last = this.lastByStatus.get(status)
    if (last !== undefined && origin === last.origin && method === last.method && error === last.error) {
      return last.labels
    }
    const key = `${method} ${origin} ${status} ${error}`
    let labels = this.byKey.get(key)
    if (labels === undefined) {
      labels = make(method, url, status, error)
      if (this.byKey.size >= MAX_LABEL_SETS) return labels
      this.byKey.set(key, labels)
    }
    this.lastByStatus.set(status, { method, origin, error, labels })
    return labels
  }
}
