/**
 * Glue for undici's dispatch API: header shapes, and failing a request that
 * never reached a dispatcher.
 *
 * @internal
 */
import type { Dispatcher } from "undici"

type Headers = Dispatcher.DispatchOptions["headers"]

const isPairList = (headers: ReadonlyArray<unknown>): boolean => headers.length > 0 && Array.isArray(headers[0])

/** The headers as lower-cased `[name, value]` pairs, whatever shape undici was given. */
export const headerEntries = (headers: Headers): Array<[string, string]> => {
  const out: Array<[string, string]> = []
  const push = (name: unknown, value: unknown) => {
    if (value === undefined || value === null) return
    out.push([String(name).toLowerCase(), Array.isArray(value) ? value.map(String).join(", ") : String(value)])
  }
  if (headers === undefined || headers === null) return out
  if (Array.isArray(headers)) {
    if (isPairList(headers)) {
      for (const pair of headers as unknown as Array<[unknown, unknown]>) push(pair[0], pair[1])
    } else for (let i = 0; i + 1 < headers.length; i += 2) push(headers[i], headers[i + 1])
    return out
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const [name, value] of headers as Iterable<[string, unknown]>) push(name, value)
    return out
  }
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) push(name, value)
  return out
}

/** The pairs as a record; repeated names joined with `, `. */
export const headerRecord = (entries: ReadonlyArray<[string, string]>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of entries) out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`
  return out
}

/** `headers` plus one header, in the same representation undici was given. */
export const withHeader = (headers: Headers, name: string, value: string): Exclude<Headers, undefined> => {
  if (headers === undefined || headers === null) return { [name]: value }
  if (Array.isArray(headers)) {
    return isPairList(headers)
      ? [...(headers as unknown as Array<[string, string]>), [name, value]] as unknown as Exclude<Headers, undefined>
      : [...headers, name, value]
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function") {
    const flat: Array<string> = []
    for (const [n, v] of headerEntries(headers)) flat.push(n, v)
    return [...flat, name, value]
  }
  return { ...(headers as Record<string, string>), [name]: value }
}

/** The controller handed to a handler whose request fails before it is dispatched. */
class NotDispatched implements Dispatcher.DispatchController {
  #reason: Error | null = null
  get aborted(): boolean {
    return this.#reason !== null
  }
  get paused(): boolean {
    return false
  }
  get reason(): Error | null {
    return this.#reason
  }
  abort(reason: Error): void {
    this.#reason ??= reason
  }
  pause(): void {}
  resume(): void {}
}

/** Fails a request that never reached a dispatcher. */
export const failRequest = (handler: Dispatcher.DispatchHandler, error: Error): void => {
  const controller = new NotDispatched()
  controller.abort(error)
  if (handler.onResponseError !== undefined) handler.onResponseError(controller, error)
  else handler.onError?.(error)
}
