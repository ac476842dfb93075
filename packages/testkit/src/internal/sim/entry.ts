/**
 * What the simulated network records of an attempt: the mutable `Entry`
 * behind an `AttemptRecord` snapshot, its url and headers redacted only when
 * someone reads it (and each distinct url and headers object once).
 *
 * @internal
 */
import { Redact } from "@steadfast/core"
import type { Fault } from "../../Fault.js"
import type { AttemptRecord, Outcome } from "../../SimulatedNetwork.js"
import { fingerprint } from "../fingerprint.js"

const pending: Outcome = { _tag: "Pending" }

/** The mutable record behind an `AttemptRecord` snapshot; redaction waits until someone reads it. */
export class Entry {
  endedAt: number | undefined = undefined
  outcome: Outcome = pending
  private redacted: { readonly url: string; readonly headers: Readonly<Record<string, string>> } | undefined
  private prints: Readonly<Record<string, string>> | undefined
  constructor(
    readonly seq: number,
    readonly at: number,
    readonly method: string,
    /** The url as sent (not redacted). */
    private readonly href: string,
    /** The headers as sent (not redacted). */
    private readonly sent: Readonly<Record<string, string>>,
    readonly route: string,
    readonly step: number,
    readonly fault: Fault["_tag"],
    /** The client's own secret header names (`Transport.Attempt.sensitiveHeaders`), redacted too. */
    private readonly secretNames: ReadonlySet<string> | undefined = undefined
  ) {}
  /** The value of a header as sent: for checks that never show it. */
  sentHeader(name: string): string | undefined {
    const wanted = name.toLowerCase()
    for (const key in this.sent) if (key.toLowerCase() === wanted) return this.sent[key]
    return undefined
  }
  snapshot(): AttemptRecord {
    const redacted = this.redacted ??= {
      url: redactedUrl(this.href),
      headers: redactedHeaders(this.sent, this.secretNames).headers
    }
    this.prints ??= redactedHeaders(this.sent, this.secretNames).prints
    return {
      seq: this.seq,
      at: this.at,
      endedAt: this.endedAt,
      method: this.method,
      url: redacted.url,
      headers: redacted.headers,
      fingerprints: this.prints,
      route: this.route,
      step: this.step,
      fault: this.fault,
      outcome: this.outcome
    }
  }
}

/**
 * Redacted urls and headers, computed once per distinct url and headers
 * object: a test sending one request a thousand times (with its retries)
 * reads a timeline of thousands of records with the same url and headers.
 */
const urls = new Map<string, string>()
const redactedUrl = (href: string): string => {
  let url = urls.get(href)
  if (url === undefined) {
    if (urls.size >= 1024) urls.clear()
    url = Redact.url(href)
    urls.set(href, url)
  }
  return url
}
interface RedactedHeaders {
  readonly headers: Readonly<Record<string, string>>
  /** Fingerprints of the values redaction hid. */
  readonly prints: Readonly<Record<string, string>>
  /** The client's secret names this was computed with. */
  readonly secretNames: ReadonlySet<string> | undefined
}
const headerRedactions = new WeakMap<object, RedactedHeaders>()
const redactedHeaders = (
  sent: Readonly<Record<string, string>>,
  secretNames: ReadonlySet<string> | undefined
): RedactedHeaders => {
  let redacted = headerRedactions.get(sent)
  if (redacted === undefined || redacted.secretNames !== secretNames) {
    const headers = Redact.headers(sent, secretNames)
    const prints: Record<string, string> = {}
    for (const key in headers) {
      const value = sent[key]
      if (value !== undefined && headers[key] !== value) prints[key] = fingerprint(value)
    }
    redacted = { headers, prints, secretNames }
    headerRedactions.set(sent, redacted)
  }
  return redacted
}
