import { HttpTraceContext } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Propagation } from "@steadfast/core"
import * as fc from "effect/FastCheck"
import * as Option from "effect/Option"
import { make, pageOrigin } from "../src/internal/propagation.js"

const SEED = 130013
const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`)).filter((s) => !/^0+$/.test(s))

describe("Propagation.headers", () => {
  it("w3c and b3 from a span's ids", () => {
    deepStrictEqual(
      Propagation.headers(
        { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: false, traceState: "a=1" },
        ["w3c", "b3"]
      ),
      {
        traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        tracestate: "a=1",
        b3: "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0"
      }
    )
  })

  it.each([
    ["a trace id of the wrong length", "4bf92f3577b34da6a3ce929d0e0e473", "00f067aa0ba902b7"],
    ["upper-case hex", "4BF92F3577B34DA6A3CE929D0E0E4736", "00f067aa0ba902b7"],
    ["an all-zero trace id", "00000000000000000000000000000000", "00f067aa0ba902b7"],
    ["an all-zero span id", "4bf92f3577b34da6a3ce929d0e0e4736", "0000000000000000"],
    ["a span id that is not hex", "4bf92f3577b34da6a3ce929d0e0e4736", "span-1"],
    // the value is checked as a whole (one test of the built header): the ids' lengths still count apart
    ["a trace id one too long, a span id one too short", "4bf92f3577b34da6a3ce929d0e0e4736a", "00f067aa0ba902b"]
  ])("no header for %s", (_, traceId, spanId) => {
    deepStrictEqual(Propagation.headers({ traceId, spanId, sampled: true }, ["w3c", "b3"]), {})
  })

  it.prop(
    "every traceparent it writes reads back as the same span (the platform's W3C parser)",
    [hex(32), hex(16), fc.boolean()],
    ([traceId, spanId, sampled]) => {
      const headers = Propagation.headers({ traceId, spanId, sampled }, ["w3c"])
      const read = HttpTraceContext.w3c(headers as never)
      strictEqual(Option.isSome(read), true)
      const span = Option.getOrThrow(read)
      deepStrictEqual([span.traceId, span.spanId, span.sampled], [traceId, spanId, sampled])
    },
    { fastCheck: { seed: SEED, numRuns: 300 } }
  )
})

describe("Propagation defaults and origins", () => {
  const urls = {
    page: new URL("https://app.example.com/orders"),
    api: new URL("https://api.example.com/v1/orders"),
    other: new URL("https://tracker.example.net/pixel")
  }
  const allowed = (policy: Propagation.Policy) =>
    Object.entries(urls).filter(([, url]) => Propagation.allows(policy, url)).map(([name]) => name)

  it("outside a browser: w3c to every origin", () => {
    const policy = make(undefined, undefined)
    deepStrictEqual(policy.formats, ["w3c"])
    deepStrictEqual(allowed(policy), ["page", "api", "other"])
  })

  it("in a browser: the page's own origin only (no preflight anywhere else)", () => {
    deepStrictEqual(allowed(make(undefined, "https://app.example.com")), ["page"])
    deepStrictEqual(allowed(make(true, "https://app.example.com")), ["page"])
  })

  it("in a browser, opted-in origins too; \"all\" opts every origin in", () => {
    deepStrictEqual(allowed(make({ origins: ["https://api.example.com"] }, "https://app.example.com")), [
      "page",
      "api"
    ])
    deepStrictEqual(allowed(make({ origins: "all" }, "https://app.example.com")), ["page", "api", "other"])
    deepStrictEqual(
      allowed(make({ origins: (url) => url.hostname.endsWith(".example.net") }, "https://app.example.com")),
      ["page", "other"]
    )
  })

  it("outside a browser, a list of origins is the whole list (spelled any way a url allows)", () => {
    deepStrictEqual(allowed(make({ origins: ["https://API.example.com:443"] }, undefined)), ["api"])
  })

  it("false, or no formats, sends nothing anywhere", () => {
    deepStrictEqual(allowed(make(false, undefined)), [])
    deepStrictEqual(allowed(make({ formats: [] }, undefined)), [])
  })

  it.prop(
    "a listed origin gets the headers, any other does not (outside a browser)",
    [fc.uniqueArray(fc.webUrl().map((u) => new URL(u).origin), { minLength: 1, maxLength: 4 }), fc.webUrl()],
    ([origins, target]) => {
      const url = new URL(target)
      strictEqual(Propagation.allows(make({ origins }, undefined), url), origins.includes(url.origin))
    },
    { fastCheck: { seed: SEED, numRuns: 300 } }
  )
})

describe("pageOrigin (is this a browser?)", () => {
  it.each([
    ["Node (no document, no location)", {}, undefined],
    ["Deno with --location (a location, no document)", { location: { origin: "https://a.test" } }, undefined],
    ["a page", { document: {}, location: { origin: "https://app.example.com" } }, "https://app.example.com"],
    ["a worker", { WorkerGlobalScope: function() {}, location: { origin: "https://w.test" } }, "https://w.test"],
    ["a page opened from a file", { document: {}, location: { origin: "null" } }, "null"]
  ])("%s", (_, global, expected) => {
    strictEqual(pageOrigin(global), expected)
  })

  it("this test process is not a browser", () => {
    strictEqual(pageOrigin(globalThis), undefined)
  })
})
