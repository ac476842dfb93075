/**
 * Client options from `Config` (environment variables), and how options
 * from code override them.
 *
 * @since 0.1.0
 */
import * as Config from "#line/Config"
import * as Timeouts from "../Timeouts.js"
import type { Options } from "./options.js"

/**
 * Reads client options from `Config` (environment variables by default):
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `RETRIES` | maximum retries | 3 |
 * | `BACKOFF_BASE` | first backoff delay | 100 millis |
 * | `BACKOFF_CAP` | longest backoff delay | 10 seconds |
 * | `JITTER` | full, equal, decorrelated or none | full |
 * | `RETRY_AFTER_MAX` | longest Retry-After honoured | 60 seconds |
 * | `TIMEOUT_POOL`, `TIMEOUT_CONNECT`, `TIMEOUT_RESPONSE`, `TIMEOUT_BODY_IDLE`, `TIMEOUT_DEADLINE` | time limits, or `off` | 30 s, 5 s, 30 s, 30 s, 2 min |
 * | `MAX_REDIRECTS` | redirects followed | 10 |
 * | `MAX_BODY_SIZE` | body size limit in bytes | 10485760 |
 * | `BASE_URL` | base for relative urls | none |
 *
 * Use `Config.nested(Client.config, "STEADFAST")` for `STEADFAST_RETRIES` and so on.
 *
 * @since 0.1.0
 */
export const config: Config.Config<Options> = Config.map(
  Config.all({
    retries: Config.option(Config.integer("RETRIES")),
    base: Config.option(Config.duration("BACKOFF_BASE")),
    cap: Config.option(Config.duration("BACKOFF_CAP")),
    jitter: Config.option(Config.literal("full", "equal", "decorrelated", "none")("JITTER")),
    retryAfterMax: Config.option(Config.duration("RETRY_AFTER_MAX")),
    timeouts: Config.nested(Timeouts.config, "TIMEOUT"),
    maxRedirects: Config.option(Config.integer("MAX_REDIRECTS")),
    maxBodySize: Config.option(Config.integer("MAX_BODY_SIZE")),
    baseUrl: Config.option(Config.url("BASE_URL"))
  }),
  (c): Options => ({
    // options, not built policies: the client checks them (`RETRIES=-1` is an InvalidOptions)
    retry: {
      retries: c.retries._tag === "Some" ? c.retries.value : undefined,
      backoff: {
        base: c.base._tag === "Some" ? c.base.value : undefined,
        cap: c.cap._tag === "Some" ? c.cap.value : undefined,
        jitter: c.jitter._tag === "Some" ? c.jitter.value : undefined
      },
      retryAfterMax: c.retryAfterMax._tag === "Some" ? c.retryAfterMax.value : undefined
    },
    timeouts: c.timeouts,
    redirects: c.maxRedirects._tag === "Some" ? { max: c.maxRedirects.value } : undefined,
    maxBodySize: c.maxBodySize._tag === "Some" ? c.maxBodySize.value : undefined,
    baseUrl: c.baseUrl._tag === "Some" ? c.baseUrl.value : undefined
  })
)

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>

/**
 * `overrides` on top of `base`: fields left `undefined` keep the base's, and
 * `timeouts` merge field by field (overriding the response timeout keeps a
 * connect timeout that came from the environment). `retry` and `redirects`
 * are replaced whole.
 *
 * @example
 * ```ts
 * import { Client } from "@steadfast/core"
 *
 * Client.mergeOptions({ timeouts: { connect: "2 seconds" } }, { timeouts: { response: "5 seconds" } })
 * // { timeouts: { connect: "2 seconds", response: "5 seconds" } }
 * ```
 *
 * @since 0.1.0
 */
export const mergeOptions = (base: Options, overrides: Options | undefined): Options => {
  if (overrides === undefined) return base
  const timeouts = base.timeouts === undefined || overrides.timeouts === undefined
    ? overrides.timeouts ?? base.timeouts
    : { ...base.timeouts, ...defined(overrides.timeouts) }
  return { ...base, ...defined(overrides), ...(timeouts === undefined ? {} : { timeouts }) }
}
