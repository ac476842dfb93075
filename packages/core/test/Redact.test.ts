import { describe, it } from "@effect/vitest"
import { assertFalse, assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Errors, Redact } from "@steadfast/core"
import * as fc from "effect/FastCheck"
import { redactBody, redactBodyMembers, redactFreeText, redactFreeTextAlways } from "../src/internal/redact.js"

const R = Redact.REDACTED

describe("Redact", () => {
  it("REDACTED is <redacted>", () => {
    strictEqual(Redact.REDACTED, "<redacted>")
  })

  describe("url: user info", () => {
    it.each([
      { input: "https://user:pw@api.test/x", output: `https://user:${R}@api.test/x` },
      { input: "https://user:p%40ss@api.test/x", output: `https://user:${R}@api.test/x` },
      { input: "http://admin:admin@10.0.0.1:8080/", output: `http://admin:${R}@10.0.0.1:8080/` },
      { input: "https://ghp_t0ken@api.test/x", output: `https://${R}@api.test/x` },
      { input: "https://user:@api.test/x", output: `https://${R}@api.test/x` }
    ])("$input -> $output", ({ input, output }) => {
      strictEqual(Redact.url(input), output)
    })
  })

  describe("url: token-like query parameters", () => {
    it.each([
      "token",
      "Token",
      "access_token",
      "ACCESS_TOKEN",
      "accessToken",
      "refresh_token",
      "id_token",
      "api_key",
      "api-key",
      "apikey",
      "apiKey",
      "key",
      "X-Amz-Signature",
      "X-Amz-Credential",
      "X-Amz-Security-Token",
      "x-goog-signature",
      "sig",
      "signature",
      "Signature",
      "password",
      "passwd",
      "pwd",
      "client_secret",
      "auth",
      "code"
    ])("the value of %s is replaced", (name) => {
      const out = Redact.url(`https://api.test/x?${name}=s3cr3tV4lue`)
      strictEqual(out, `https://api.test/x?${name}=${R}`)
    })

    it("non-sensitive parameters keep their values and their order around redacted ones", () => {
      strictEqual(
        Redact.url("https://api.test/x?b=2&token=t0k&a=1&api_key=k3y&c=3&b=4"),
        `https://api.test/x?b=2&token=${R}&a=1&api_key=${R}&c=3&b=4`
      )
    })

    it("every occurrence of a repeated sensitive parameter is replaced", () => {
      strictEqual(Redact.url("https://api.test/x?sig=1&sig=2"), `https://api.test/x?sig=${R}&sig=${R}`)
    })

    it.each([
      "https://api.test/x?page=2&sort=name&keyword=cats&monkey=1&author=me",
      "https://api.test/a/b",
      "https://api.test:8443/a?q=1#frag"
    ])("%s has nothing to redact and comes back as it was", (input) => {
      strictEqual(Redact.url(input), input)
    })

    it("user info and parameters together", () => {
      strictEqual(
        Redact.url("https://u:p@api.test/x?access_token=abc&page=2"),
        `https://u:${R}@api.test/x?access_token=${R}&page=2`
      )
    })

    it("a URL object is accepted and not modified", () => {
      const input = new URL("https://u:p@api.test/x?token=abc")
      strictEqual(Redact.url(input), `https://u:${R}@api.test/x?token=${R}`)
      strictEqual(input.href, "https://u:p@api.test/x?token=abc")
    })

    it.each([
      "secret_key",
      "aws_secret_access_key",
      "session_id"
    ])("the value of %s, whose name contains a secret word but does not end with it, is replaced", (name) => {
      strictEqual(Redact.url(`https://api.test/x?${name}=s3cr3tV4lue`), `https://api.test/x?${name}=${R}`)
    })
  })

  describe("url: text that is not a url", () => {
    it("is returned as it is when short", () => {
      strictEqual(Redact.url("not a url"), "not a url")
    })

    it("is cut to 200 characters, marked with an ellipsis", () => {
      const text = "x".repeat(199) + "y" + "z".repeat(100)
      strictEqual(Redact.url(text), "x".repeat(199) + "y…")
    })

    it("of exactly 200 characters is not cut", () => {
      const text = "w".repeat(200)
      strictEqual(Redact.url(text), text)
    })

    it("that still holds a token-like parameter has its value removed", () => {
      // a url without its scheme: the client reports it as InvalidUrl with this text
      const out = Redact.url("api.test/v1/items?access_token=s3cr3tV4lue&page=2")
      assertFalse(out.includes("s3cr3tV4lue"), out)
    })

    it.each([
      ["carol:s3cret@proxy.corp:3128", "carol:<redacted>@proxy.corp:3128"],
      ["carol:s3cret@proxy.corp:3128/path", "carol:<redacted>@proxy.corp:3128/path"],
      ["carol:@proxy.corp", "carol:<redacted>@proxy.corp"]
    ])("user:password@host without a scheme (%s) loses its password", (input, expected) => {
      // it parses as a url of scheme "carol:" with no user info
      strictEqual(Redact.url(input), expected)
    })
  })

  describe("headers", () => {
    it.each([
      "authorization",
      "Authorization",
      "AUTHORIZATION",
      "proxy-authorization",
      "cookie",
      "Cookie",
      "set-cookie",
      "x-api-key",
      "X-API-Key",
      "api-key",
      "x-auth-token",
      "x-csrf-token",
      "x-amz-security-token",
      "x-refresh-token",
      "client-secret",
      "x-client-secret",
      "x-password",
      "x-goog-signature",
      "x-goog-api-key"
    ])("the value of %s is replaced, its name kept as given", (name) => {
      deepStrictEqual(Redact.headers({ [name]: "s3cr3tV4lue" }), { [name]: R })
      assertTrue(Redact.isSensitiveHeader(name))
    })

    it.each([
      "accept",
      "content-type",
      "user-agent",
      "x-request-id",
      "location",
      "retry-after",
      "keep-alive"
    ])("%s is kept", (name) => {
      deepStrictEqual(Redact.headers({ [name]: "value" }), { [name]: "value" })
      assertFalse(Redact.isSensitiveHeader(name))
    })

    it("array values are joined with a comma; a sensitive array becomes one <redacted>", () => {
      deepStrictEqual(
        Redact.headers({
          accept: ["application/json", "text/plain"],
          "set-cookie": ["a=1; Path=/", "b=2; HttpOnly"],
          via: ["1.1 a"]
        }),
        { accept: "application/json, text/plain", "set-cookie": R, via: "1.1 a" }
      )
    })

    it("undefined values are left out", () => {
      deepStrictEqual(Redact.headers({ accept: undefined, authorization: undefined, "x-a": "1" }), { "x-a": "1" })
    })

    it("the input is not modified", () => {
      const input = { authorization: "Bearer t", accept: "*/*" }
      Redact.headers(input)
      deepStrictEqual(input, { authorization: "Bearer t", accept: "*/*" })
    })

    it("a mix: secrets gone, the rest kept in order", () => {
      const out = Redact.headers({
        Accept: "*/*",
        Authorization: "Bearer eyJhbGciOi",
        Cookie: "sid=abc",
        "X-Request-Id": "42"
      })
      deepStrictEqual(out, { Accept: "*/*", Authorization: R, Cookie: R, "X-Request-Id": "42" })
      deepStrictEqual(Object.keys(out), ["Accept", "Authorization", "Cookie", "X-Request-Id"])
    })
  })

  describe("free text: the shortcut for text with nothing to redact", () => {
    // pieces of error messages, with and without what a secret needs (`@`, `=`, a scheme, a header name)
    const piece = fc.constantFrom(
      "read ECONNRESET",
      "connect ECONNREFUSED 127.0.0.1:8080",
      " ",
      "\n",
      "https://api.test/x",
      "//user:pw@host",
      "//tok@host",
      "?token=abc",
      "&a=b",
      "Bearer abc",
      "BASIC dXNlcjpwdw==",
      "digest x",
      "NTLM y",
      "AWS4-HMAC-SHA256 Credential=k",
      "authorization: t",
      "\"cookie\":\"s\"",
      "x-api-key=k",
      "X-Auth-Token: t",
      "user:pw@proxy:3128",
      "at Object.<anonymous> (/app/x.js:1:2)",
      "key",
      "@",
      "="
    )
    const text = fc.array(fc.oneof(piece, fc.string({ maxLength: 8 })), { maxLength: 12 }).map((p) => p.join(""))

    it.prop(
      "gives what running every pattern gives",
      [text],
      ([input]) => {
        strictEqual(redactFreeText(input), redactFreeTextAlways(input))
      },
      { fastCheck: { seed: 20261206, numRuns: 3000 } }
    )

    it("returns text without `@`, `=`, an auth scheme or a header name as it is", () => {
      const message = "connect ECONNREFUSED 127.0.0.1:8080"
      strictEqual(redactFreeText(message), message)
      strictEqual(redactFreeText("GET https://api.test/x?token=abc"), `GET https://api.test/x?token=${R}`)
    })
  })
})

describe("redactBody (StatusError.body)", () => {
  it.each([
    {
      input: `{"error":"invalid_grant","access_token":"tok-123","expires_in":3600}`,
      output: `{"error":"invalid_grant","access_token":"${R}","expires_in":3600}`
    },
    { input: `{"password": 12345, "user": "ann"}`, output: `{"password": "${R}", "user": "ann"}` },
    { input: `{"detail":"use Bearer abc.def"}`, output: `{"detail":"use Bearer ${R}"}` },
    { input: `grant_type=password&password=hunter2&user=ann`, output: `grant_type=password&password=${R}&user=ann` },
    { input: `{"message":"not found","code":"E404X"}`, output: `{"message":"not found","code":"E404X"}` },
    { input: "plain text, nothing secret", output: "plain text, nothing secret" }
  ])("$input -> $output", ({ input, output }) => {
    strictEqual(redactBody(input), output)
  })

  describe("the shortcut for a body without a sensitive member name", () => {
    // JSON members and form pairs, with and without a sensitive name (every word `isSensitiveParam` knows)
    const name = fc.constantFrom(
      "error",
      "retry",
      "message",
      "code",
      "access_token",
      "client_secret",
      "password",
      "passwd",
      "pwd",
      "X-Amz-Signature",
      "sig",
      "key",
      "apiKey",
      "api-key",
      "auth",
      "JWT",
      "session_id",
      "credential",
      "private_key",
      "x-goog-credential"
    )
    const member = fc.tuple(name, fc.oneof(fc.string({ maxLength: 6 }), fc.integer().map(String))).map(([n, v]) =>
      `"${n}":"${v}"`
    )
    const body = fc.array(fc.oneof(member, fc.string({ maxLength: 6 })), { maxLength: 8 }).map((m) =>
      `{${m.join(",")}}`
    )

    it.prop(
      "gives what running the member pattern gives",
      [body],
      ([input]) => {
        strictEqual(redactBody(input), redactBodyMembers(redactFreeText(input)))
      },
      { fastCheck: { seed: 20261207, numRuns: 3000 } }
    )
  })

  it("a StatusError keeps its body redacted, however it is built", () => {
    const error = new Errors.StatusError({
      request: { method: "GET", url: "https://api.test/x" },
      attempts: 1,
      history: [],
      status: 401,
      headers: {},
      body: `{"refresh_token":"rt-secret-9","hint":"expired"}`
    })
    strictEqual(error.body, `{"refresh_token":"${R}","hint":"expired"}`)
    assertFalse(JSON.stringify(error).includes("rt-secret-9"))
  })
})
