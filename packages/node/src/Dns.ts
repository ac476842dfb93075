/**
 * Name resolution for the pool's connections: your own resolver, a DNS
 * cache that honours record TTLs, and happy eyeballs.
 *
 * By default the pool resolves names the way Node does: `dns.lookup`
 * (`getaddrinfo`: `/etc/hosts`, the system's resolver and its cache),
 * asked by `net.connect` for every new connection. {@link Options} changes
 * that, per pool (`Pool.Options.dns`, or `NodeClient.Options.dns`):
 *
 * - `lookup`: a function with the signature of `dns.lookup`;
 * - `resolver`: an Effect resolver ({@link Service}): given here, or as the
 *   {@link Resolver} service in the context the pool is built in
 *   ({@link layer});
 * - `cache`: a bounded cache of answers in front of the resolver (the
 *   {@link system} resolver when none is given), which keeps each answer
 *   for its record TTL. Off by default: see {@link CacheOptions};
 * - `autoSelectFamily`, `autoSelectFamilyAttemptTimeout`: happy eyeballs
 *   (RFC 8305), passed to `net.connect`.
 *
 * Whatever resolves the name, the client's SSRF guard (`allowAddress`)
 * checks the address it resolved to, for every connection. A name that
 * cannot be resolved fails with `DnsError`, whose `queries` say which names
 * and record types were asked and how each failed.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Dns, NodeClient } from "@steadfast/node"
 *
 * // answers from a table, for a test: no DNS traffic
 * const table: Dns.Service = {
 *   resolve: (name, type) =>
 *     name === "api.internal" && type === "A"
 *       ? Effect.succeed([{ address: "127.0.0.1", ttl: 60 }])
 *       : Effect.fail(new Dns.ResolveError({ name, type, code: "ENOTFOUND" }))
 * }
 *
 * const layer = NodeClient.layer({ dns: { resolver: table, cache: true } })
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "@steadfast/core/line/Context"
import * as Duration from "@steadfast/core/line/Duration"
import * as Effect from "@steadfast/core/line/Effect"
import * as Layer from "@steadfast/core/line/Layer"
import * as Data from "effect/Data"
import * as dns from "node:dns"
import type * as guard from "./internal/guard.js"

/**
 * The signature of `dns.lookup`, which `net.connect` calls.
 *
 * @since 0.1.0
 */
export type Lookup = guard.Lookup

/**
 * The record types the pool asks for: `A` (IPv4) and `AAAA` (IPv6).
 *
 * @since 0.1.0
 */
export type RecordType = "A" | "AAAA"

/**
 * One address of an answer, with its TTL in seconds.
 *
 * @since 0.1.0
 */
export interface Answer {
  readonly address: string
  readonly ttl: number
}

/**
 * A question the resolver could not answer. `code` is what Node's resolver
 * uses: `ENOTFOUND` (NXDOMAIN: no such name), `ENODATA` (the name has no
 * record of that type), `ESERVFAIL` (the server failed), `ETIMEOUT` (no
 * answer in time), `EREFUSED`, …; core's `Classify` reads it into
 * `DnsError` (`temporary` for the last three).
 *
 * @since 0.1.0
 */
export class ResolveError extends Data.TaggedError("ResolveError")<{
  readonly name: string
  readonly type: RecordType
  readonly code: string
}> {
  override get message(): string {
    return `${this.type} ${this.name}: ${this.code}`
  }
}

/**
 * A resolver: the addresses of `name` for one record type, with their TTLs.
 * A question unanswered within the pool's connect timeout fails with
 * `ETIMEOUT` (and the resolver's fiber is interrupted).
 *
 * @since 0.1.0
 */
export interface Service {
  readonly resolve: (name: string, type: RecordType) => Effect.Effect<ReadonlyArray<Answer>, ResolveError>
}

/**
 * The resolver service: a pool built where it is in the context resolves
 * through it (unless its options name another).
 *
 * @since 0.1.0
 */
export class Resolver extends Context.Tag("@steadfast/node/Dns/Resolver")<Resolver, Service>() {}

/**
 * Provides `resolver` as the {@link Resolver} service.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Dns, NodeClient } from "@steadfast/node"
 *
 * const layer = NodeClient.layer({ dns: { cache: true } }).pipe(
 *   Layer.provide(Dns.layer(Dns.system({ servers: ["10.0.0.53"], timeout: "2 seconds" })))
 * )
 * ```
 *
 * @since 0.1.0
 */
export const layer = (resolver: Service): Layer.Layer<Resolver> => Layer.succeed(Resolver, resolver)

/**
 * Options of {@link system}.
 *
 * @since 0.1.0
 */
export interface SystemOptions {
  /** DNS servers (`"10.0.0.53"`, `"[2001:db8::1]:53"`). @default the system's (`/etc/resolv.conf`) */
  readonly servers?: ReadonlyArray<string> | undefined
  /** How long one try waits for an answer. @default Node's (c-ares') */
  readonly timeout?: Duration.DurationInput | undefined
  /** Tries per server before the question fails with `ETIMEOUT`. @default 4 (Node's) */
  readonly tries?: number | undefined
}

/**
 * A resolver that asks DNS servers directly (Node's `dns.Resolver`,
 * `resolve4` / `resolve6` with TTLs). Unlike `dns.lookup` it does not read
 * `/etc/hosts` nor apply `search` domains: names are asked as given.
 *
 * @since 0.1.0
 */
export const system = (options?: SystemOptions): Service => {
  const resolver = new dns.promises.Resolver({
    ...(options?.timeout === undefined ? {} : { timeout: millis(options.timeout) }),
    ...(options?.tries === undefined ? {} : { tries: options.tries })
  })
  if (options?.servers !== undefined) resolver.setServers([...options.servers])
  return {
    resolve: (name, type) =>
      Effect.tryPromise({
        try: () => type === "A" ? resolver.resolve4(name, { ttl: true }) : resolver.resolve6(name, { ttl: true }),
        catch: (cause) =>
          new ResolveError({ name, type, code: (cause as { readonly code?: string }).code ?? "ESERVFAIL" })
      })
  }
}

const millis = (d: Duration.DurationInput): number => Math.round(Duration.toMillis(Duration.decode(d)))

/**
 * The DNS cache. Off by default: the system's `getaddrinfo` often has a
 * cache of its own (systemd-resolved, nscd), honours `/etc/hosts` and
 * search domains, and a second cache in the process is one more place for a
 * changed address to linger. Turn it on where each new connection would
 * otherwise wait on the network for a name (containers without a local
 * cache, many short-lived connections).
 *
 * - an answer is kept for its smallest record TTL, at most `maxTtl`; a TTL
 *   of 0 is not kept;
 * - "no such name" (`ENOTFOUND`) and "no such record" (`ENODATA`) are kept
 *   for `negativeTtl`: short, because the name may be created any moment (a
 *   deployment that registers it), and long enough that a burst of
 *   connections or retries to a misspelt name asks the DNS once;
 * - failures that may pass (`ESERVFAIL`, `ETIMEOUT`, `EREFUSED`) are not
 *   kept: one lost UDP packet must not fail every connection for a while,
 *   and the client's retry backoff already spaces the questions;
 * - concurrent questions for one name and type share one resolution;
 * - past `maxEntries` the least recently used answer goes.
 *
 * Time is Effect's `Clock` (exact under `TestClock`).
 *
 * @since 0.1.0
 */
export interface CacheOptions {
  /** Answers kept (one per name and record type). @default 1000 */
  readonly maxEntries?: number | undefined
  /** The longest an answer is kept, whatever its TTL. @default "5 minutes" */
  readonly maxTtl?: Duration.DurationInput | undefined
  /** How long "no such name / record" is kept. @default "5 seconds" */
  readonly negativeTtl?: Duration.DurationInput | undefined
}

/**
 * Name resolution options of a pool.
 *
 * @since 0.1.0
 */
export interface Options {
  /**
   * A function with the signature of `dns.lookup`. Not with `resolver`, nor
   * with `cache` (a lookup gives no TTLs). @default dns.lookup
   */
  readonly lookup?: Lookup | undefined
  /**
   * An Effect resolver. @default the {@link Resolver} service when the
   * context has one; else `dns.lookup`, or {@link system} with `cache`
   */
  readonly resolver?: Service | undefined
  /** The DNS cache (`true`: its defaults). @default false */
  readonly cache?: boolean | CacheOptions | undefined
  /**
   * Happy eyeballs: try the addresses of both families in turn, each given
   * `autoSelectFamilyAttemptTimeout` before the next starts.
   *
   * @default Node's (`net.getDefaultAutoSelectFamily()`: true since Node 20)
   */
  readonly autoSelectFamily?: boolean | undefined
  /**
   * How long one address may take to connect before happy eyeballs starts
   * the next (Node uses at least 10 ms).
   *
   * @default Node's (`net.getDefaultAutoSelectFamilyAttemptTimeout()`: 250 ms)
   */
  readonly autoSelectFamilyAttemptTimeout?: Duration.DurationInput | undefined
}
