import * as Context from "#line/Context"
import * as Effect from "#line/Effect"
import * as Fiber from "#line/Fiber"
import * as FiberRef from "#line/FiberRef"
import { HttpClientRequest } from "#line/http"
import { type RecordedSpan, recordingTracer } from "#testline/recordingTracer"
import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import type { Client } from "@steadfast/core"
import * as Option from "effect/Option"
import { after, expectSuccess, paths, withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

// The call span becomes the parent span of what a request runs by a new context for the request's
// fiber (on Effect 3 made in place, trace.ts `open`): these check that it is the caller's context
// with the call span added, and the caller's again after the request.

class Tenant extends Context.Tag("test/traceContext/Tenant")<Tenant, string>() {}
const Region = FiberRef.make("test/traceContext/Region", "none")

/** The parent span, a service and a fiber-local value, as the effect that reads them sees them. */
const observed = Effect.gen(function*() {
  const parent = yield* Effect.orDie(Effect.currentParentSpan)
  const tenant = yield* Effect.serviceOption(Tenant)
  const region = yield* Effect.withFiberRuntime<string>((fiber) => Effect.succeed(fiber.getFiberRef(Region)))
  return [parent.spanId, Option.getOrUndefined(tenant), region] as const
})

const get = HttpClientRequest.get("http://api.test/items")
const quick = { retries: 1, backoff: { base: "100 millis", jitter: "none" } } as const

describe.each(paths)("what a request runs sees ($name)", (path) => {
  it.effect.each([["in the caller's fiber", false], ["in a fiber of its own", true]] as const)(
    "%s: the call span as parent, with the caller's services and fiber-local values; the caller's after it",
    ([, forked]) =>
      Effect.gen(function*() {
        const spans: Array<RecordedSpan> = []
        const mem = Mem.make(
          Mem.sequence({ fail: Mem.nodeError("ECONNRESET", { syscall: "read" }) }, Mem.json(200, "ok"))
        )
        const inHook: Array<readonly [string, string | undefined, string]> = []
        const options: Client.Options = {
          retry: quick,
          hooks: { beforeAttempt: ({ request }) => Effect.map(observed, (seen) => (inHook.push(seen), request)) }
        }
        const request = (c: Client.ResilientClient) =>
          Effect.flatMap(c.json(get), (value) => Effect.map(observed, (seen) => [value, seen] as const))
        const run = withClient(mem, options, (c) =>
          Effect.locally(
            Effect.provideService(
              forked ? Effect.flatMap(Effect.fork(request(c)), Fiber.join) : request(c),
              Tenant,
              "acme"
            ),
            Region,
            "eu"
          ).pipe(Effect.withSpan("caller")), path)
        const [value, afterwards] = expectSuccess(
          yield* after(Effect.withTracer(run, recordingTracer(spans)), "1 second")
        )
        strictEqual(value, "ok")
        const caller = spans.find((s) => s.name === "caller")!
        const call = spans.find((s) => s.kind === "internal" && s.name === "GET")!
        strictEqual(call.parentId, caller.spanId)
        // both attempts' hooks: under the call span, with the caller's service and value
        deepStrictEqual(inHook, [[call.spanId, "acme", "eu"], [call.spanId, "acme", "eu"]])
        deepStrictEqual(afterwards, [caller.spanId, "acme", "eu"])
      })
  )
})
