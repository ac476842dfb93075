/**
 * The `steadfast doctor` command line (see `Doctor`).
 *
 * @internal
 */
import { Redact } from "@steadfast/core"
import * as Duration from "@steadfast/core/line/Duration"
import * as Effect from "@steadfast/core/line/Effect"
import * as Either from "@steadfast/core/line/Either"
import { HttpMethod } from "@steadfast/core/line/http"
import * as Console from "effect/Console"
import * as Option from "effect/Option"
import type * as Doctor from "../../Doctor.js"
import * as ProxyUrl from "../proxy.js"
import { run } from "./checks.js"
import * as Outcome from "./outcome.js"
import { render, toJson } from "./render.js"

/** @internal */
export const usage = [
  "usage: steadfast doctor <url> [options]",
  "",
  "Checks DNS, TCP, TLS and HTTP for a url and explains every failure.",
  "",
  "options:",
  "  -X, --method <method>  the request's method: GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE (default GET)",
  "  -H, --header <h: v>    send this header (repeatable); its value is never printed",
  "  --json                 print the report as JSON",
  "  --ca <file|pem>        trust this CA certificate (PEM)",
  "  --proxy <url|none|env> use this proxy (default: the environment's)",
  "  --timeout <duration>   limit of each step: 500ms, 2s, \"2 seconds\" (default 5s)",
  "  --max-redirects <n>    redirects followed (default 10)",
  "  -h, --help             this text",
  "",
  "exit status: 0 when every check passed, 1 when one failed, 2 on a usage error"
].join("\n")

const parseDuration = (text: string): Duration.Duration | undefined => {
  const short = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  if (short !== null) {
    const n = Number(short[1])
    return short[2] === "s" ? Duration.seconds(n) : short[2] === "m" ? Duration.minutes(n) : Duration.millis(n)
  }
  return Option.getOrUndefined(Duration.decodeUnknown(text.trim()))
}

/** RFC 9110 token: what a header name may be. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/

/**
 * Why a url cannot be checked, as a usage error with a hint; `undefined` when
 * it is an absolute http(s) url. A url typed without its scheme is the usual
 * mistake (`api.example.com/health`): the hint shows it with `https://`.
 */
const checkUrl = (url: string): string | undefined => {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    // user:password@host without a scheme: redact it as the authority it is meant to be
    const shown = ProxyUrl.redact(url).replace(/^http:\/\//, "")
    return `${shown} has no scheme: add http:// or https:// (steadfast doctor https://${shown})`
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `${Redact.url(url)} cannot be parsed as a url`
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return `the scheme ${parsed.protocol} is not supported: give an http:// or https:// url`
  }
  return undefined
}

/** @internal */
export const parse = (
  args: ReadonlyArray<string>
): Outcome.Outcome<Doctor.Options & { readonly json: boolean }, string> => {
  let url: string | undefined
  let json = false
  let ca: string | undefined
  let proxy: string | undefined
  let timeout: Duration.Duration | undefined
  let maxRedirects: number | undefined
  let method: HttpMethod.HttpMethod | undefined
  const headers: Record<string, string> = {}
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    const value = (): string | undefined => eq > 0 ? arg.slice(eq + 1) : args[++i]
    switch (flag) {
      case "--json":
        json = true
        break
      case "-X":
      case "--method": {
        const text = value()?.toUpperCase()
        if (!HttpMethod.isHttpMethod(text)) {
          return Outcome.failed(`${flag} needs one of ${[...HttpMethod.all].join(", ")} (got ${text ?? "nothing"})`)
        }
        method = text
        break
      }
      case "-H":
      case "--header": {
        // the value may be a secret: never echoed, even in a usage error
        const text = value()
        const colon = text?.indexOf(":") ?? -1
        const name = text === undefined || colon < 0 ? "" : text.slice(0, colon).trim().toLowerCase()
        if (text === undefined || !TOKEN.test(name)) {
          return Outcome.failed(`${flag} needs "Name: value", e.g. --header "authorization: Bearer <token>"`)
        }
        const headerValue = text.slice(colon + 1).trim()
        if (/[\r\n\0]/.test(headerValue)) {
          return Outcome.failed(`${flag} ${name}: the value must not contain CR, LF or NUL`)
        }
        // repeated names are sent as one header, values joined as HTTP does
        headers[name] = headers[name] === undefined ? headerValue : `${headers[name]}, ${headerValue}`
        break
      }
      case "--ca": {
        ca = value()
        if (ca === undefined) return Outcome.failed("--ca needs a file or PEM text")
        break
      }
      case "--proxy": {
        proxy = value()
        if (proxy === undefined) return Outcome.failed("--proxy needs a url, none or env")
        break
      }
      case "--timeout": {
        const text = value()
        timeout = text === undefined ? undefined : parseDuration(text)
        if (timeout === undefined) {
          return Outcome.failed(`--timeout needs a duration such as 2s (got ${text ?? "nothing"})`)
        }
        break
      }
      case "--max-redirects": {
        const text = value()
        maxRedirects = Number(text)
        if (!Number.isInteger(maxRedirects) || maxRedirects < 0) {
          return Outcome.failed(`--max-redirects needs a number (got ${text ?? "nothing"})`)
        }
        break
      }
      default:
        if (arg.startsWith("-")) return Outcome.failed(`unknown option ${arg}`)
        if (url !== undefined) return Outcome.failed(`one url at a time (got ${url} and ${arg})`)
        url = arg
    }
  }
  if (url === undefined) return Outcome.failed("which url?")
  const badUrl = checkUrl(url)
  if (badUrl !== undefined) return Outcome.failed(badUrl)
  return Outcome.done({
    url,
    json,
    ...(method === undefined ? {} : { method }),
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
    ...(ca === undefined ? {} : { ca }),
    ...(proxy === undefined ? {} : { proxy }),
    ...(timeout === undefined ? {} : { timeout }),
    ...(maxRedirects === undefined ? {} : { maxRedirects })
  })
}

/** The command line as `Doctor.parseArgs` gives it: Effect's `Either` (a `Result` on Effect 4). @internal */
export const parseArgs = (
  args: ReadonlyArray<string>
): Either.Either<Doctor.Options & { readonly json: boolean }, string> => {
  const parsed = parse(args)
  return parsed._tag === "Done" ? Either.right(parsed.right) : Either.left(parsed.left)
}

/** @internal */
export const main = (args: ReadonlyArray<string>): Effect.Effect<number> =>
  Effect.gen(function*() {
    if (args.includes("-h") || args.includes("--help")) {
      yield* Console.log(usage)
      return 0
    }
    const parsed = parse(args)
    if (Outcome.isFailed(parsed)) {
      yield* Console.error(`steadfast doctor: ${parsed.left}\n\n${usage}`)
      return 2
    }
    const { json, ...options } = parsed.right
    const report = yield* run(options)
    yield* Console.log(json ? toJson(report) : render(report))
    return report.ok ? 0 : 1
  })
