/**
 * Credentials a client adds to its requests: a bearer token (fixed, or an
 * Effect run before every attempt so a refreshed token is picked up) or
 * Basic user and password. Give one to the client's `auth` option.
 *
 * Credentials set on a client are sensitive by construction: they go out as
 * an `Authorization` header, which every error message, log line, span,
 * attempt history and testkit recording redacts; they are sent only to the
 * client's base url origin (or the origins listed in its
 * `credentialOrigins` option); a redirect to another origin drops them. A
 * request that carries its own `Authorization` keeps it.
 *
 * @example
 * ```ts
 * import { Auth, Client } from "@steadfast/core"
 * import { Effect, Redacted } from "effect"
 *
 * // a fixed token
 * Client.layer({ baseUrl: "https://api.example.com", auth: Auth.bearer("t0k3n") })
 * // a token read per attempt (from a cache that a background fiber refreshes, say)
 * const current = Effect.succeed(Redacted.make("t0k3n"))
 * Client.layer({ baseUrl: "https://api.example.com", auth: Auth.bearer(current) })
 * // user and password
 * Client.layer({ baseUrl: "https://api.example.com", auth: Auth.basic("carol", "s3cret") })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "#line/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Redacted from "effect/Redacted"
import { basicValue } from "./internal/credentials.js"

/**
 * A secret: a string, or an Effect `Redacted` (what `Config.redacted`
 * yields), which never prints its value.
 *
 * @since 0.1.0
 */
export type Secret = string | Redacted.Redacted<string>

/**
 * @since 0.1.0
 */
export const TypeId: unique symbol = Symbol.for("@steadfast/core/Auth")

/**
 * @since 0.1.0
 */
export type TypeId = typeof TypeId

/**
 * Credentials for a client. Build them with {@link bearer} or {@link basic}.
 * `value` is the whole `Authorization` value when it is fixed; `token` the
 * Effect that yields a bearer token when it is not. Neither prints: the
 * value is `Redacted`, and the object renders as `Auth.bearer(<redacted>)`.
 *
 * @since 0.1.0
 */
export interface Auth extends Inspectable.Inspectable {
  readonly [TypeId]: TypeId
  readonly scheme: "Bearer" | "Basic"
  /** The `Authorization` value, when it is fixed. */
  readonly value: Redacted.Redacted<string> | undefined
  /** The Effect that yields the token, run before each attempt. */
  readonly token: Effect.Effect<Secret, unknown> | undefined
  /** What is wrong with the credentials (a CR or LF in a token, a `:` in a user name), checked when the client is built. */
  readonly problem: string | undefined
}

const reveal = (secret: Secret): string => typeof secret === "string" ? secret : Redacted.value(secret)

const BAD_VALUE = /[\r\n\0]/

const Proto = {
  [TypeId]: TypeId,
  ...Inspectable.BaseProto,
  toJSON(this: Auth) {
    return { _id: "Auth", scheme: this.scheme, value: "<redacted>" }
  },
  toString(this: Auth) {
    return `Auth.${this.scheme.toLowerCase()}(<redacted>)`
  }
}

const make = (fields: Omit<Auth, TypeId | keyof Inspectable.Inspectable>): Auth =>
  Object.assign(Object.create(Proto), fields)

/**
 * A bearer token: `Authorization: Bearer <token>`. Either the token itself,
 * or an Effect that yields it: that Effect runs before every attempt
 * (retries included), so a token refreshed in between is picked up. If it
 * fails, the request fails with `InvalidRequest` (nothing is sent, the
 * failure is its `cause`, and it is not retried); a request that takes
 * longer than the client's deadline to get its token fails with
 * `DeadlineExceeded`.
 *
 * @example
 * ```ts
 * import { Auth, Client } from "@steadfast/core"
 * import { Config, Effect } from "effect"
 *
 * const token = Effect.orDie(Config.redacted("API_TOKEN"))
 * const layer = Client.layer({ baseUrl: "https://api.example.com", auth: Auth.bearer(token) })
 * ```
 *
 * @since 0.1.0
 */
export const bearer = <E>(token: Secret | Effect.Effect<Secret, E>): Auth => {
  if (Effect.isEffect(token)) {
    return make({
      scheme: "Bearer",
      value: undefined,
      token: token as Effect.Effect<Secret, unknown>,
      problem: undefined
    })
  }
  const text = reveal(token)
  return make({
    scheme: "Bearer",
    value: Redacted.make(`Bearer ${text}`),
    token: undefined,
    problem: text === ""
      ? "the bearer token is empty"
      : BAD_VALUE.test(text)
      ? "the bearer token contains CR, LF or NUL"
      : undefined
  })
}

/**
 * User and password: `Authorization: Basic <base64 of user:password>`
 * (UTF-8, RFC 7617).
 *
 * @example
 * ```ts
 * import { Auth, Client } from "@steadfast/core"
 *
 * const layer = Client.layer({ baseUrl: "https://api.example.com", auth: Auth.basic("carol", "s3cret") })
 * ```
 *
 * @since 0.1.0
 */
export const basic = (user: string, password: Secret): Auth => {
  const pass = reveal(password)
  return make({
    scheme: "Basic",
    value: Redacted.make(basicValue(user, pass)),
    token: undefined,
    problem: user.includes(":")
      ? "the user name contains a colon (RFC 7617 does not allow one)"
      : BAD_VALUE.test(user) || BAD_VALUE.test(pass)
      ? "the user name or password contains CR, LF or NUL"
      : undefined
  })
}

/**
 * Whether `u` is an {@link Auth}.
 *
 * @since 0.1.0
 */
export const isAuth = (u: unknown): u is Auth => typeof u === "object" && u !== null && TypeId in u
