/**
 * Per-attempt hooks, under TestClock: `beforeAttempt` changes what each
 * attempt sends (a fresh token after a 401, a per-attempt id), on both paths
 * to a transport; `afterAttempt` hears every outcome; a failing hook ends the
 * request with its error; the decisions (retry, budget) stay in core.
 */
import * as Effect from "#line/Effect"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Errors, type Hooks } from "@steadfast/core"
import { after, expectFailure, expectSuccess, paths, withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const get = HttpClientRequest.get("http://api.test/me").pipe(HttpClientRequest.bearerToken("expired"))

/** 401 unless the request carries `Bearer fresh`. */
const guarded = () =>
  Mem.make((request) =>
    Effect.sync(() => {
      request.connected()
      return request.headers["authorization"] === "Bearer fresh"
        ? { status: 200, body: "me" }
        : { status: 401, headers: { "www-authenticate": "Bearer" } }
    })
  )

describe("hooks", () => {
  for (const path of paths) {
    it.effect(`${path.name}: beforeAttempt refreshes the token after a 401; afterAttempt hears each outcome`, () =>
      Effect.gen(function*() {
        const mem = guarded()
        const heard: Array<string> = []
        let refreshes = 0
        const hooks: Hooks.Hooks = {
          beforeAttempt: ({ attempt, previous, request }) =>
            Effect.sync(() => {
              const stale = previous?._tag === "StatusError" && previous.status === 401
              if (stale) refreshes++
              return request.pipe(
                stale ? HttpClientRequest.bearerToken("fresh") : (r) => r,
                HttpClientRequest.setHeader("x-attempt", String(attempt))
              )
            }),
          afterAttempt: ({ attempt, error, request, status }) =>
            Effect.sync(() =>
              void heard.push(`${attempt} ${error?._tag ?? "ok"} ${status} ${request.headers["x-attempt"]}`)
            )
        }
        const result = yield* after(
          withClient(mem, { hooks, retry: { statuses: [401], backoff: { jitter: "none" } } }, (c) => c.text(get), path),
          "1 minute"
        )
        expect(expectSuccess(result)).toBe("me")
        expect(refreshes).toBe(1)
        expect(mem.requests.map((r) => [r.headers["authorization"], r.headers["x-attempt"]])).toEqual([
          ["Bearer expired", "1"],
          ["Bearer fresh", "2"]
        ])
        expect(heard).toEqual(["1 StatusError 401 1", "2 ok 200 2"])
      }))
  }

  it.effect("a hook that fails ends the request with its error, after the attempts made", () =>
    Effect.gen(function*() {
      const mem = guarded()
      const refusal = (attempt: number) =>
        new Errors.InvalidRequest({
          request: { method: "GET", url: "http://api.test/me" },
          attempts: attempt - 1,
          history: [],
          reason: "the sign-in service is down"
        }, true)
      const hooks: Hooks.Hooks = {
        beforeAttempt: ({ attempt, request }) => attempt === 1 ? Effect.succeed(request) : Effect.fail(refusal(attempt))
      }
      const error = expectFailure(
        yield* after(withClient(mem, { hooks, retry: { statuses: [401] } }, (c) => c.text(get)), "1 minute"),
        "InvalidRequest"
      )
      expect(error.reason).toBe("the sign-in service is down")
      expect(mem.requests.length).toBe(1)
    }))

  it.effect("hooks do not decide: a 401 that is not retried is sent once, whatever the hook does", () =>
    Effect.gen(function*() {
      const mem = guarded()
      let before = 0
      const hooks: Hooks.Hooks = { beforeAttempt: ({ request }) => Effect.sync(() => (before++, request)) }
      const error = expectFailure(
        yield* after(withClient(mem, { hooks }, (c) => c.text(get)), "1 minute"),
        "StatusError"
      )
      expect(error.status).toBe(401)
      expect([before, mem.requests.length]).toEqual([1, 1])
    }))
  for (const path of paths) {
    it.effect.each([
      { what: "a value with CR/LF", header: "x-sig", value: "a\r\nx-injected: 1", says: "contains CR, LF or NUL" },
      { what: "a name that is not a token", header: "x sig", value: "a", says: "is not a valid token" }
    ])(
      `${path.name}: headers a beforeAttempt hook set are checked too: $what is InvalidRequest, nothing sent`,
      ({ header, says, value }) =>
        Effect.gen(function*() {
          const mem = guarded()
          const hooks: Hooks.Hooks = {
            beforeAttempt: ({ request }) => Effect.succeed(HttpClientRequest.setHeader(request, header, value))
          }
          const result = yield* after(withClient(mem, { hooks }, (c) => c.text(get), path), "1 minute")
          const error = expectFailure(result, "InvalidRequest")
          expect(error.reason).toContain(says)
          expect(error.message).toContain("beforeAttempt hook set it; nothing was sent")
          expect(error.message).not.toContain("x-injected")
          expect(mem.requests.length).toBe(0)
        })
    )
  }
})
