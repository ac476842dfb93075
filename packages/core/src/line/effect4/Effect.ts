/**
 * `effect/Effect` for the Effect 4 line, with the names the shared source
 * uses in their Effect 3 spelling (see docs/design.md, "Two Effect lines"):
 * `fork` (Effect 4: `forkChild`), `clock` (`clockWith`), `zipRight`
 * (`andThen` of an effect), `catchAll` / `catchAllCause` (`catch` /
 * `catchCause`), `async` (`callback`), `either` (over `result`; an `Either` of `#line/Either`),
 * `timeoutFail` (`timeoutOrElse` failing), `dieMessage`, `disconnect`,
 * `unsafeMakeSemaphore` (`Semaphore.makeUnsafe`), `locally` (a
 * `Context.Reference` provided to one effect), `withConfigProvider` /
 * `configProviderWith` (the `ConfigProvider` reference), and
 * `withFiberRuntime` (`withFiber`, with the fiber's reads in their Effect 3
 * spelling: `getFiberRef`, `currentTracer`, `currentSpan`,
 * `currentRuntimeFlags`, `currentDefaultServices`, `currentContext`; no
 * `setFiberRef`), and `logWithLevel(level, ...message)` (Effect 4:
 * `logWithLevel(level)(...message)`).
 *
 * @internal
 */
import type * as Clock from "effect/Clock"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { dual } from "effect/Function"
import type * as LogLevel from "effect/LogLevel"
import * as Result from "effect/Result"
import * as Semaphores from "effect/Semaphore"
import * as Tracer from "effect/Tracer"

import * as Either from "./Either.js"
import * as FiberRef from "./FiberRef.js"
import * as RuntimeFlags from "./RuntimeFlags.js"

export * from "effect/Effect"

/** Runs `self` in a child fiber of the current one. @internal */
export const fork = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<Fiber.Fiber<A, E>, never, R> =>
  Effect.forkChild(self)

/** The current clock. @internal */
export const clock: Effect.Effect<Clock.Clock> = Effect.clockWith(Effect.succeed)

/** Runs `self`, then `that`, keeping `that`'s value. @internal */
export const zipRight: {
  <A2, E2, R2>(
    that: Effect.Effect<A2, E2, R2>
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A2, E | E2, R | R2>
  <A, E, R, A2, E2, R2>(
    self: Effect.Effect<A, E, R>,
    that: Effect.Effect<A2, E2, R2>
  ): Effect.Effect<A2, E | E2, R | R2>
} = dual(
  2,
  <A, E, R, A2, E2, R2>(self: Effect.Effect<A, E, R>, that: Effect.Effect<A2, E2, R2>) => Effect.andThen(self, that)
)

/** @internal */
export const catchAll: typeof Effect.catch = Effect.catch

/** @internal */
export const catchAllCause: typeof Effect.catchCause = Effect.catchCause

/** @internal */
export const tapErrorCause: typeof Effect.tapCause = Effect.tapCause

/** An effect completed by a callback (`resume`), with an abort signal for interruption. @internal */
export const async = <A, E = never, R = never>(
  register: (
    resume: (effect: Effect.Effect<A, E, R>) => void,
    signal: AbortSignal
  ) => void | Effect.Effect<void, never, R>
): Effect.Effect<A, E, R> => Effect.callback<A, E, R>((resume, signal) => register(resume, signal))

/** `self`'s success or failure as an `Either` (its Effect 3 shape, see `#line/Either`). @internal */
export const either = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<Either.Either<A, E>, never, R> =>
  Effect.map(Effect.result(self), (r) => Result.isSuccess(r) ? Either.right(r.success) : Either.left(r.failure))

/** Fails with `onTimeout()` when `self` takes longer than `duration`. @internal */
export const timeoutFail: {
  <E1>(options: { readonly onTimeout: () => E1; readonly duration: Duration.Input }): <A, E, R>(
    self: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | E1, R>
  <A, E, R, E1>(
    self: Effect.Effect<A, E, R>,
    options: { readonly onTimeout: () => E1; readonly duration: Duration.Input }
  ): Effect.Effect<A, E | E1, R>
} = dual(2, <A, E, R, E1>(
  self: Effect.Effect<A, E, R>,
  options: { readonly onTimeout: () => E1; readonly duration: Duration.Input }
): Effect.Effect<A, E | E1, R> =>
  Effect.timeoutOrElse(self, { duration: options.duration, orElse: () => Effect.fail(options.onTimeout()) }))

/** Dies with an `Error` carrying `message`. @internal */
export const dieMessage = (message: string): Effect.Effect<never> => Effect.die(new Error(message))

/**
 * Runs `self` in a detached fiber: interrupting the caller returns at once and
 * interrupts `self` in the background. @internal
 */
export const disconnect = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      Effect.forkDetach(self),
      (fiber) => Effect.onInterrupt(restore(Fiber.join(fiber)), () => Effect.forkDetach(Fiber.interrupt(fiber)))
    )
  )

/** @internal */
export type Semaphore = Semaphores.Semaphore

/** @internal */
export const unsafeMakeSemaphore: (permits: number) => Semaphores.Semaphore = Semaphores.makeUnsafe

/** Runs `self` with `reference` set to `value`. @internal */
export const locally: {
  <A>(reference: Context.Reference<A>, value: A): <B, E, R>(self: Effect.Effect<B, E, R>) => Effect.Effect<B, E, R>
  <B, E, R, A>(self: Effect.Effect<B, E, R>, reference: Context.Reference<A>, value: A): Effect.Effect<B, E, R>
} = dual(
  3,
  <B, E, R, A>(self: Effect.Effect<B, E, R>, reference: Context.Reference<A>, value: A) =>
    Effect.provideService(self, reference, value)
)

/** Runs `self` with `provider` as the config provider. @internal */
export const withConfigProvider: {
  (provider: ConfigProvider.ConfigProvider): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, provider: ConfigProvider.ConfigProvider): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, provider: ConfigProvider.ConfigProvider) =>
    Effect.provideService(self, ConfigProvider.ConfigProvider, provider)
)

/** @internal */
export const configProviderWith = <A, E, R>(
  f: (provider: ConfigProvider.ConfigProvider) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.flatMap(Effect.service(ConfigProvider.ConfigProvider), f)

/**
 * The reads the request path makes of its fiber, in their Effect 3 spelling.
 *
 * @internal
 */
export class FiberRuntime {
  constructor(readonly fiber: Fiber.Fiber<unknown, unknown>) {}
  getFiberRef<X>(ref: FiberRef.FiberRef<X>): X {
    return ref === (FiberRef.currentContext as unknown) ? this.fiber.context as X : this.fiber.getRef(ref)
  }
  get currentTracer(): Tracer.Tracer {
    return this.fiber.getRef(Tracer.Tracer)
  }
  get currentSpan(): Tracer.AnySpan | undefined {
    return Context.getOrUndefined(this.fiber.context, Tracer.ParentSpan)
  }
  get currentRuntimeFlags(): RuntimeFlags.RuntimeFlags {
    return (this.fiber as unknown as { readonly interruptible: boolean }).interruptible ? RuntimeFlags.Interruption : 0
  }
  get currentDefaultServices(): Context.Context<never> {
    return this.fiber.context
  }
  get currentContext(): Context.Context<never> {
    return this.fiber.context
  }
}

/** Runs the effect `f` makes of the current fiber's runtime. @internal */
export const withFiberRuntime = <A, E = never, R = never>(
  f: (fiber: FiberRuntime) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => Effect.withFiber((fiber) => f(new FiberRuntime(fiber)))

/** Logs `message` at `level`. @internal */
export const logWithLevel = (level: LogLevel.LogLevel, ...message: ReadonlyArray<unknown>): Effect.Effect<void> =>
  Effect.logWithLevel(level as Parameters<typeof Effect.logWithLevel>[0])(...message)
