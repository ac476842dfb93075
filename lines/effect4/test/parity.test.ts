// Parity between the two lines: the same failures, classified by the Effect 3
// build (packages/core/dist, `pnpm build`, loaded with its own Effect 3) and by
// the Effect 4 build of the same sources, give the same error: tag, message,
// fields, and the same retry answer for GET and POST.
import { describe, it } from "@effect/vitest"
import { deepStrictEqual } from "@effect/vitest/utils"
import * as NodeErrors from "@steadfast/testkit/NodeErrors"
import * as Classify3 from "../../../packages/core/dist/Classify.js"
import * as Errors3 from "../../../packages/core/dist/Errors.js"
import * as Retry3 from "../../../packages/core/dist/Retry.js"
import * as Classify4 from "../../../packages/core/src/Classify.js"
import * as Errors4 from "../../../packages/core/src/Errors.js"
import * as Retry4 from "../../../packages/core/src/Retry.js"
// each line's platform request and errors through its own seams: Effect 3's
// @effect/platform (from the Effect 3 build), Effect 4's effect/http
import * as Request4 from "effect/http/HttpClientRequest"
import * as Response4 from "effect/http/HttpClientResponse"
import {
  HttpClientRequest as Request3,
  HttpClientResponse as Response3
} from "../../../packages/core/dist/line/effect3/http.js"
import * as PlatformError3 from "../../../packages/core/dist/line/effect3/platformError.js"
import * as PlatformError4 from "../../../packages/core/src/line/effect4/platformError.js"

const url = "https://user:secret@api.example.test/items?token=abc"
const proxy = { url: "http://user:pw@192.0.2.20:3128", host: "192.0.2.20", port: 3128 }

const phaseOf = (entry: NodeErrors.Entry): "connect" | "response" | "body" =>
  entry.phase === "body" ? "body" : entry.phase === "response" ? "response" : "connect"

/** The platform's own error is named differently on each line (Effect 4 has one `HttpClientError`). */
const platformNames = new Set(["RequestError", "ResponseError", "HttpClientError"])

/**
 * What a user sees of an error: every field but the cause, the cause's safe
 * summary (the platform error's name read as one), the message, the retry
 * answers.
 */
const view = (
  error: Record<string, unknown>,
  isRetryable: (method: string) => boolean
) => {
  const { cause, ...fields } = error
  const summary = cause as { name?: unknown; message?: unknown; code?: unknown } | undefined
  return {
    fields: JSON.parse(JSON.stringify(fields)),
    message: error["message"],
    cause: summary === undefined ? undefined : [
      platformNames.has(summary.name as string) ? "platform error" : summary.name,
      summary.message,
      summary.code
    ],
    retryGet: isRetryable("GET"),
    retryPost: isRetryable("POST")
  }
}

type Wrap = (line: 3 | 4, error: unknown) => unknown

const both = (make: () => unknown, wrap: Wrap, context: Classify4.Context) => {
  const e3 = Classify3.classify(wrap(3, make()), context as Classify3.Context)
  const e4 = Classify4.classify(wrap(4, make()), context)
  return [
    view(e3 as any, (method) => Retry3.isRetryable(Retry3.defaults, e3, method, {})),
    view(e4 as any, (method) => Retry4.isRetryable(Retry4.defaults, e4, method, {}))
  ] as const
}

describe("parity: Effect 3 and Effect 4 builds", () => {
  it("list the same error tags", () => {
    deepStrictEqual([...Errors4.tags], [...Errors3.tags])
  })

  describe("every Node / undici failure in the catalog", () => {
    for (const entry of NodeErrors.catalog) {
      const byFetch = (e: unknown) => entry.phase === "body" ? NodeErrors.terminated(e) : NodeErrors.fetchFailed(e)
      const inPlatformError: Wrap = (line, cause) => {
        const [PlatformError, ClientRequest, ClientResponse] = line === 3
          ? [PlatformError3, Request3, Response3] as const
          : [PlatformError4, Request4, Response4] as const
        const request = ClientRequest.get("https://api.example.test/items") as any
        return entry.phase === "body"
          ? PlatformError.responseError({
            request,
            response: ClientResponse.fromWeb(request, new Response("")) as any,
            reason: "Decode",
            cause
          })
          : PlatformError.requestError({ request, reason: "Transport", cause })
      }
      for (
        const [how, wrap] of [
          ["bare", (_line, e) => e],
          ["wrapped by fetch", (_line, e) => byFetch(e)],
          ["in the line's platform error", inPlatformError],
          ["wrapped by fetch, in the line's platform error", (line, e) => inPlatformError(line, byFetch(e))]
        ] satisfies ReadonlyArray<readonly [string, Wrap]>
      ) {
        it(`${entry.name} ${how}: same ${entry.tag}`, () => {
          const [e3, e4] = both(entry.make, wrap, {
            method: "GET",
            url,
            phase: phaseOf(entry),
            requestSent: entry.phase === "response" || entry.phase === "body",
            proxy: entry.phase === "proxy" ? proxy : undefined
          })
          deepStrictEqual(e4, e3)
          deepStrictEqual(e4.fields._tag, entry.tag)
        })
      }
    }
  })
})
