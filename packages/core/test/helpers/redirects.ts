/**
 * The requests and the call of `Redirects.decide` that the redirect rule
 * tests share (Redirects.test.ts, Redirects.limits.test.ts).
 */
import { HttpClientRequest } from "@effect/platform"
import { strictEqual } from "@effect/vitest/utils"
import { Redirects } from "@steadfast/core"
import { Option } from "effect"

export const FROM = "https://api.test/a/b?x=1"

/** A POST with a JSON body and every kind of header, credentials given in mixed case. */
export const postWithHeaders = (url: string = FROM) =>
  HttpClientRequest.post(url).pipe(
    HttpClientRequest.bodyText("{\"a\":1}", "application/json"),
    HttpClientRequest.setHeader("AuThOrIzAtIoN", "Bearer s3cr3t"),
    HttpClientRequest.setHeader("COOKIE", "sid=1"),
    HttpClientRequest.setHeader("Proxy-Authorization", "Basic dTpw"),
    HttpClientRequest.setHeader("X-Api-Key", "k3y"),
    HttpClientRequest.setHeader("Accept", "application/json")
  )

export const getWithHeaders = (url: string = FROM) =>
  HttpClientRequest.get(url).pipe(
    HttpClientRequest.setHeader("AuThOrIzAtIoN", "Bearer s3cr3t"),
    HttpClientRequest.setHeader("COOKIE", "sid=1"),
    HttpClientRequest.setHeader("Proxy-Authorization", "Basic dTpw"),
    HttpClientRequest.setHeader("X-Api-Key", "k3y"),
    HttpClientRequest.setHeader("Accept", "application/json")
  )

export const decide = (
  request: HttpClientRequest.HttpClientRequest,
  status: number,
  location: string | undefined,
  options: {
    readonly policy?: Redirects.Policy
    readonly from?: string
    readonly visited?: ReadonlyArray<string>
    readonly followed?: number
  } = {}
): Redirects.Decision =>
  Redirects.decide(
    options.policy ?? Redirects.defaults,
    request,
    new URL(options.from ?? request.url),
    status,
    location,
    options.visited ?? [],
    options.followed ?? 0
  )

export type Follow = Extract<Redirects.Decision, { readonly _tag: "Follow" }>

export const expectFollow = (decision: Redirects.Decision): Follow => {
  strictEqual(decision._tag, "Follow")
  if (decision._tag !== "Follow") throw new Error("unreachable")
  return decision
}

/** The full url the next request goes to, query and fragment included. */
export const nextUrl = (follow: Follow): string => Option.getOrThrow(HttpClientRequest.toUrl(follow.request)).href

export const ALWAYS_DROPPED = ["authorization", "cookie", "proxy-authorization"]
