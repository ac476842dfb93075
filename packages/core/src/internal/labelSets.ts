/**
 * The label sets of the request duration histogram, one array per
 * combination of method, origin, status and error type: the metric caches
 * its hook by the array, so a combination must get the same array each time.
 *
 * A client mostly sends one method to one origin and gets one status back:
 * the set used last is compared field by field first (no key built), then
 * the sets seen so far are looked up by a key (bounded).
 *
 * @internal
 */
import type * as MetricLabel from "#line/MetricLabel"

/** @internal */
export type Labels = ReadonlyArray<MetricLabel.MetricLabel>

const MAX_LABEL_SETS = 512

/** @internal */
export class LabelSets {
  private readonly byKey = new Map<string, Labels>()
  private method = ""
  private origin = ""
  private status: number | undefined = undefined
  private error: string | undefined = undefined
  private last: Labels | undefined = undefined

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
    const last = this.last
    if (
      last !== undefined && status === this.status && origin === this.origin && method === this.method &&
      error === this.error
    ) return last
    const key = `${method} ${origin} ${status} ${error}`
    let labels = this.byKey.get(key)
    if (labels === undefined) {
      labels = make(method, url, status, error)
      if (this.byKey.size < MAX_LABEL_SETS) this.byKey.set(key, labels)
    }
    this.method = method
    this.origin = origin
    this.status = status
    this.error = error
    this.last = labels
    return labels
  }
}
