/**
 * Header validation, for all inputs: a request whose header name is not an
 * RFC 9110 token, or whose value holds CR, LF or NUL (header injection),
 * fails with `InvalidRequest` and nothing is sent; any other header is
 * sent as it is.
 */
import * as Effect from "#line/Effect"
import * as Either from "#line/Either"
import { HttpClientRequest } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { strictEqual } from "@effect/vitest/utils"
import * as fc from "effect/FastCheck"
import { withClient } from "./helpers/harness.js"
import * as Mem from "./helpers/memory.js"

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const nameChar = fc.constantFrom(..."abcxyzABC019-_!#$%&'*+.^`|~ :\r\n\0\t\"(),/;<=>?@[]{}é")
const valueChar = fc.constantFrom(..."abc 019\t-_=;,:/\"'\r\n\0é\u0085\u2028")
const name = fc.array(nameChar, { minLength: 1, maxLength: 12 }).map((cs) => cs.join(""))
const value = fc.array(valueChar, { maxLength: 16 }).map((cs) => cs.join(""))

describe("header validation (fast-check, fixed seed)", () => {
  it.effect.prop(
    "a header is sent as given, or the request is InvalidRequest and nothing is sent",
    [name, value],
    ([headerName, headerValue]) =>
      Effect.gen(function*() {
        const mem = Mem.make(Mem.sequence(Mem.json(200, "ok")))
        const request = HttpClientRequest.get("https://api.test/x").pipe(
          HttpClientRequest.setHeader(headerName, headerValue)
        )
        const result = yield* Effect.either(withClient(mem, { retry: { retries: 0 } }, (c) => c.json(request)))
        const valid = TOKEN.test(headerName) && !/[\r\n\0]/.test(headerValue)
        if (valid) {
          strictEqual(Either.isRight(result), true, `${JSON.stringify(headerName)}: ${JSON.stringify(headerValue)}`)
          strictEqual(mem.requests[0]!.headers[headerName.toLowerCase()], headerValue)
        } else {
          strictEqual(Either.isLeft(result) && result.left._tag, "InvalidRequest")
          strictEqual(mem.requests.length, 0)
          // the message never quotes the value (it may be a secret)
          if (Either.isLeft(result) && headerValue.length > 3) {
            strictEqual(result.left.message.includes(headerValue), false)
          }
        }
      }),
    { fastCheck: { seed: 182026, numRuns: 300 } }
  )
})
