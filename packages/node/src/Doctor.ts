/**
 * The connection doctor: `steadfast doctor <url>` checks each layer of a
 * request in turn and says, for every failure, what it is (its steadfast
 * `_tag`), what it means and how to fix it.
 *
 * 1. the environment: proxy variables (`HTTP_PROXY`, `HTTPS_PROXY`,
 *    `NO_PROXY`, `ALL_PROXY`) and whether they apply to the url,
 *    `NODE_TLS_REJECT_UNAUTHORIZED`, `NODE_EXTRA_CA_CERTS`;
 * 2. DNS: every address the system resolver returns, with its timing;
 * 3. TCP: a connection to each address (refused, unreachable, timeout);
 * 4. TLS (https): protocol, cipher, the certificate's subject, issuer,
 *    validity and names, whether they match the host, and whether the chain
 *    is trusted (against `--ca` when given). The doctor completes the
 *    handshake whatever the verdict, to report on the certificate; it sends
 *    nothing over that connection;
 * 5. HTTP: the request through steadfast's own client and pool, redirects
 *    followed one by one (status, location, time to first byte of each hop),
 *    and the final status with its `Retry-After`.
 *
 * With a proxy (`--proxy`, or the environment's for this url) steps 2 and 3
 * check the proxy, and the TLS of the target is checked by the request
 * itself, through the tunnel.
 *
 * Timings use `performance.now()` (a monotonic clock that is only reported,
 * never waited on); the time limits are Effect's.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Doctor } from "@steadfast/node"
 *
 * const program = Effect.gen(function*() {
 *   const report = yield* Doctor.run({ url: "https://example.com/", timeout: "2 seconds" })
 *   yield* Effect.log(Doctor.render(report))
 *   return report.ok
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "@steadfast/core/line/Duration"
import type * as Effect from "@steadfast/core/line/Effect"
import type * as Either from "@steadfast/core/line/Either"
import type { HttpMethod } from "@steadfast/core/line/http"
import * as checks from "./internal/doctor/checks.js"
import * as cli from "./internal/doctor/cli.js"
import * as output from "./internal/doctor/render.js"

/**
 * What the doctor checks, and how.
 *
 * @since 0.1.0
 */
export interface Options {
  /** The url to check (http or https). */
  readonly url: string
  /** The method of the request step (no body is sent). @default "GET" */
  readonly method?: HttpMethod.HttpMethod | undefined
  /**
   * Headers sent with the request step (`authorization`, an API key, …).
   * Their values never appear in the report: only their names do. Like
   * steadfast's own redirects, a redirect to another origin drops
   * `authorization`, `cookie` and `proxy-authorization`.
   *
   * @default none (a `user-agent` of `steadfast-doctor` is always sent)
   */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** CA certificates to trust (PEM text or a file path), as `tls.ca`. @default Node's roots */
  readonly ca?: string | undefined
  /**
   * A proxy to use (`http://[user:pass@]host:port`), `"none"`, or `"env"` for
   * the environment's.
   *
   * @default "env"
   */
  readonly proxy?: string | undefined
  /** The limit of each step (connect, handshake, response). @default "5 seconds" */
  readonly timeout?: Duration.DurationInput | undefined
  /** Redirects followed. @default 10 */
  readonly maxRedirects?: number | undefined
  /**
   * How names are resolved (for tests).
   *
   * @default node:dns `lookup` with `all: true` (the system resolver, as Node's sockets use it)
   */
  readonly lookup?: ((hostname: string) => Promise<ReadonlyArray<Address>>) | undefined
}

/**
 * A resolved address.
 *
 * @since 0.1.0
 */
export interface Address {
  readonly address: string
  readonly family: number
}

/**
 * A failure, as the doctor reports it.
 *
 * @since 0.1.0
 */
export interface Failure {
  /** The step that failed. */
  readonly step: Step
  /** The steadfast `_tag` this failure has in a request (`DnsError`, `TlsError`, …). */
  readonly _tag: string
  /** The TLS reason, when it is a `TlsError`. */
  readonly reason?: string | undefined
  /** The Node / undici / OpenSSL code, when there is one. */
  readonly code?: string | undefined
  /** What happened, in plain words. */
  readonly explanation: string
  /** What to do about it. */
  readonly fix: string
}

/**
 * The steps of a check.
 *
 * @since 0.1.0
 */
export type Step = "url" | "environment" | "dns" | "tcp" | "tls" | "http"

/**
 * The environment as it bears on the request.
 *
 * @since 0.1.0
 */
export interface Environment {
  /** Proxy variables that are set (credentials redacted). */
  readonly variables: Readonly<Record<string, string>>
  /** The proxy the request goes through (redacted), if any, and why. */
  readonly proxy: string | undefined
  readonly proxySource: "option" | "environment" | "none"
  /** Other notes (`NODE_TLS_REJECT_UNAUTHORIZED=0`, `NODE_EXTRA_CA_CERTS`). */
  readonly notes: ReadonlyArray<string>
}

/**
 * The DNS step.
 *
 * @since 0.1.0
 */
export interface Dns {
  readonly host: string
  /** The host is an IP address: nothing to resolve. */
  readonly literal: boolean
  readonly addresses: ReadonlyArray<Address>
  readonly durationMs: number
  /** The host checked is the proxy's. */
  readonly proxy: boolean
}

/**
 * One TCP connection attempt.
 *
 * @since 0.1.0
 */
export interface Connection {
  readonly address: string
  readonly port: number
  readonly ok: boolean
  readonly durationMs: number
  readonly failure?: Failure | undefined
}

/**
 * The TLS step.
 *
 * @since 0.1.0
 */
export interface Tls {
  readonly address: string
  readonly durationMs: number
  readonly protocol: string | undefined
  readonly cipher: string | undefined
  readonly subject: string | undefined
  readonly issuer: string | undefined
  readonly validFrom: string | undefined
  readonly validTo: string | undefined
  /** Days until the certificate expires (negative: expired). */
  readonly daysLeft: number | undefined
  /** The names the certificate covers (its subjectAltName). */
  readonly altNames: ReadonlyArray<string>
  readonly hostnameMatches: boolean
  /** The chain leads to a trusted CA (`--ca` when given, else Node's roots). */
  readonly trusted: boolean
  /** Node's verdict when not trusted (an OpenSSL code). */
  readonly trustError: string | undefined
}

/**
 * One request of the HTTP step (one per redirect hop).
 *
 * @since 0.1.0
 */
export interface Hop {
  readonly method: string
  /** Redacted. */
  readonly url: string
  /** The names of the headers given in the options that were sent on this hop (their values are never reported). */
  readonly headers: ReadonlyArray<string>
  readonly status: number
  /** Time to the response headers. */
  readonly ttfbMs: number
  readonly location?: string | undefined
  readonly retryAfter?: string | undefined
  readonly retryAfterMs?: number | undefined
}

/**
 * Everything the doctor found.
 *
 * @since 0.1.0
 */
export interface Report {
  /** The url checked (redacted). */
  readonly url: string
  /** No failure. */
  readonly ok: boolean
  readonly environment: Environment | undefined
  readonly dns: Dns | undefined
  readonly tcp: ReadonlyArray<Connection>
  readonly tls: Tls | undefined
  readonly http: ReadonlyArray<Hop>
  /** Steps skipped because an earlier one failed, or does not apply. */
  readonly skipped: ReadonlyArray<Step>
  readonly failures: ReadonlyArray<Failure>
  /** Things worth knowing that are not failures (an address that did not connect while another did). */
  readonly warnings: ReadonlyArray<string>
}

/**
 * Checks a url. Never fails: what went wrong is in the report.
 *
 * @since 0.1.0
 */
export const run: (options: Options) => Effect.Effect<Report> = checks.run

/**
 * The report as text for a terminal.
 *
 * @since 0.1.0
 */
export const render: (report: Report) => string = output.render

/**
 * The report as `--json` prints it: every key always present, `null` for a
 * step that did not run and for a field without a value.
 *
 * @since 0.1.0
 */
export const json: (report: Report) => string = output.toJson

/**
 * Command-line arguments of `steadfast doctor`: the parsed options and
 * whether `--json` was given, or a usage error.
 *
 * @since 0.1.0
 */
export const parseArgs: (
  args: ReadonlyArray<string>
) => Either.Either<Options & { readonly json: boolean }, string> = cli.parseArgs

/**
 * The usage text.
 *
 * @since 0.1.0
 */
export const usage: string = cli.usage

/**
 * `steadfast doctor <url> [options]` (see {@link usage}) as an Effect: prints
 * the report (or JSON) and returns the exit code: 0 when every check passed,
 * 1 when one failed, 2 on a usage error (an unknown flag, a bad value, a url
 * without `http://` or `https://`).
 *
 * @since 0.1.0
 */
export const main: (args: ReadonlyArray<string>) => Effect.Effect<number> = cli.main
