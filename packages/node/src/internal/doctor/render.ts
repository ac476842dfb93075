/**
 * The connection doctor's report as text and as JSON (see `Doctor`).
 *
 * @internal
 */
import type * as Doctor from "../../Doctor.js"
import { ms } from "./explain.js"

type Failure = Doctor.Failure
type Step = Doctor.Step

// --- output -------------------------------------------------------------------

const pad = (label: string) => label.padEnd(12)

/** @internal */
export const render = (report: Doctor.Report): string => {
  const lines: Array<string> = [`steadfast doctor  ${report.url}`, ""]
  const failuresOf = (step: Step) => report.failures.filter((f) => f.step === step)
  // a step's lines, then its failures (tag, what, fix); a failed step without
  // lines of its own starts with its first failure, never with a blank line
  const block = (step: Step, label: string, body: ReadonlyArray<string>, ok = failuresOf(step).length === 0) => {
    const failures = failuresOf(step).flatMap((f) => [
      `${f._tag}${f.reason === undefined ? "" : ` (${f.reason})`}${f.code ? ` [${f.code}]` : ""}`,
      `  what: ${f.explanation}`,
      `  fix:  ${f.fix}`
    ])
    const [first, ...rest] = [...body, ...failures]
    if (first === undefined) return
    lines.push(`${ok ? "✓" : "✗"} ${pad(label)}${first}`)
    for (const line of rest) lines.push(`  ${pad("")}${line}`)
  }
  block("url", "url", [])
  const env = report.environment
  if (env !== undefined) {
    const body = Object.entries(env.variables).map(([k, v]) => `${k}=${v}`)
    body.push(
      env.proxy === undefined
        ? "this url is reached directly (no proxy)"
        : `this url goes through the proxy ${env.proxy} (${env.proxySource === "option" ? "--proxy" : "environment"})`
    )
    body.push(...env.notes)
    block("environment", "environment", body)
  } else {
    block("environment", "environment", [])
  }
  const d = report.dns
  if (d !== undefined) {
    const what = d.proxy ? `proxy ${d.host}` : d.host
    block(
      "dns",
      "dns",
      d.literal
        ? [`${what} is an IP address: nothing to resolve`]
        : d.addresses.length === 0
        ? [`${what}: no address (${ms(d.durationMs)})`]
        : [`${what} -> ${d.addresses.map((a) => a.address).join(", ")} (${ms(d.durationMs)})`]
    )
  } else if (!report.skipped.includes("dns")) {
    block("dns", "dns", [])
  }
  block(
    "tcp",
    "tcp",
    report.tcp.map((c) =>
      `${c.address.includes(":") ? `[${c.address}]` : c.address}:${c.port} ${
        c.ok ? "connected" : `failed: ${c.failure?._tag ?? "error"}`
      } (${ms(c.durationMs)})`
    ),
    report.tcp.some((c) => c.ok)
  )
  const t = report.tls
  block(
    "tls",
    "tls",
    t === undefined ? [] : [
      `${t.protocol ?? "?"} ${t.cipher ?? "?"} (${ms(t.durationMs)})`,
      `subject  ${t.subject ?? "?"}`,
      `issuer   ${t.issuer ?? "?"}`,
      `valid    ${t.validFrom ?? "?"} to ${t.validTo ?? "?"}${
        t.daysLeft === undefined ? "" : ` (${t.daysLeft} days left)`
      }`,
      `names    ${t.altNames.join(", ") || "(none)"}: ${
        t.hostnameMatches ? "match the host" : "do NOT match the host"
      }`,
      `chain    ${t.trusted ? "trusted" : `NOT trusted (${t.trustError ?? "?"})`}`
    ]
  )
  block(
    "http",
    "http",
    report.http.flatMap((h, i) => {
      const line = `${h.method} ${h.url} -> ${h.status}${h.location === undefined ? "" : ` location ${h.location}`}${
        h.retryAfter === undefined ? "" : ` retry-after ${h.retryAfter}`
      } (first byte ${ms(h.ttfbMs)})`
      // the headers given, names only, when they change (a redirect to another origin drops credentials)
      const previous = report.http[i - 1]?.headers
      const changed = previous === undefined ? h.headers.length > 0 : previous.join() !== h.headers.join()
      return changed
        ? [line, `  headers ${h.headers.map((name) => `${name}: <redacted>`).join(", ") || "none"}`]
        : [line]
    })
  )
  for (const step of report.skipped) lines.push(`- ${pad(step)}skipped (an earlier step failed)`)
  for (const w of report.warnings) lines.push(`! ${w}`)
  lines.push("")
  lines.push(
    report.ok
      ? "all checks passed"
      : `${report.failures.length} problem${report.failures.length === 1 ? "" : "s"} found`
  )
  return lines.join("\n")
}

// --- JSON ----------------------------------------------------------------------

const failureJson = (f: Failure) => ({
  step: f.step,
  _tag: f._tag,
  reason: f.reason ?? null,
  code: f.code ?? null,
  explanation: f.explanation,
  fix: f.fix
})

/**
 * The report as `--json` prints it: one shape whatever failed. A step that
 * did not run, and a field without a value, is `null` (JSON has no
 * `undefined`: the key would be missing).
 */
export const toJson = (report: Doctor.Report): string =>
  JSON.stringify(
    {
      ...report,
      tcp: report.tcp.map((c) => ({ ...c, failure: c.failure === undefined ? null : failureJson(c.failure) })),
      http: report.http.map((h) => ({
        ...h,
        headers: h.headers,
        location: h.location ?? null,
        retryAfter: h.retryAfter ?? null,
        retryAfterMs: h.retryAfterMs ?? null
      })),
      failures: report.failures.map(failureJson)
    },
    (_key, value: unknown) => value === undefined ? null : value,
    2
  )

// --- the command line -----------------------------------------------------------
