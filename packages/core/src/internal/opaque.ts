/**
 * A browser's fetch hides why it failed: what the page can see instead, and
 * what that says (the rules are documented on `Classify.judgeOpaque`).
 *
 * @internal
 */
import type * as Errors from "../Errors.js"

/** @internal */
export const OPAQUE_NETWORK = "ERR_STEADFAST_OPAQUE_NETWORK"

/** @internal */
export const OPAQUE_REDIRECT = "ERR_STEADFAST_OPAQUE_REDIRECT"

/** @internal */
export interface OpaqueFacts {
  /** `navigator.onLine` when the fetch failed (`undefined` where there is none). */
  readonly online: boolean | undefined
  /** The url's origin is not the page's. */
  readonly crossOrigin: boolean
  /** An http url from an https page (not loopback): the browser blocks it before sending. */
  readonly mixedContent: boolean
  /**
   * For a cross-origin url: whether the server answered a no-cors probe
   * (`HEAD`, no credentials, no custom headers) sent after the failure;
   * `undefined` when no probe was sent.
   */
  readonly serverAnswered: boolean | undefined
  /** Why the request needed a CORS preflight (the method, header names); empty when it did not. */
  readonly preflight: ReadonlyArray<string>
}

/** @internal */
export const judgeOpaque = (
  facts: OpaqueFacts
): { readonly likely: Errors.OpaqueCause; readonly requestSent: boolean | "unknown" } => {
  if (facts.online === false) return { likely: "offline", requestSent: false }
  if (facts.mixedContent) return { likely: "mixed-content", requestSent: false }
  if (!facts.crossOrigin) return { likely: "unreachable", requestSent: "unknown" }
  if (facts.serverAnswered === true) {
    return { likely: "cors", requestSent: facts.preflight.length === 0 ? true : "unknown" }
  }
  if (facts.serverAnswered === false) return { likely: "unreachable", requestSent: "unknown" }
  return { likely: "unknown", requestSent: "unknown" }
}

/** A fetch `TypeError` message of Chromium, Firefox, Safari or Node (whose cause may say more). @internal */
export const FETCH_FAILED = /failed to fetch|networkerror|load failed|fetch failed|network error/i

/** The first object in the `cause` chain with `code`, at most 16 deep. @internal */
export const findCode = (root: unknown, code: string): Record<string, unknown> | undefined => {
  let u = root
  for (let i = 0; i < 16 && typeof u === "object" && u !== null; i++) {
    const o = u as Record<string, unknown>
    if (o["code"] === code) return o
    u = o["cause"]
  }
  return undefined
}

/** The `description` of an opaque failure. @internal */
export const describe = (facts: OpaqueFacts | undefined, message: string): string =>
  `the browser hides the cause (${message || "TypeError"})` +
  (facts !== undefined && facts.preflight.length > 0
    ? `; the request needs a CORS preflight because of ${facts.preflight.join(", ")}`
    : "")
