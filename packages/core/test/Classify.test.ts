import * as PlatformError from "#line/platformError"
import { HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Classify, Errors, Retry } from "@steadfast/core"
import * as NodeErrors from "@steadfast/testkit/NodeErrors"

const request = HttpClientRequest.get("https://api.example.test/items")
const url = "https://api.example.test/items"
const proxy = { url: "http://user:pw@192.0.2.20:3128", host: "192.0.2.20", port: 3128 }

const phaseOf = (entry: NodeErrors.Entry): "connect" | "response" | "body" =>
  entry.phase === "body" ? "body" : entry.phase === "response" ? "response" : "connect"

/** The error as each layer above Node hands it to the client. */
const wrappings = (entry: NodeErrors.Entry): ReadonlyArray<readonly [string, unknown]> => {
  const bare = entry.make()
  const fetchWrapped = entry.phase === "body"
    ? NodeErrors.terminated(entry.make())
    : NodeErrors.fetchFailed(entry.make())
  const platform = (cause: unknown) =>
    entry.phase === "body"
      ? PlatformError.responseError({
        request,
        response: HttpClientResponse.fromWeb(request, new Response("")),
        reason: "Decode",
        cause
      })
      : PlatformError.requestError({ request, reason: "Transport", cause })
  return [
    ["bare", bare],
    ["wrapped by fetch", fetchWrapped],
    ["in a platform error", platform(entry.make())],
    ["wrapped by fetch, in a platform error", platform(fetchWrapped)]
  ]
}

/**
 * The error keeps a safe summary of the original cause (never the object
 * itself, which may hold the request and its credentials): the same name,
 * message and code, at every level of the chain.
 */
const assertSummaryOf = (kept: unknown, original: unknown): void => {
  let a = kept as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown } | undefined
  let b = original as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown } | undefined
  for (let depth = 0; depth < 8 && b instanceof Error; depth++) {
    strictEqual(a === b, false, "the original error object is not kept")
    deepStrictEqual([a?.name, a?.message, a?.code], [b.name, b.message, (b as { code?: unknown }).code])
    if (b.cause === b) return strictEqual(a?.cause, undefined, "a cycle is cut")
    a = a?.cause as typeof a
    b = b.cause as typeof b
  }
}

describe("Classify.classify", () => {
  describe("every Node / undici failure maps to its tag, bare and wrapped", () => {
    for (const entry of NodeErrors.catalog) {
      for (const [how, error] of wrappings(entry)) {
        it(`${entry.name} (${entry.code ?? entry.make().name}) ${how} -> ${entry.tag}`, () => {
          const result = Classify.classify(error, {
            method: "GET",
            url,
            phase: phaseOf(entry),
            requestSent: entry.phase === "response" || entry.phase === "body",
            proxy: entry.phase === "proxy" ? proxy : undefined
          })
          strictEqual(result._tag, entry.tag, `${entry.description}: got ${result._tag} (${result.message})`)
          assertSummaryOf(result.cause, error)
        })
      }
    }
  })

  it("the catalog covers every code the issue lists", () => {
    const codes = new Set(NodeErrors.catalog.map((e) => e.code ?? e.make().name))
    for (
      const code of [
        "ENOTFOUND",
        "EAI_AGAIN",
        "ESERVFAIL",
        "EREFUSED",
        "ETIMEOUT",
        "ECONNREFUSED",
        "ECONNRESET",
        "EPIPE",
        "UND_ERR_SOCKET",
        "ENETUNREACH",
        "EHOSTUNREACH",
        "EHOSTDOWN",
        "EADDRNOTAVAIL",
        "ETIMEDOUT",
        "UND_ERR_CONNECT_TIMEOUT",
        "UND_ERR_HEADERS_TIMEOUT",
        "UND_ERR_BODY_TIMEOUT",
        "UND_ERR_RES_EXCEEDED_MAX_SIZE",
        "DEPTH_ZERO_SELF_SIGNED_CERT",
        "SELF_SIGNED_CERT_IN_CHAIN",
        "CERT_HAS_EXPIRED",
        "ERR_TLS_CERT_ALTNAME_INVALID",
        "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
        "EPROTO",
        "HTTPParserError"
      ]
    ) {
      assertTrue(codes.has(code), `no catalog entry for ${code}`)
    }
    assertTrue([...codes].some((c) => c.startsWith("ERR_SSL_")), "no ERR_SSL_* entry")
  })

  it.each(["DnsError", "ConnectionRefused", "NetworkUnreachable", "TlsError", "ProxyError", "ConnectTimeout"] as const)(
    "%s proves the request never reached the server",
    (tag) => {
      const entry = NodeErrors.catalog.find((e) => e.tag === tag)!
      const error = Classify.classify(entry.make(), {
        method: "POST",
        url,
        phase: "connect",
        requestSent: false,
        proxy: entry.phase === "proxy" ? proxy : undefined
      })
      strictEqual(Errors.mayHaveReachedServer(error), false)
    }
  )

  it("a reset before the request went out did not reach the server; after, it may have", () => {
    const before = Classify.classify(NodeErrors.reset(), { method: "POST", url, phase: "connect", requestSent: false })
    const after = Classify.classify(NodeErrors.reset(), { method: "POST", url, phase: "response", requestSent: true })
    strictEqual(Errors.mayHaveReachedServer(before), false)
    strictEqual(Errors.mayHaveReachedServer(after), true)
  })

  it("a reset during the body says so", () => {
    const error = Classify.classify(NodeErrors.terminated(NodeErrors.otherSideClosed()), {
      method: "GET",
      url,
      phase: "body"
    })
    strictEqual(error._tag, "ConnectionReset")
    strictEqual((error as Errors.ConnectionReset).phase, "during-body")
  })

  it.each([
    {
      name: "a body that does not match its Content-Length (duplicate or differing headers)",
      error: Object.assign(new Error("Response body length does not match content-length header"), {
        name: "ResponseContentLengthMismatchError",
        code: "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"
      }),
      code: "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"
    },
    {
      name: "an invalid Content-Length (llhttp, no code)",
      error: Object.assign(
        new Error("Response does not match the HTTP/1.1 protocol (Invalid character in Content-Length)"),
        { name: "HTTPParserError" }
      ),
      code: "HPE_UNKNOWN"
    },
    {
      name: "an llhttp error code",
      error: Object.assign(new Error("Unexpected content-length header"), {
        code: "HPE_UNEXPECTED_CONTENT_LENGTH"
      }),
      code: "HPE_UNEXPECTED_CONTENT_LENGTH"
    }
  ])("$name is a malformed response, not a reset, and not retried", ({ code, error }) => {
    for (const phase of ["response", "body"] as const) {
      const wrapped = phase === "body"
        ? PlatformError.responseError({
          request,
          response: HttpClientResponse.fromWeb(request, new Response("")),
          reason: "Decode",
          cause: error
        })
        : PlatformError.requestError({ request, reason: "Transport", cause: error })
      const result = Classify.classify(wrapped, { method: "GET", url, phase, requestSent: true })
      strictEqual(result._tag, "TransportError")
      strictEqual(result._tag === "TransportError" && result.reason, "malformed-response")
      strictEqual(result._tag === "TransportError" && result.code, code)
      strictEqual(Retry.isRetryable(Retry.defaults, result, "GET", {}), false)
    }
  })

  it("a refused connection to the proxy is a ProxyError, not the target refusing", () => {
    const error = Classify.classify(NodeErrors.proxyDown({ address: "192.0.2.20", port: 3128 }), {
      method: "GET",
      url,
      phase: "connect",
      proxy
    })
    strictEqual(error._tag, "ProxyError")
    strictEqual(error.message.includes("pw"), false, "proxy credentials are redacted")
    const direct = Classify.classify(NodeErrors.refused({ address: "192.0.2.10", port: 443 }), {
      method: "GET",
      url,
      phase: "connect",
      proxy
    })
    strictEqual(direct._tag, "ConnectionRefused")
  })

  it("the proxy's 407 is a ProxyError with its status", () => {
    const error = Classify.classify(NodeErrors.proxyTunnelFailed(407), { method: "GET", url, phase: "connect", proxy })
    strictEqual(error._tag, "ProxyError")
    strictEqual((error as Errors.ProxyError).status, 407)
  })

  it("DNS failures say whether they are temporary", () => {
    const permanent = Classify.classify(NodeErrors.notFound("x.test"), { method: "GET", url, phase: "connect" })
    const temporary = Classify.classify(NodeErrors.dnsTemporary("x.test"), { method: "GET", url, phase: "connect" })
    strictEqual((permanent as Errors.DnsError).temporary, false)
    strictEqual((temporary as Errors.DnsError).temporary, true)
    strictEqual((permanent as Errors.DnsError).hostname, "x.test")
  })

  it.each(
    [
      [
        "Stream closed with error code NGHTTP2_REFUSED_STREAM",
        "ERR_HTTP2_STREAM_ERROR",
        "RST_STREAM",
        "NGHTTP2_REFUSED_STREAM"
      ],
      [
        "Stream closed with error code NGHTTP2_INTERNAL_ERROR",
        "ERR_HTTP2_STREAM_ERROR",
        "RST_STREAM",
        "NGHTTP2_INTERNAL_ERROR"
      ],
      ["HTTP/2: \"GOAWAY\" frame received with code 0", "UND_ERR_SOCKET", "GOAWAY", "NGHTTP2_NO_ERROR"],
      ["HTTP/2: \"GOAWAY\" frame received with code 11", "UND_ERR_SOCKET", "GOAWAY", "NGHTTP2_ENHANCE_YOUR_CALM"],
      ["HTTP/2: \"GOAWAY\" frame received with code 99", "UND_ERR_SOCKET", "GOAWAY", "HTTP2_CODE_99"],
      ["HTTP/2: stream closed before the response was complete", "UND_ERR_INFO", "RST_STREAM", "UND_ERR_INFO"]
    ] as const
  )("HTTP/2: %s is a ConnectionReset (%s → %s %s)", (message, code, frame, expected) => {
    const error = Classify.classify(Object.assign(new Error(message), { code }), {
      method: "GET",
      url,
      phase: "response",
      requestSent: true
    }) as Errors.ConnectionReset
    deepStrictEqual([error._tag, error.frame, error.code, error.phase], [
      "ConnectionReset",
      frame,
      expected,
      "before-response"
    ])
  })

  it("DNS failures say which names and record types were asked", () => {
    const system = Classify.classify(NodeErrors.notFound("x.test"), { method: "GET", url, phase: "connect" })
    deepStrictEqual((system as Errors.DnsError).queries, [{ name: "x.test", type: "A/AAAA", code: "ENOTFOUND" }])
    const cares = Object.assign(new Error("queryAaaa ESERVFAIL y.test"), {
      code: "ESERVFAIL",
      syscall: "queryAaaa",
      hostname: "y.test"
    })
    const fromCares = Classify.classify(cares, { method: "GET", url, phase: "connect" }) as Errors.DnsError
    deepStrictEqual(fromCares.queries, [{ name: "y.test", type: "AAAA", code: "ESERVFAIL" }])
    // a resolver that lists its questions (steadfast's node resolver does)
    const listed = Object.assign(new Error("queryA ETIMEOUT z.test"), {
      code: "ETIMEOUT",
      syscall: "queryA",
      hostname: "z.test",
      queries: [{ name: "z.test", type: "A", code: "ETIMEOUT" }, { name: "z.test", type: "AAAA", code: "ENODATA" }, 7]
    })
    const error = Classify.classify(listed, { method: "GET", url, phase: "connect" }) as Errors.DnsError
    deepStrictEqual(error.queries, [
      { name: "z.test", type: "A", code: "ETIMEOUT" },
      { name: "z.test", type: "AAAA", code: "ENODATA" }
    ])
    strictEqual(error.temporary, true)
    assertTrue(error.message.includes("[asked: A z.test → ETIMEOUT, AAAA z.test → ENODATA]"))
  })

  it.each(
    [
      ["self-signed", NodeErrors.selfSigned()],
      ["expired", NodeErrors.certExpired()],
      ["untrusted", NodeErrors.unableToGetIssuerLocally()],
      ["handshake", NodeErrors.handshake()]
    ] as const
  )("TLS reason %s", (reason, error) => {
    const result = Classify.classify(error, { method: "GET", url, phase: "connect" })
    strictEqual((result as Errors.TlsError).reason, reason)
  })

  it("platform InvalidUrl and Encode failures map to InvalidUrl and InvalidRequest", () => {
    const invalidUrl = PlatformError.requestError({
      request,
      reason: "InvalidUrl",
      cause: new TypeError("Invalid URL")
    })
    const encode = PlatformError.requestError({ request, reason: "Encode", cause: new Error("circular") })
    strictEqual(Classify.classify(invalidUrl, { method: "GET", url })._tag, "InvalidUrl")
    strictEqual(Classify.classify(encode, { method: "GET", url })._tag, "InvalidRequest")
  })

  it("a body that does not decompress (CONTENT_DECODING_FAILED) is a DecodeError with the status and a hint, not retried", () => {
    const broken = Object.assign(
      new Error("the body is not valid gzip (Content-Encoding: gzip): incorrect header check"),
      {
        code: Classify.CONTENT_DECODING_FAILED
      }
    )
    const response = HttpClientResponse.fromWeb(request, new Response(""))
    const result = Classify.classify(
      PlatformError.responseError({ request, response, reason: "Decode", cause: broken }),
      { method: "GET", url, phase: "body", status: 200 }
    )
    strictEqual(result._tag, "DecodeError")
    const decode = result as Errors.DecodeError
    deepStrictEqual([decode.status, decode.reason], [200, broken.message])
    assertTrue(decode.message.includes("decompress: false"), decode.message)
    strictEqual(Retry.isRetryable(Retry.defaults, result, "GET", {}), false)
  })

  it("undici refusing a request argument (UND_ERR_INVALID_ARG) is InvalidRequest, not retried", () => {
    const refused = Object.assign(new Error("Proxy-Authorization should be sent in ProxyAgent constructor"), {
      name: "InvalidArgumentError",
      code: "UND_ERR_INVALID_ARG"
    })
    const result = Classify.classify(
      PlatformError.requestError({ request, reason: "Transport", cause: refused }),
      { method: "GET", url }
    )
    strictEqual(result._tag, "InvalidRequest")
    strictEqual(Retry.isRetryable(Retry.defaults, result, "GET", {}), false)
  })

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["a string", "boom"],
    ["a number", 42],
    ["an empty object", {}],
    ["an Error without code", new Error("mystery")],
    [
      "an error whose cause is itself",
      (() => {
        const e = new Error("loop") as Error & { cause?: unknown }
        e.cause = e
        return e
      })()
    ],
    [
      "a deep chain",
      Array.from({ length: 100 }).reduce<unknown>((cause) => new Error("wrap", { cause }), new Error("root"))
    ]
  ])("never throws and keeps an unknown cause: %s", (_name, input) => {
    const result = Classify.classify(input, { method: "GET", url })
    strictEqual(result._tag, "TransportError")
    if (input instanceof Error) assertSummaryOf(result.cause, input)
    else if (typeof input === "object" && input !== null) strictEqual((result.cause as Error).name, "Object")
    else strictEqual(result.cause, input)
  })

  it("urls are redacted in the error", () => {
    const result = Classify.classify(NodeErrors.reset(), {
      method: "GET",
      url: "https://u:secret@api.test/x?access_token=abc"
    })
    strictEqual(result.request.url.includes("secret"), false)
    strictEqual(result.request.url.includes("abc"), false)
  })
})
