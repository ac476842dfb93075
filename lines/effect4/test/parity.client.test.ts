// Parity of the client between the two lines: the Effect 3 build
// (packages/core/dist, run by its own Effect 3) and the Effect 4 build of the
// same sources make the same requests over the same scripted transport and
// end the same way: the same value or error tag and message, the same
// attempt history (decisions and reasons; `Client.withHistory` on success),
// the same requests sent.
// The transport is written here, against the `Transport` contract; each line
// builds its responses and errors with its own platform (`@effect/platform`
// on Effect 3, `effect/http` on Effect 4). Backoff is zero, so the runs wait
// on no clock; `elapsedMs` is left out of the comparison for that reason.
import { describe, it } from "@effect/vitest"
import { deepStrictEqual } from "@effect/vitest/utils"
import * as Client3 from "../../../packages/core/dist/Client.js"
import * as Effect3Build from "../../../packages/core/dist/line/effect3/Effect.js"
import {
  HttpClientRequest as Request3,
  HttpClientResponse as Response3
} from "../../../packages/core/dist/line/effect3/http.js"
import * as PlatformError3 from "../../../packages/core/dist/line/effect3/platformError.js"
import * as Client4 from "../../../packages/core/src/Client.js"
import * as Effect4 from "../../../packages/core/src/line/effect4/Effect.js"
import {
  HttpClientRequest as Request4,
  HttpClientResponse as Response4
} from "../../../packages/core/src/line/effect4/http.js"
import * as PlatformError4 from "../../../packages/core/src/line/effect4/platformError.js"

// the Effect 3 build's Effect (its types resolve to Effect 4's here, where `effect` is Effect 4)
const Effect3: any = Effect3Build

/** What one attempt gets: a response, or a Node error after the given progress. */
type Step =
  | { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
  | { readonly fail: string; readonly connected?: "fresh" | "reused"; readonly written?: boolean }

const nodeError = (code: string): Error =>
  Object.assign(new Error(`${code === "ECONNREFUSED" ? "connect" : "read"} ${code}`), { code, syscall: "read" })

interface Outcome {
  readonly result: unknown
  readonly sent: ReadonlyArray<string>
}

const withoutTime = (records: ReadonlyArray<Record<string, unknown>>) =>
  records.map(({ elapsedMs: _, ...record }) => record)

const view = (
  either: { readonly _tag: "Left"; readonly left: any } | { readonly _tag: "Right"; readonly right: unknown }
) =>
  either._tag === "Right"
    ? { ok: [(either.right as any)[0], withoutTime((either.right as any)[1])] }
    : {
      tag: either.left._tag,
      message: either.left.message,
      attempts: either.left.attempts,
      retryRefused: either.left.retryRefused,
      history: withoutTime(either.left.history)
    }

const options = { retry: { retries: 3, backoff: { base: "0 millis", jitter: "none" } } } as const

const run3 = (steps: ReadonlyArray<Step>, method: "GET" | "POST", url: string): Promise<Outcome> => {
  const sent: Array<string> = []
  const transport = {
    tracksConnect: true,
    send: (request: any, to: URL, attempt: any) =>
      Effect3.suspend(() => {
        const step = steps[Math.min(sent.length, steps.length - 1)]!
        sent.push(`${request.method} ${to.href}`)
        if ("fail" in step) {
          if (step.connected !== undefined) attempt.connected(step.connected === "reused")
          if (step.written === true) attempt.written()
          return Effect3.fail(
            PlatformError3.requestError({ request, reason: "Transport", cause: nodeError(step.fail) })
          )
        }
        attempt.connected(false)
        attempt.written()
        const web = new Response(step.body ?? "", { status: step.status, headers: step.headers ?? {} })
        return Effect3.succeed(Response3.fromWeb(request, web))
      })
  }
  const request = method === "GET" ? Request3.get(url) : Request3.post(url)
  return Effect3.runPromise(
    Effect3.scoped(
      Effect3.flatMap(
        Client3.makeWithTransport(transport as any, options),
        (client: Client3.ResilientClient) => Effect3.either(Client3.withHistory(client.text(request)))
      )
    )
  ).then((either: unknown) => ({ result: view(either as any), sent }))
}

const run4 = (steps: ReadonlyArray<Step>, method: "GET" | "POST", url: string): Promise<Outcome> => {
  const sent: Array<string> = []
  const transport = {
    tracksConnect: true,
    send: (request: any, to: URL, attempt: any) =>
      Effect4.suspend(() => {
        const step = steps[Math.min(sent.length, steps.length - 1)]!
        sent.push(`${request.method} ${to.href}`)
        if ("fail" in step) {
          if (step.connected !== undefined) attempt.connected(step.connected === "reused")
          if (step.written === true) attempt.written()
          return Effect4.fail(
            PlatformError4.requestError({ request, reason: "Transport", cause: nodeError(step.fail) })
          )
        }
        attempt.connected(false)
        attempt.written()
        const web = new Response(step.body ?? "", { status: step.status, headers: step.headers ?? {} })
        return Effect4.succeed(Response4.fromWeb(request, web))
      })
  }
  const request = method === "GET" ? Request4.get(url) : Request4.post(url)
  return Effect4.runPromise(
    Effect4.scoped(
      Effect4.flatMap(
        Client4.makeWithTransport(transport as any, options),
        (client) => Effect4.either(Client4.withHistory(client.text(request)))
      )
    )
  ).then((either) => ({ result: view(either as any), sent }))
}

const ok: Step = { status: 200, body: "ok" }

const scenarios: ReadonlyArray<readonly [string, "GET" | "POST", ReadonlyArray<Step>]> = [
  ["a plain success", "GET", [ok]],
  ["503 twice, then a success", "GET", [{ status: 503 }, { status: 503 }, ok]],
  ["503 every time: the retries run out", "GET", [{ status: 503 }]],
  ["429 with Retry-After: 0, then a success", "GET", [{ status: 429, headers: { "retry-after": "0" } }, ok]],
  ["404 is not retried", "GET", [{ status: 404 }]],
  ["a reset on a reused socket is sent again", "GET", [{ fail: "ECONNRESET", connected: "reused", written: true }, ok]],
  ["refused, then a success (POST never reached the server)", "POST", [{ fail: "ECONNREFUSED" }, ok]],
  ["a POST reset after its bytes went out is not retried", "POST", [{
    fail: "ECONNRESET",
    connected: "fresh",
    written: true
  }, ok]],
  ["a GET reset after its bytes went out is retried", "GET", [
    { fail: "ECONNRESET", connected: "fresh", written: true },
    ok
  ]],
  ["DNS failure every time", "GET", [{ fail: "ENOTFOUND" }]]
]

describe("parity: the client on Effect 3 and Effect 4", () => {
  for (const [name, method, steps] of scenarios) {
    it(`${method}: ${name}`, async () => {
      const url = "https://user:secret@api.example.test/items?token=abc"
      const [on3, on4] = await Promise.all([run3(steps, method, url), run4(steps, method, url)])
      deepStrictEqual(on4, on3)
    })
  }

  it("the outcomes compared are the ones the rules give (resend, retry of a 429, POST safety)", async () => {
    const url = "https://api.example.test/items"
    const outcome = async (name: string) => {
      const [, method, steps] = scenarios.find(([n]) => n === name)!
      return (await run4(steps, method, url)).result as any
    }
    const stale = await outcome("a reset on a reused socket is sent again")
    deepStrictEqual([stale.ok[0], stale.ok[1][0].decision, stale.ok[1][0].reason], ["ok", "resend", "stale-socket"])
    const limited = await outcome("429 with Retry-After: 0, then a success")
    deepStrictEqual([limited.ok[1][0].tag, limited.ok[1][0].status, limited.ok[1][0].decision], [
      "StatusError",
      429,
      "retry"
    ])
    const post = await outcome("a POST reset after its bytes went out is not retried")
    deepStrictEqual([post.tag, post.attempts], ["ConnectionReset", 1])
    const exhausted = await outcome("503 every time: the retries run out")
    deepStrictEqual([exhausted.tag, exhausted.attempts], ["StatusError", 4])
  })
})
