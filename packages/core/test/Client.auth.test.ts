/**
 * Client-wide headers, auth and request mapping over the simulated network
 * (virtual time): what each attempt carried is read from the network's
 * recordings (secrets as fingerprints), never from the client.
 */
import * as Cause from "#line/Cause"
import type * as Duration from "#line/Duration"
import * as Effect from "#line/Effect"
import * as Exit from "#line/Exit"
import * as Fiber from "#line/Fiber"
import * as Layer from "#line/Layer"
import { withLogEntries } from "#line/logLines"
import * as TestClock from "#line/TestClock"
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Auth, Client, Errors } from "@steadfast/core"
import { Fault, Reply, Scenario, SimulatedNetwork } from "@steadfast/testkit"
import * as Data from "effect/Data"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as util from "node:util"

const api = "https://api.test"
const quick = { retries: 3, backoff: { base: "100 millis", jitter: "none" } } as const
const TOKEN = "t0k3n-abc"
const fp = SimulatedNetwork.fingerprint

const run = <A, E>(effect: Effect.Effect<A, E, Client.Client>, by: Duration.DurationInput = "10 minutes") =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.exit(effect))
    yield* TestClock.adjust(by)
    return yield* Fiber.join(fiber)
  })

const withNetwork = (scenario: Scenario.Scenario, options: Client.Options) =>
  Effect.provide(Client.layer({ retry: quick, ...options }).pipe(Layer.provideMerge(SimulatedNetwork.layer(scenario))))

const attempts = (route?: string) => Effect.flatMap(SimulatedNetwork.SimulatedNetwork, (net) => net.attempts(route))

const ok = Reply.json(200, { ok: true })

describe("default headers", () => {
  it.effect("go with every request; a request's own header of the same name wins", () =>
    Effect.gen(function*() {
      yield* run(Client.json(HttpClientRequest.get("/me")))
      yield* run(Client.json(HttpClientRequest.get("/me").pipe(HttpClientRequest.setHeader("accept", "text/csv"))))
      const [first, second] = yield* attempts("GET /me")
      expect(first?.headers["accept"]).toBe("application/json")
      expect(first?.headers["user-agent"]).toBe("reports/1.0")
      expect(second?.headers["accept"]).toBe("text/csv")
      expect(second?.headers["user-agent"]).toBe("reports/1.0")
    }).pipe(
      withNetwork(Scenario.make({ "GET /me": Scenario.sequence([ok], { after: "repeat-last" }) }), {
        baseUrl: api,
        headers: { Accept: "application/json", "User-Agent": "reports/1.0" }
      })
    ))

  it.effect("withHeaders adds to the client's headers and keeps the helpers", () =>
    Effect.gen(function*() {
      const client = Client.withHeaders(yield* Client.Client, { "x-tenant": "blue" })
      yield* run(client.json(HttpClientRequest.get("/me")))
      const [attempt] = yield* attempts("GET /me")
      expect(attempt?.headers["x-tenant"]).toBe("blue")
      expect(attempt?.headers["user-agent"]).toBe("reports/1.0")
    }).pipe(
      withNetwork(Scenario.make({ "GET /me": [ok] }), { baseUrl: api, headers: { "user-agent": "reports/1.0" } })
    ))
})

describe("auth", () => {
  it.effect.each(
    [
      ["Auth.bearer(string)", Auth.bearer(TOKEN), `Bearer ${TOKEN}`],
      ["Auth.bearer(Redacted)", Auth.bearer(Redacted.make(TOKEN)), `Bearer ${TOKEN}`],
      ["Auth.basic", Auth.basic("carol", "s3cret"), `Basic ${btoa("carol:s3cret")}`],
      ["Auth.basic in UTF-8", Auth.basic("zoë", "pässword"), `Basic ${Buffer.from("zoë:pässword").toString("base64")}`],
      ["Auth.bearer(Effect)", Auth.bearer(Effect.succeed(TOKEN)), `Bearer ${TOKEN}`]
    ] as const
  )(
    "%s: the Authorization the network saw (recorded redacted, with its fingerprint)",
    ([, auth, sent]) =>
      Effect.gen(function*() {
        yield* run(Client.json(HttpClientRequest.get("/me")))
        const [attempt] = yield* attempts("GET /me")
        expect(attempt?.headers["authorization"]).toBe("<redacted>")
        expect(attempt?.fingerprints["authorization"]).toBe(fp(sent))
      }).pipe(withNetwork(Scenario.make({ "GET /me": [ok] }), { baseUrl: api, auth }))
  )

  it.effect("a request's own Authorization wins over the client's", () =>
    Effect.gen(function*() {
      yield* run(Client.json(HttpClientRequest.get("/me").pipe(HttpClientRequest.bearerToken("mine"))))
      const [attempt] = yield* attempts("GET /me")
      expect(attempt?.fingerprints["authorization"]).toBe(fp("Bearer mine"))
    }).pipe(withNetwork(Scenario.make({ "GET /me": [ok] }), { baseUrl: api, auth: Auth.bearer(TOKEN) })))

  it.effect("the token Effect runs before every attempt: a token refreshed during the backoff goes with the retry", () =>
    Effect.gen(function*() {
      // a token source that hands out a new token each time it is asked, as a refresh would
      const counter = yield* Ref.make(0)
      const token = Effect.map(Ref.updateAndGet(counter, (n) => n + 1), (n) => Redacted.make(`token-${n}`))
      const client = Client.withAuth(yield* Client.Client, Auth.bearer(token))
      const exit = yield* run(client.json(HttpClientRequest.get("/me")))
      expect(Exit.isSuccess(exit)).toBe(true)
      const sent = (yield* attempts("GET /me")).map((a) => a.fingerprints["authorization"])
      expect(sent).toEqual([fp("Bearer token-1"), fp("Bearer token-2"), fp("Bearer token-3")])
    }).pipe(
      withNetwork(Scenario.make({ "GET /me": [Fault.status(503), Fault.reset(), ok] }), { baseUrl: api })
    ))

  it.effect("a token refreshed by another fiber between retries (TestClock) is the one the retry sends", () =>
    Effect.gen(function*() {
      const current = yield* Ref.make("old-token")
      const client = Client.withAuth(yield* Client.Client, Auth.bearer(Ref.get(current)))
      const fiber = yield* Effect.fork(client.json(HttpClientRequest.get("/me")))
      yield* TestClock.adjust("10 millis") // the first attempt got its 503; the retry waits 100 ms
      yield* Ref.set(current, "new-token")
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      const sent = (yield* attempts("GET /me")).map((a) => a.fingerprints["authorization"])
      expect(sent).toEqual([fp("Bearer old-token"), fp("Bearer new-token")])
    }).pipe(withNetwork(Scenario.make({ "GET /me": [Fault.status(503), ok] }), { baseUrl: api })))

  it.effect("a failing token Effect: InvalidRequest with a hint and the failure as its cause; nothing sent, no retry", () =>
    Effect.gen(function*() {
      class TokenServiceDown extends Data.TaggedError("TokenServiceDown")<{ readonly detail: string }> {}
      const asked = yield* Ref.make(0)
      const token = Effect.zipRight(
        Ref.update(asked, (n) => n + 1),
        Effect.fail(new TokenServiceDown({ detail: `refresh of Bearer ${TOKEN} refused` }))
      )
      const client = Client.withAuth(yield* Client.Client, Auth.bearer(token))
      const exit = yield* run(client.json(HttpClientRequest.get("/me")))
      const error = Exit.isFailure(exit) ? Option.getOrThrow(Cause.failureOption(exit.cause)) : undefined
      expect(error?._tag).toBe("InvalidRequest")
      expect(error?.message).toBe(
        "GET https://api.test/me: invalid request, the client's auth could not get its token: the Effect given to " +
          "Auth.bearer() failed with TokenServiceDown. Nothing was sent and it is not retried; the failure is this " +
          "error's `cause`. Make that Effect recover (retry, or fall back to a cached value) if its source may " +
          "fail for a moment."
      )
      expect((error?.cause as { name?: string } | undefined)?.name).toBe("TokenServiceDown")
      expect(yield* Ref.get(asked)).toBe(1)
      expect(yield* attempts()).toEqual([])
      // the failure's own text, which quoted the token, is redacted in every rendering of the error
      for (const text of renderings(error)) expect(text).not.toContain(TOKEN)
    }).pipe(withNetwork(Scenario.make({ "GET /me": [ok] }), { baseUrl: api })))

  it.effect("a token Effect slower than the deadline: DeadlineExceeded, nothing sent", () =>
    Effect.gen(function*() {
      const client = Client.withAuth(yield* Client.Client, Auth.bearer(Effect.never))
      const exit = yield* run(client.json(HttpClientRequest.get("/me")), "1 minute")
      const error = Exit.isFailure(exit) ? Option.getOrThrow(Cause.failureOption(exit.cause)) : undefined
      expect(error?._tag).toBe("DeadlineExceeded")
      expect(yield* attempts()).toEqual([])
    }).pipe(withNetwork(Scenario.make({ "GET /me": [ok] }), { baseUrl: api, timeouts: { deadline: "5 seconds" } })))

  it.effect("a token Effect that yields a value with CR/LF: InvalidRequest that does not show it", () =>
    Effect.gen(function*() {
      const client = Client.withAuth(yield* Client.Client, Auth.bearer(Effect.succeed(`${TOKEN}\r\nx-evil: 1`)))
      const exit = yield* run(client.json(HttpClientRequest.get("/me")))
      const error = Exit.isFailure(exit) ? Option.getOrThrow(Cause.failureOption(exit.cause)) : undefined
      expect(error?._tag).toBe("InvalidRequest")
      expect(error?.message).toContain("contains CR, LF or NUL")
      expect(error?.message).not.toContain(TOKEN)
      expect(yield* attempts()).toEqual([])
    }).pipe(withNetwork(Scenario.make({ "GET /me": [ok] }), { baseUrl: api })))
})

describe("credentials go to the credential origins only", () => {
  const scenario = Scenario.make({
    "GET /me": Scenario.sequence([ok], { after: "repeat-last" }),
    "GET /files": Scenario.sequence([Reply.echo()], { after: "repeat-last" })
  })
  const secrets = { auth: Auth.bearer(TOKEN), headers: { "x-api-key": "k3y", accept: "application/json" } }

  it.effect("another origin (allowAbsoluteUrls) gets the plain headers and no credentials", () =>
    Effect.gen(function*() {
      yield* run(Client.json(HttpClientRequest.get("https://cdn.test/files")))
      yield* run(Client.json(HttpClientRequest.get("/me")))
      const [other] = yield* attempts("GET /files")
      expect(other?.headers["authorization"]).toBeUndefined()
      expect(other?.headers["x-api-key"]).toBeUndefined()
      expect(other?.headers["accept"]).toBe("application/json")
      const [own] = yield* attempts("GET /me")
      expect(own?.fingerprints).toEqual({ authorization: fp(`Bearer ${TOKEN}`), "x-api-key": fp("k3y") })
    }).pipe(withNetwork(scenario, { baseUrl: api, allowAbsoluteUrls: true, ...secrets })))

  it.effect.each(
    [
      ["listed", ["https://cdn.test"]],
      ["\"any\"", "any"]
    ] as const
  )("credentialOrigins %s: that origin gets them too", ([, credentialOrigins]) =>
    Effect.gen(function*() {
      yield* run(Client.json(HttpClientRequest.get("https://cdn.test/files")))
      const [other] = yield* attempts("GET /files")
      expect(other?.fingerprints).toEqual({ authorization: fp(`Bearer ${TOKEN}`), "x-api-key": fp("k3y") })
    }).pipe(withNetwork(scenario, { baseUrl: api, allowAbsoluteUrls: true, credentialOrigins, ...secrets })))

  it.effect("a token Effect is not run for another origin", () =>
    Effect.gen(function*() {
      const asked = yield* Ref.make(0)
      const client = Client.withAuth(
        yield* Client.Client,
        Auth.bearer(Effect.as(Ref.update(asked, (n) => n + 1), TOKEN))
      )
      yield* run(client.json(HttpClientRequest.get("https://cdn.test/files")))
      expect(yield* Ref.get(asked)).toBe(0)
      const [other] = yield* attempts("GET /files")
      expect(other?.headers["authorization"]).toBeUndefined()
    }).pipe(withNetwork(scenario, { baseUrl: api, allowAbsoluteUrls: true })))

  it.effect("a redirect to another origin drops them; a redirect on the same origin keeps them", () =>
    Effect.gen(function*() {
      yield* run(Client.json(HttpClientRequest.get("/away")))
      yield* run(Client.json(HttpClientRequest.get("/here")))
      const [away] = yield* attempts("GET /files")
      expect(away?.url).toBe("https://cdn.test/files")
      expect(away?.headers["authorization"]).toBeUndefined()
      expect(away?.headers["x-api-key"]).toBeUndefined()
      const [here] = yield* attempts("GET /me")
      expect(here?.fingerprints).toEqual({ authorization: fp(`Bearer ${TOKEN}`), "x-api-key": fp("k3y") })
    }).pipe(
      withNetwork(
        Scenario.make({
          "GET /away": [Fault.redirect(302, "https://cdn.test/files")],
          "GET /here": [Fault.redirect(302, "/me")],
          "GET /me": [ok],
          "GET /files": [Reply.echo()]
        }),
        { baseUrl: api, ...secrets }
      )
    ))

  it.effect("a header in redirects.sensitiveHeaders is a credential too", () =>
    Effect.gen(function*() {
      yield* run(Client.json(HttpClientRequest.get("https://cdn.test/files")))
      const [other] = yield* attempts("GET /files")
      expect(other?.headers["x-tenant-key"]).toBeUndefined()
      const client = yield* Client.Client
      expect(client.settings.redirects.sensitiveHeaders.has("x-tenant-key")).toBe(true)
    }).pipe(
      withNetwork(scenario, {
        baseUrl: api,
        allowAbsoluteUrls: true,
        redirects: { sensitiveHeaders: ["X-Tenant-Key"] },
        headers: { "X-Tenant-Key": "blue-k3y" }
      })
    ))
})

describe("mapRequest", () => {
  const scenario = Scenario.make({ "GET /me": Scenario.sequence([ok], { after: "repeat-last" }) })

  it.effect("Client.mapRequest keeps json/text/bytes; mappings run in order, before url resolution", () =>
    Effect.gen(function*() {
      const client = (yield* Client.Client).pipe(
        Client.mapRequest(HttpClientRequest.setUrlParam("v", "1")),
        Client.mapRequest(HttpClientRequest.setUrlParam("v", "2")),
        Client.mapRequest(HttpClientRequest.setHeader("x-step", "mapped"))
      )
      const value = yield* run(client.json(HttpClientRequest.get("/me")))
      expect(Exit.isSuccess(value) && value.value).toEqual({ ok: true })
      yield* run(client.text(HttpClientRequest.get("/me")))
      yield* run(client.bytes(HttpClientRequest.get("/me")))
      const seen = yield* attempts("GET /me")
      expect(seen.map((a) => [a.url, a.headers["x-step"]])).toEqual([
        ["https://api.test/me?v=2", "mapped"],
        ["https://api.test/me?v=2", "mapped"],
        ["https://api.test/me?v=2", "mapped"]
      ])
    }).pipe(withNetwork(scenario, { baseUrl: api })))

  it.effect("a mapping survives withOptions; the option form works the same", () =>
    Effect.gen(function*() {
      const client = Client.withOptions(
        Client.mapRequest(yield* Client.Client, HttpClientRequest.setHeader("x-b", "2")),
        { timeouts: { response: "3 seconds" } }
      )
      yield* run(client.json(HttpClientRequest.get("/me")))
      const [attempt] = yield* attempts("GET /me")
      expect([attempt?.headers["x-a"], attempt?.headers["x-b"]]).toEqual(["1", "2"])
    }).pipe(withNetwork(scenario, { baseUrl: api, mapRequest: HttpClientRequest.setHeader("x-a", "1") })))

  it.effect("mapRequestEffect: its Effect runs once per request; its failure is InvalidRequest, nothing sent", () =>
    Effect.gen(function*() {
      const runs = yield* Ref.make(0)
      const client = Client.mapRequestEffect(
        yield* Client.Client,
        (request) =>
          Effect.map(Ref.updateAndGet(runs, (n) => n + 1), (n) => HttpClientRequest.setHeader(request, "x-run", `${n}`))
      )
      yield* run(client.json(HttpClientRequest.get("/flaky")))
      expect((yield* attempts("GET /flaky")).map((a) => a.headers["x-run"])).toEqual(["1", "1"])
      const failing = Client.mapRequestEffect(yield* Client.Client, () => Effect.fail("no signing key"))
      const exit = yield* run(failing.json(HttpClientRequest.get("/me")))
      const error = Exit.isFailure(exit) ? Option.getOrThrow(Cause.failureOption(exit.cause)) : undefined
      expect(error?._tag).toBe("InvalidRequest")
      expect(error?.message).toBe(
        "GET /me: invalid request, the client's mapRequestEffect function failed with string. Nothing was sent and " +
          "it is not retried; the failure is this error's `cause`."
      )
      expect(yield* attempts("GET /me")).toEqual([])
    }).pipe(
      withNetwork(
        Scenario.make({ "GET /flaky": [Fault.status(503), ok], "GET /me": [ok] }),
        { baseUrl: api }
      )
    ))
})

describe("options", () => {
  it.each(
    [
      ["auth without a baseUrl", { auth: Auth.bearer(TOKEN) }, "auth"],
      ["a secret header without a baseUrl", { headers: { "x-api-key": "k" } }, "headers"],
      ["an empty token", { baseUrl: api, auth: Auth.bearer("") }, "auth"],
      ["a token with CR/LF", { baseUrl: api, auth: Auth.bearer(`${TOKEN}\r\n`) }, "auth"],
      ["a user name with a colon", { baseUrl: api, auth: Auth.basic("a:b", "pw") }, "auth"],
      ["not an Auth", { baseUrl: api, auth: { scheme: "Bearer" } as unknown as Auth.Auth }, "auth"],
      ["a header value with CR/LF", { baseUrl: api, headers: { "x-a": `1\r\nx-b: ${TOKEN}` } }, "headers.x-a"],
      ["a bad header name", { baseUrl: api, headers: { "x a": "1" } }, "headers"],
      ["a credential origin that is not a url", { baseUrl: api, credentialOrigins: ["cdn"] }, "credentialOrigins[0]"],
      ["mapRequest not a function", { baseUrl: api, mapRequest: 1 as never }, "mapRequest"]
    ] as const
  )("%s is InvalidOptions naming the option, without the secret", (_, options, option) => {
    let error: unknown
    try {
      Client.settings(options as Client.Options)
    } catch (e) {
      error = e
    }
    expect(Errors.isInvalidOptions(error) && error.option).toBe(option)
    expect(String((error as Error).message)).not.toContain(TOKEN)
  })

  it("a client without baseUrl may send credentials to the origins it lists", () => {
    const settings = Client.settings({ auth: Auth.bearer(TOKEN), credentialOrigins: ["https://api.test/ignored"] })
    expect(settings.credentialOrigins).toEqual(["https://api.test"])
  })
})

describe("secrets never show", () => {
  it.effect("not in the error, its history, the logs (Debug) or the client's settings", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const client = yield* Client.Client
      const exit = yield* run(
        Client.withHistory(client.json(HttpClientRequest.get("/me"))).pipe(
          Effect.tapErrorCause(Effect.logError),
          withLogEntries("Debug", ({ annotations, message }) => {
            lines.push(`${util.inspect(message, { depth: 10 })} ${util.inspect(annotations, { depth: 10 })}`)
          })
        )
      )
      const error = Exit.isFailure(exit) ? Option.getOrThrow(Cause.failureOption(exit.cause)) : undefined
      expect(error?._tag).toBe("StatusError")
      expect(lines.length).toBeGreaterThan(0)
      // the network did receive them: the check below is not vacuous
      const [attempt] = yield* attempts("GET /me")
      expect(attempt?.fingerprints["authorization"]).toBe(fp(`Bearer ${TOKEN}`))
      for (const text of [...renderings(error), ...lines, util.inspect(client.settings, { depth: 10 })]) {
        expect(text).not.toContain(TOKEN)
        expect(text).not.toContain("k3y-secret")
      }
    }).pipe(
      withNetwork(
        Scenario.make({
          "GET /me": [Fault.status(503), Reply.json(401, { error: "bad token" }, { "www-authenticate": "Bearer" })]
        }),
        { baseUrl: api, auth: Auth.bearer(TOKEN), headers: { "x-api-key": "k3y-secret" } }
      )
    ))

  it("an Auth value prints as Auth.bearer(<redacted>)", () => {
    const auth = Auth.bearer(TOKEN)
    for (const text of [String(auth), JSON.stringify(auth), util.inspect(auth)]) expect(text).not.toContain(TOKEN)
    expect(String(auth)).toBe("Auth.bearer(<redacted>)")
  })
})

/** Every way an error is shown: message, JSON, inspect, Cause.pretty, String. */
const renderings = (error: unknown): ReadonlyArray<string> => {
  return [
    String((error as Error).message),
    JSON.stringify(error),
    util.inspect(error, { depth: 10 }),
    Cause.pretty(Cause.fail(error)),
    String(error)
  ]
}
