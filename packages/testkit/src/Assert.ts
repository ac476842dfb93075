/**
 * Assertions about what happened on the simulated network, as Effects that
 * fail with a readable `AssertionFailed` — no test framework needed. Each
 * message lists the attempts it looked at.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Assert } from "@steadfast/testkit"
 *
 * const check = Effect.gen(function* () {
 *   yield* Assert.attempts("GET /items", 3)
 *   yield* Assert.delays("GET /items", ["1 second", "2 seconds"])
 *   yield* Assert.outcomes("GET /items", ["ECONNRESET", 503, 200])
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Cause from "@steadfast/core/line/Cause"
import * as Duration from "@steadfast/core/line/Duration"
import * as Effect from "@steadfast/core/line/Effect"
import * as Exit from "@steadfast/core/line/Exit"
import * as Data from "effect/Data"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import { type AttemptRecord, format, outcomeLabel, SimulatedNetwork } from "./SimulatedNetwork.js"

/**
 * A failed assertion; `message` says what was expected, what happened, and
 * lists the attempts involved.
 *
 * @since 0.1.0
 */
export class AssertionFailed extends Data.TaggedError("AssertionFailed")<{ readonly message: string }> {}

const where = (route: string | undefined) => route === undefined ? "on the network" : `on route "${route}"`

const listing = (records: ReadonlyArray<AttemptRecord>): string =>
  records.length === 0 ? "\n  (no attempts)" : records.map((r) => `\n  ${format(r)}`).join("")

const records = (route: string | undefined) => Effect.flatMap(SimulatedNetwork, (net) => net.attempts(route))

/**
 * Succeeds with the attempts made on `route` (every attempt when
 * `undefined`) when there were exactly `expected` of them.
 *
 * @example
 * ```ts
 * import { Assert } from "@steadfast/testkit"
 *
 * // after the code under test ran over SimulatedNetwork.layer()
 * const threeAttempts = Assert.attempts("GET /items", 3)
 * ```
 *
 * @since 0.1.0
 */
export const attempts = (
  route: string | undefined,
  expected: number
): Effect.Effect<ReadonlyArray<AttemptRecord>, AssertionFailed, SimulatedNetwork> =>
  Effect.flatMap(records(route), (found) =>
    found.length === expected
      ? Effect.succeed(found)
      : Effect.fail(
        new AssertionFailed({
          message: `expected ${expected} attempt(s) ${where(route)}, got ${found.length}:${listing(found)}`
        })
      ))

/**
 * Succeeds with the waits between consecutive attempts on `route` (every
 * attempt when `undefined`) when they equal `expected`, in virtual time.
 *
 * By default a wait runs from the end of one attempt (when its outcome was
 * set) to the start of the next: the backoff a retry policy chose. With
 * `from: "start"` it runs from start to start. An attempt still pending
 * when the next began counts from its start.
 *
 * @example
 * ```ts
 * import { Assert } from "@steadfast/testkit"
 *
 * // the waits between the attempts, as the TestClock measured them
 * const backoff = Assert.delays("GET /items", ["100 millis", "200 millis", "400 millis"])
 * ```
 *
 * @since 0.1.0
 */
export const delays = (
  route: string | undefined,
  expected: ReadonlyArray<Duration.DurationInput>,
  options?: { readonly from?: "end" | "start" | undefined }
): Effect.Effect<ReadonlyArray<Duration.Duration>, AssertionFailed, SimulatedNetwork> =>
  Effect.flatMap(records(route), (found) => {
    const fromStart = options?.from === "start"
    const actual: Array<Duration.Duration> = []
    for (let i = 1; i < found.length; i++) {
      const previous = found[i - 1]!
      const since = fromStart || previous.endedAt === undefined ? previous.at : previous.endedAt
      actual.push(Duration.millis(found[i]!.at - since))
    }
    const wanted = expected.map(Duration.decode)
    const same = actual.length === wanted.length && actual.every((d, i) => Duration.equals(d, wanted[i]!))
    if (same) return Effect.succeed(actual)
    const show = (ds: ReadonlyArray<Duration.Duration>) => `[${ds.map((d) => Duration.format(d)).join(", ")}]`
    return Effect.fail(
      new AssertionFailed({
        message: `expected delays ${show(wanted)} between attempts ${where(route)} (from ${
          fromStart ? "start" : "end"
        } to start), got ${show(actual)}:${listing(found)}`
      })
    )
  })

/**
 * Succeeds with the attempts on `route` (every attempt when `undefined`)
 * when their outcomes read as `expected`: a status (`503` or `"503"`), an
 * error code (`"ECONNRESET"`, `"UND_ERR_SOCKET (body)"` during the body),
 * `"aborted: ResponseTimeout"`, or `"pending"` (see `SimulatedNetwork.outcomeLabel`).
 *
 * @since 0.1.0
 */
export const outcomes = (
  route: string | undefined,
  expected: ReadonlyArray<string | number>
): Effect.Effect<ReadonlyArray<AttemptRecord>, AssertionFailed, SimulatedNetwork> =>
  Effect.flatMap(records(route), (found) => {
    const actual = found.map(outcomeLabel)
    const wanted = expected.map(String)
    return actual.length === wanted.length && actual.every((a, i) => a === wanted[i])
      ? Effect.succeed(found)
      : Effect.fail(
        new AssertionFailed({
          message: `expected outcomes ${JSON.stringify(wanted)} ${where(route)}, got ${JSON.stringify(actual)}:${
            listing(found)
          }`
        })
      )
  })

const json = (u: unknown): string => {
  try {
    return JSON.stringify(u) ?? String(u)
  } catch {
    return String(u)
  }
}

const describe = (u: unknown): string => {
  if (Predicate.hasProperty(u, "_tag") && typeof u._tag === "string") {
    const message = u instanceof Error ? u.message : Predicate.hasProperty(u, "message") ? String(u.message) : ""
    if (message !== "") return `${u._tag}: ${message}`
    const { _tag, ...fields } = u as Record<string, unknown>
    return Object.keys(fields).length === 0 ? u._tag : `${u._tag} ${json(fields)}`
  }
  if (u instanceof Error) return `${u.name}: ${u.message}`
  return json(u)
}

/**
 * Runs an effect that must fail with an error whose `_tag` is `tag`, and
 * succeeds with that error. A success, another failure, a defect or an
 * interruption fails the assertion with what happened instead.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { Assert } from "@steadfast/testkit"
 *
 * const check = Effect.gen(function*() {
 *   const error = yield* HttpClient.get("http://api.test/items").pipe(Assert.failsWithTag("RequestError"))
 *   return error.reason // typed: the RequestError's fields
 * })
 * ```
 *
 * @since 0.1.0
 */
export const failsWithTag: {
  <T extends string>(
    tag: T
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<Extract<E, { readonly _tag: T }>, AssertionFailed, R>
  <A, E, R, T extends string>(
    self: Effect.Effect<A, E, R>,
    tag: T
  ): Effect.Effect<Extract<E, { readonly _tag: T }>, AssertionFailed, R>
} = dual(2, <A, E, R, T extends string>(
  self: Effect.Effect<A, E, R>,
  tag: T
): Effect.Effect<Extract<E, { readonly _tag: T }>, AssertionFailed, R> =>
  Effect.flatMap(Effect.exit(self), (exit) => {
    const fail = (what: string) =>
      Effect.fail(new AssertionFailed({ message: `expected a failure tagged "${tag}", but ${what}` }))
    if (Exit.isSuccess(exit)) return fail(`it succeeded with ${describe(exit.value)}`)
    const error = Cause.failureOption(exit.cause)
    if (Option.isSome(error)) {
      const e = error.value
      return Predicate.hasProperty(e, "_tag") && e._tag === tag
        ? Effect.succeed(e as Extract<E, { readonly _tag: T }>)
        : fail(`it failed with ${describe(e)}`)
    }
    if (Cause.isInterruptedOnly(exit.cause)) return fail(`it was interrupted:\n${Cause.pretty(exit.cause)}`)
    return fail(`it died with ${describe(Cause.squash(exit.cause))}`)
  }))
