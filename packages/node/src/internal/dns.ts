/**
 * Name resolution for the pool's connector: a resolver (an Effect, see
 * `Dns.Resolver`) turned into the `lookup` function `net.connect` calls, and
 * the optional cache between the two.
 *
 * `net.connect` asks `lookup(name, { family, all }, callback)` for every new
 * connection to a name (never for an IP literal). Here that becomes one
 * question per record type — `A` for family 4, `AAAA` for 6, both for 0 —
 * each answered by the cache when it holds a live answer, else by the
 * resolver (concurrent questions for the same name and type share one
 * resolution). A name fails only when every question failed; the error
 * carries `queries` (each name, type and code), which core's `Classify`
 * puts on `DnsError`.
 *
 * @internal
 */
import * as Runtime from "#line/runtime"
import * as Cause from "@steadfast/core/line/Cause"
import * as Duration from "@steadfast/core/line/Duration"
import * as Effect from "@steadfast/core/line/Effect"
import * as Exit from "@steadfast/core/line/Exit"
import { currentTimeMillis } from "@steadfast/core/line/unsafe"
import * as Option from "effect/Option"
import type * as dns from "node:dns"
import type * as Dns from "../Dns.js"
import { ResolveError } from "../Dns.js"
import { InvalidPoolOptions } from "./errors.js"
import type { Lookup } from "./guard.js"

/** One question's outcome: the addresses with their TTLs (seconds), or the code it failed with. @internal */
export type Outcome =
  | { readonly _tag: "Answers"; readonly answers: ReadonlyArray<Dns.Answer> }
  | { readonly _tag: "Failed"; readonly code: string; readonly message: string }

/** Asks one question; `done` is called once. @internal */
export type Ask = (name: string, type: Dns.RecordType, done: (outcome: Outcome) => void) => void

/**
 * Codes that say the name (or the record type) does not exist: an answer
 * the DNS gave, cached for the negative TTL. Failures that may pass on their
 * own (SERVFAIL, timeouts, refused) are not cached.
 */
const NEGATIVE = new Set(["ENOTFOUND", "ENODATA"])
const TEMPORARY = new Set(["ESERVFAIL", "ETIMEOUT", "EREFUSED", "ECONNREFUSED", "EAI_AGAIN"])

/**
 * Runs an Effect resolver on the pool's runtime, for the connector's
 * callbacks. A question unanswered within `timeout` (the pool's connect
 * timeout, which the lookup is part of) fails with `ETIMEOUT` and is
 * interrupted, so a resolver that never answers keeps no fiber.
 *
 * @internal
 */
export const askResolver = (
  resolver: Dns.Service,
  runner: Runtime.Runner,
  timeout: Duration.Duration
): Ask => {
  const run = Runtime.runCallback(runner)
  const bounded = Duration.isFinite(timeout)
    ? (name: string, type: Dns.RecordType) =>
      Effect.timeoutFail(resolver.resolve(name, type), {
        duration: timeout,
        onTimeout: () => new ResolveError({ name, type, code: "ETIMEOUT" })
      })
    : resolver.resolve
  return (name, type, done) => {
    run(bounded(name, type), {
      onExit: (exit) => {
        if (Exit.isSuccess(exit)) return done({ _tag: "Answers", answers: exit.value })
        const failure = Option.getOrUndefined(Cause.failureOption(exit.cause))
        done(
          failure !== undefined
            ? { _tag: "Failed", code: failure.code, message: failure.message }
            // a defect or an interruption of the resolver is not an answer of the DNS
            : { _tag: "Failed", code: "ERESOLVER", message: "the resolver failed unexpectedly" }
        )
      }
    })
  }
}

interface Entry {
  readonly outcome: Outcome
  readonly expiresAt: number
}

/** The cache's resolved settings, in milliseconds. @internal */
export interface CacheSettings {
  readonly maxEntries: number
  readonly maxTtlMs: number
  readonly negativeTtlMs: number
}

/**
 * A bounded cache of answers per (name, type), in front of `ask`. An
 * answer lives for its smallest record TTL (capped at `maxTtlMs`; TTL 0 is
 * not kept); "no such name / no such record" for `negativeTtlMs`; other
 * failures not at all. Past `maxEntries` the least recently used entry
 * goes. `now` is the pool's `Clock`, so tests move time with `TestClock`.
 *
 * @internal
 */
export class Cache {
  private readonly entries = new Map<string, Entry>()
  private readonly inflight = new Map<string, Array<(outcome: Outcome) => void>>()

  constructor(
    private readonly ask: Ask,
    private readonly settings: CacheSettings,
    private readonly now: () => number
  ) {}

  /** Entries held now (expired ones included until they are asked for or pushed out). */
  get size(): number {
    return this.entries.size
  }

  readonly resolve: Ask = (name, type, done) => {
    const key = `${type} ${name.toLowerCase()}`
    const entry = this.entries.get(key)
    if (entry !== undefined) {
      this.entries.delete(key)
      if (entry.expiresAt > this.now()) {
        this.entries.set(key, entry) // most recently used last
        return done(entry.outcome)
      }
    }
    const waiting = this.inflight.get(key)
    if (waiting !== undefined) {
      waiting.push(done)
      return
    }
    const callbacks = [done]
    this.inflight.set(key, callbacks)
    this.ask(name, type, (outcome) => {
      this.inflight.delete(key)
      this.store(key, outcome)
      for (const callback of callbacks) callback(outcome)
    })
  }

  private store(key: string, outcome: Outcome): void {
    const ttlMs = outcome._tag === "Answers"
      ? Math.min(this.settings.maxTtlMs, minTtl(outcome.answers) * 1000)
      : NEGATIVE.has(outcome.code)
      ? this.settings.negativeTtlMs
      : 0
    if (!(ttlMs > 0)) return
    this.entries.set(key, { outcome, expiresAt: this.now() + ttlMs })
    while (this.entries.size > this.settings.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!)
    }
  }
}

const minTtl = (answers: ReadonlyArray<Dns.Answer>): number => {
  if (answers.length === 0) return 0
  let ttl = Infinity
  for (const a of answers) if (a.ttl < ttl) ttl = a.ttl
  return Number.isFinite(ttl) && ttl > 0 ? ttl : 0
}

const familyOf = (family: unknown): 0 | 4 | 6 =>
  family === 4 || family === "IPv4" ? 4 : family === 6 || family === "IPv6" ? 6 : 0

/** Of several failed questions, the code that says most: one that may pass, else "no such name", else the first. */
const worst = (failures: ReadonlyArray<{ readonly code: string }>): string =>
  failures.find((f) => TEMPORARY.has(f.code))?.code ??
    failures.find((f) => f.code !== "ENODATA")?.code ??
    failures[0]!.code

/**
 * The `lookup` of `net.connect` over `ask`: IPv4 answers first (with
 * `autoSelectFamily`, Node interleaves the families and races them).
 *
 * @internal
 */
export const toLookup = (ask: Ask): Lookup =>
  ((hostname: string, options: dns.LookupOptions, callback: (...args: Array<any>) => void) => {
    const family = familyOf(options?.family)
    const types: ReadonlyArray<Dns.RecordType> = family === 4 ? ["A"] : family === 6 ? ["AAAA"] : ["A", "AAAA"]
    const outcomes: Array<Outcome | undefined> = types.map(() => undefined)
    let left = types.length
    const finish = () => {
      const addresses: Array<dns.LookupAddress> = []
      const failures: Array<{ readonly name: string; readonly type: Dns.RecordType; readonly code: string }> = []
      let message = ""
      outcomes.forEach((outcome, i) => {
        const type = types[i]!
        if (outcome!._tag === "Answers") {
          for (const a of outcome!.answers) addresses.push({ address: a.address, family: type === "A" ? 4 : 6 })
        } else {
          failures.push({ name: hostname, type, code: outcome!.code })
          if (message === "") message = outcome!.message
        }
      })
      if (addresses.length > 0) {
        return options?.all === true
          ? callback(null, addresses)
          : callback(null, addresses[0]!.address, addresses[0]!.family)
      }
      if (failures.length === 0) failures.push(...types.map((type) => ({ name: hostname, type, code: "ENODATA" })))
      const code = worst(failures)
      const syscall = failures[0]!.type === "A" ? "queryA" : "queryAaaa"
      callback(
        Object.assign(new Error(`${syscall} ${code} ${hostname}${message === "" ? "" : `: ${message}`}`), {
          code,
          hostname,
          syscall,
          queries: failures
        })
      )
    }
    types.forEach((type, i) =>
      ask(hostname, type, (outcome) => {
        if (outcomes[i] !== undefined) return
        outcomes[i] = outcome
        if (--left === 0) finish()
      })
    )
  }) as Lookup

/** What the connector gets from the pool's DNS options. @internal */
export interface Connect {
  /** The lookup to hand to `net.connect`, when it is not Node's own. */
  readonly lookup: Lookup | undefined
  /** Happy eyeballs options for `net.connect`. */
  readonly options: {
    readonly autoSelectFamily?: boolean
    readonly autoSelectFamilyAttemptTimeout?: number
  }
  /** The cache, when on (for tests and stats). */
  readonly cache: Cache | undefined
}

const invalid = (option: string, reason: string) => new InvalidPoolOptions({ option: `dns.${option}`, reason })

const duration = (
  option: string,
  value: Duration.DurationInput | undefined,
  fallback: Duration.DurationInput
): Effect.Effect<number, InvalidPoolOptions> => {
  const decoded = Duration.decodeUnknown(value ?? fallback)
  if (decoded._tag === "None" || Duration.toMillis(decoded.value) < 0) {
    return Effect.fail(invalid(option, `must be a duration such as "5 seconds" (got ${String(value)})`))
  }
  const millis = Duration.toMillis(decoded.value)
  return Effect.succeed(Number.isFinite(millis) ? Math.round(millis) : Number.MAX_SAFE_INTEGER)
}

/**
 * Resolves the pool's DNS options: which lookup the connector uses (the
 * user's, one over a resolver — from the options or the context's
 * `Dns.Resolver` — with the cache in front when on, or Node's), and the
 * happy eyeballs options.
 *
 * @internal
 */
export const resolve = (
  options: Dns.Options | undefined,
  poolLookup: Lookup | undefined,
  resolverTag: typeof Dns.Resolver,
  system: () => Dns.Service,
  timeout: Duration.Duration
): Effect.Effect<Connect, InvalidPoolOptions> =>
  Effect.gen(function*() {
    const lookup = options?.lookup ?? poolLookup
    if (options?.lookup !== undefined && poolLookup !== undefined) {
      return yield* invalid("lookup", "is given twice (pool.lookup and dns.lookup): give one")
    }
    if (lookup !== undefined && options?.resolver !== undefined) {
      return yield* invalid("resolver", "cannot be used with a lookup function: give one of them")
    }
    const cacheOn = options?.cache !== undefined && options.cache !== false
    if (lookup !== undefined && cacheOn) {
      return yield* invalid("cache", "needs record TTLs, which a lookup function does not give: use a resolver")
    }
    const connectOptions: { autoSelectFamily?: boolean; autoSelectFamilyAttemptTimeout?: number } = {}
    if (options?.autoSelectFamily !== undefined) connectOptions.autoSelectFamily = options.autoSelectFamily
    if (options?.autoSelectFamilyAttemptTimeout !== undefined) {
      const ms = yield* duration("autoSelectFamilyAttemptTimeout", options.autoSelectFamilyAttemptTimeout, 0)
      if (ms < 1 || ms > 2 ** 31 - 1) {
        return yield* invalid(
          "autoSelectFamilyAttemptTimeout",
          `must be between 1 ms and about 24.8 days (got ${ms} ms)`
        )
      }
      connectOptions.autoSelectFamilyAttemptTimeout = ms
    }
    if (lookup !== undefined) return { lookup, options: connectOptions, cache: undefined }

    const fromContext = yield* Effect.serviceOption(resolverTag)
    const resolver = options?.resolver ?? (fromContext._tag === "Some" ? fromContext.value : undefined)
    if (resolver === undefined && !cacheOn) return { lookup: undefined, options: connectOptions, cache: undefined }

    const ask = askResolver(resolver ?? system(), yield* Runtime.runner, timeout)
    if (!cacheOn) return { lookup: toLookup(ask), options: connectOptions, cache: undefined }

    const cacheOptions = typeof options!.cache === "object" ? options!.cache : {}
    const maxEntries = cacheOptions.maxEntries ?? 1000
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      return yield* invalid("cache.maxEntries", `must be an integer >= 1 (got ${maxEntries})`)
    }
    const settings: CacheSettings = {
      maxEntries,
      maxTtlMs: yield* duration("cache.maxTtl", cacheOptions.maxTtl, "5 minutes"),
      negativeTtlMs: yield* duration("cache.negativeTtl", cacheOptions.negativeTtl, "5 seconds")
    }
    const clock = yield* Effect.clock
    const cache = new Cache(ask, settings, () => currentTimeMillis(clock))
    return { lookup: toLookup(cache.resolve), options: connectOptions, cache }
  })
