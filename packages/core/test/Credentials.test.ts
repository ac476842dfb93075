/**
 * The rules of client-wide headers and credentials, for all combinations
 * (fast-check, fixed seed), over the request preparation itself
 * (`request.ts`): a request's own header wins; plain default headers go
 * everywhere; credentials go to the credential origins only; a request's own
 * sensitive headers never leave the base origin unless they are the client's
 * to give.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Auth, Client, Errors } from "@steadfast/core"
import * as fc from "effect/FastCheck"
import * as credentials from "../src/internal/credentials.js"
import type { Compiled } from "../src/internal/policy.js"
import { resolve, sendable } from "../src/internal/request.js"
import { rules } from "../src/internal/url.js"

const SEED = 19
const BASE = "https://api.test"
const ORIGINS = [BASE, "https://cdn.test", "https://evil.test"] as const
const CLIENT = { accept: "application/json", "x-trace": "client", "x-api-key": "client-key" } as const
const TOKEN = "client-token"

const prepare = (listed: ReadonlyArray<string>, url: string, own: Readonly<Record<string, string>>) => {
  const s = Client.settings({
    baseUrl: BASE,
    allowAbsoluteUrls: true,
    credentialOrigins: listed,
    headers: CLIENT,
    auth: Auth.bearer(TOKEN)
  })
  const cfg = {
    urls: rules(s.baseUrl, s),
    allowAddress: undefined,
    redirects: s.redirects,
    credentials: credentials.compile(s.headers, s.auth, new Set([BASE, ...listed]))
  } as unknown as Compiled
  const request = HttpClientRequest.get(url).pipe(HttpClientRequest.setHeaders(own))
  const resolved = resolve(cfg, request)
  if (resolved._tag !== "Resolved") throw new Error("not resolved")
  const sent = sendable(cfg, request, resolved)
  if (Errors.isHttpError(sent)) throw sent
  return sent.headers
}

describe("client-wide headers and credentials (fast-check, fixed seed)", () => {
  it.prop(
    "who wins, and where credentials go",
    [
      fc.subarray(["https://cdn.test"]),
      fc.constantFrom(...ORIGINS),
      fc.record(
        {
          authorization: fc.constant("Bearer own"),
          "x-api-key": fc.constant("own-key"),
          "x-trace": fc.constant("own")
        },
        { requiredKeys: [] }
      )
    ],
    ([listed, origin, own]) => {
      const headers = prepare(listed, `${origin}/x`, own)
      const sameOrigin = origin === BASE
      const credentialOrigin = sameOrigin || listed.includes(origin)
      // plain headers: everywhere, the request's own first
      expect(headers["accept"]).toBe(CLIENT.accept)
      expect(headers["x-trace"]).toBe(own["x-trace"] ?? CLIENT["x-trace"])
      // secrets: the request's own only on the base origin; the client's only on credential origins
      const expectSecret = (name: "authorization" | "x-api-key", client: string) =>
        expect(headers[name]).toBe((sameOrigin ? own[name] : undefined) ?? (credentialOrigin ? client : undefined))
      expectSecret("authorization", `Bearer ${TOKEN}`)
      expectSecret("x-api-key", CLIENT["x-api-key"])
    },
    { fastCheck: { seed: SEED, numRuns: 200 } }
  )

  it("the secrets' names join the redirect policy's sensitive headers; plain ones do not", () => {
    const s = Client.settings({ baseUrl: BASE, headers: CLIENT, auth: Auth.bearer(TOKEN) })
    expect([...s.redirects.sensitiveHeaders].sort()).toEqual(
      ["authorization", "cookie", "proxy-authorization", "x-api-key"]
    )
  })

  it("a Redacted value makes any header a credential", () => {
    const s = Client.settings({ baseUrl: BASE, headers: { "x-tenant": Auth.bearer("x").value! } })
    expect(s.redirects.sensitiveHeaders.has("x-tenant")).toBe(true)
  })
})
