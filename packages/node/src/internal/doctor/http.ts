/**
 * The doctor's last step: the request itself, through steadfast's own client
 * (no retries, redirects followed by hand so that each hop is reported).
 *
 * @internal
 */
import { captureLogs } from "#line/logCapture"
import { Client, Redact, Redirects, RetryAfter, Timeouts } from "@steadfast/core"
import * as Duration from "@steadfast/core/line/Duration"
import * as Effect from "@steadfast/core/line/Effect"
import type { HttpMethod } from "@steadfast/core/line/http"
import { HttpClientRequest } from "@steadfast/core/line/http"
import * as Clock from "effect/Clock"
import type * as Doctor from "../../Doctor.js"
import * as NodeClient from "../../NodeClient.js"
import { describe, statusFix, USER_AGENT, type Where } from "./explain.js"
import * as Outcome from "./outcome.js"
import { lowerCaseKeys, stripBrackets } from "./probes.js"

/** What the HTTP step needs from the steps before it. */
export interface HttpInput {
  readonly url: URL
  readonly options: Doctor.Options
  readonly proxyUrl: URL | undefined
  readonly ca: string | undefined
  readonly timeout: Duration.Duration
  readonly where: Where
  /** Failures and warnings are appended to the report's lists. */
  readonly failures: Array<Doctor.Failure>
  readonly warnings: Array<string>
}

/** Sends the request, hop by hop, and returns the hops; failures go to `input.failures`. */
export const httpStep = (input: HttpInput): Effect.Effect<ReadonlyArray<Doctor.Hop>> =>
  Effect.gen(function*() {
    const { ca, failures, options, proxyUrl, timeout, url, warnings, where } = input
    const hops: Array<Doctor.Hop> = []
    const logged: Array<string> = []
    const capture = captureLogs((text) => logged.push(text))
    const layer = NodeClient.layer({
      proxy: proxyUrl === undefined ? { url: "none" } : { url: proxyUrl },
      ...(ca === undefined ? {} : { tls: { ca } }),
      retry: { retries: 0 },
      redirects: { follow: false },
      isFailure: () => false,
      timeouts: { connect: timeout, response: timeout, bodyIdle: timeout, deadline: Timeouts.off },
      spans: false,
      metrics: false,
      pool: { drainTimeout: "100 millis", statsInterval: Duration.infinity }
    })
    const maxRedirects = options.maxRedirects ?? 10
    const http = Effect.gen(function*() {
      const client = yield* Client.Client
      let current = url
      let method: HttpMethod.HttpMethod = options.method ?? "GET"
      let headers: Record<string, string> = lowerCaseKeys(options.headers ?? {})
      const chain: Array<string> = [Redact.url(current)]
      for (let hop = 0;; hop++) {
        const start = performance.now()
        const result = yield* Outcome.of(
          client.execute(
            HttpClientRequest.make(method)(current).pipe(
              HttpClientRequest.setHeaders({ "user-agent": USER_AGENT, ...headers })
            )
          )
        )
        const ttfbMs = performance.now() - start
        if (Outcome.isFailed(result)) {
          failures.push(describe("http", result.left, { ...where, host: stripBrackets(current.hostname) }))
          return
        }
        const response = result.right
        const location = response.headers["location"]
        const retryAfter = response.headers["retry-after"]
        const now = yield* Clock.currentTimeMillis
        const retryAfterMs = RetryAfter.parse(retryAfter, now)
        // a Location that is not a url is reported, not thrown
        let next: URL | undefined
        try {
          next = location === undefined ? undefined : new URL(location, current)
        } catch {
          next = undefined
        }
        hops.push({
          method,
          url: Redact.url(current),
          headers: Object.keys(headers),
          status: response.status,
          ttfbMs,
          ...(location === undefined ? {} : { location: Redact.url(next ?? location) }),
          ...(retryAfter === undefined ? {} : { retryAfter }),
          ...(retryAfterMs === undefined ? {} : { retryAfterMs })
        })
        if ([301, 302, 303, 307, 308].includes(response.status) && location !== undefined) {
          if (next === undefined) {
            failures.push({
              step: "http",
              _tag: "InvalidUrl",
              explanation: `The server redirects (${response.status}) to ${
                Redact.url(location)
              }, which is not a url: steadfast does not follow it and returns the ${response.status} as it is.`,
              fix: "Fix the Location header on the server."
            })
            return
          }
          chain.push(Redact.url(next))
          if (hop >= maxRedirects) {
            failures.push({
              step: "http",
              _tag: "TooManyRedirects",
              explanation: `More than ${maxRedirects} redirects: ${chain.join(" -> ")}.`,
              fix: "Fix the redirect rules on the server (a loop, or a chain too long)."
            })
            return
          }
          if (current.protocol === "https:" && next.protocol === "http:") {
            failures.push({
              step: "http",
              _tag: "RedirectBlocked",
              explanation: `A redirect to ${
                Redact.url(next)
              } would send the request without TLS; steadfast does not follow it.`,
              fix: "Make the server redirect to https; allow downgrades in code only if clear text is acceptable."
            })
            return
          }
          if (next.protocol !== "http:" && next.protocol !== "https:") {
            failures.push({
              step: "http",
              _tag: "RedirectBlocked",
              explanation: `A redirect to ${Redact.url(next)} leaves http(s); steadfast does not follow it.`,
              fix: "Make the server redirect to an http(s) url."
            })
            return
          }
          // as steadfast's redirects do: 303, and 301/302 after a POST, turn into a GET;
          // credentials stay with the origin they were given for
          if (response.status === 303 || (method === "POST" && (response.status === 301 || response.status === 302))) {
            method = "GET"
          }
          if (next.origin !== current.origin) {
            const dropped = Object.keys(headers).filter((name) => Redirects.defaults.sensitiveHeaders.has(name))
            if (dropped.length > 0) {
              warnings.push(
                `${dropped.join(", ")} not sent to ${next.origin} (a redirect to another origin drops credentials).`
              )
              headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !dropped.includes(name)))
            }
          }
          current = next
          continue
        }
        if (response.status >= 400) {
          failures.push({
            step: "http",
            _tag: "StatusError",
            explanation: `The server answered ${response.status}${
              retryAfter === undefined ? "" : ` with Retry-After: ${retryAfter}`
            }.`,
            fix: statusFix(response.status, retryAfterMs)
          })
        }
        return
      }
    })
    const outcome = yield* Outcome.of(
      Effect.scoped(Effect.provide(http, layer)).pipe(Effect.provide(capture))
    )
    if (Outcome.isFailed(outcome)) {
      failures.push({
        step: "http",
        _tag: outcome.left._tag,
        explanation: outcome.left.message,
        fix: "Fix the option named above."
      })
    }
    for (const line of logged) warnings.push(line)
    return hops
  })
