/**
 * `pnpm demo`: a guided tour of steadfast against the testkit's fault server
 * on 127.0.0.1, through the production transport (`NodeClient.layer`). Every
 * fault is real (resets, TLS handshakes, hangs) and every line printed is
 * what the client, the pool or the server reported (see `tour.ts`). The
 * process exits with 1 when anything differs from what the tour expects.
 *
 * Colours only on a terminal, and never when `NO_COLOR` is set.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "@steadfast/core/line/Cause"
import * as Effect from "@steadfast/core/line/Effect"
import { FaultServer } from "@steadfast/testkit"
import { Console, Data, Duration, Option } from "effect"
import { type Block, type Row, scenario, type Section, tour } from "./tour.js"

const color = process.stdout.isTTY === true && (process.env["NO_COLOR"] ?? "") === ""
const paint = (code: string) => (text: string) => color ? `\x1b[${code}m${text}\x1b[0m` : text
const bold = paint("1")
const dim = paint("2")
const red = paint("1;31")
const green = paint("32")

const WIDTH = 80

const pass = green("✓")
const fail = red("✗")
const loud = (text: string) => red(`<< MISMATCH: ${text}`)

const pad = (text: string, width: number) => text.length >= width ? `${text.slice(0, width - 1)}… ` : text.padEnd(width)

/** Word-wraps `text` to `width` columns, every line indented by `indent`. */
const wrap = (text: string, indent: number, width = WIDTH) => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(" ")) {
    if (line !== "" && indent + line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === "" ? word : `${line} ${word}`
    }
  }
  if (line !== "") lines.push(line)
  return lines.map((l) => " ".repeat(indent) + l).join("\n")
}

const seen = (row: Row) => row.detail === "" ? row.actual : `${row.actual} (${row.detail})`

const rows = (header: string, rows: ReadonlyArray<Row>) => {
  const label = Math.max(header.length, ...rows.map((r) => r.label.length)) + 2
  const expected = Math.max(10, ...rows.map((r) => r.expected.length)) + 2
  const timed = rows.some((r) => r.limitMs !== undefined)
  const actual = timed ? Math.max(6, ...rows.map((r) => seen(r).length)) + 2 : 0
  const lines = [
    dim(`    ${pad(header, label)}${pad("expected", expected)}${timed ? pad("seen", actual) + "after" : "seen"}`)
  ]
  for (const r of rows) {
    const outcome = timed ? `${pad(seen(r), actual)}${r.elapsedMs} ms` : seen(r)
    lines.push(
      `  ${r.ok ? pass : fail} ${pad(r.label, label)}${pad(r.expected, expected)}${outcome}` +
        (r.ok ? "" : `  ${loud(r.problem ?? "")}`)
    )
  }
  return lines.join("\n")
}

const block = (b: Block): string => {
  switch (b._tag) {
    case "Text":
      return wrap(b.text, 2 + 2 * b.indent)
    case "Rows":
      return rows(b.header, b.rows)
    case "Check":
      return `  ${b.check.ok ? pass : fail} ${b.check.what}: ${b.check.actual}` +
        (b.check.ok ? "" : `  ${loud(`expected ${b.check.expected}`)}`)
    case "Log":
      return [`    the client logged:`, ...b.lines.map((line) => dim(wrap(`· ${line}`, 6)))].join("\n")
    case "Message":
      return dim(wrap(`"${b.text}"`, 5))
  }
}

const order: ReadonlyArray<Section["id"]> = [
  "classification",
  "retries",
  "timeouts",
  "post",
  "redirects",
  "pool",
  "rate-limits",
  "policies"
]

const printSection = (section: Section) =>
  Console.log(
    [
      "",
      bold(`${order.indexOf(section.id) + 1}. ${section.title}`) + dim(`  (${section.elapsedMs} ms)`) +
      (section.ok ? "" : `  ${red("✗ MISMATCH")}`),
      ...section.blocks.map(block)
    ].join("\n")
  )

class Mismatch extends Data.TaggedError("Mismatch")<{ readonly sections: ReadonlyArray<string> }> {}

const main = Effect.gen(function*() {
  const server = yield* FaultServer.FaultServer
  yield* Console.log(bold("steadfast demo") + ": a resilient HTTP client for Effect, against real faults")
  yield* Console.log(`  fault server  ${server.urls.https} and ${server.urls.http} (test CA)`)
  yield* Console.log("  client        NodeClient.layer (undici pool, one per section), proxy: none")
  const result = yield* tour({ onSection: printSection })
  const failed = result.sections.filter((s) => !s.ok)
  yield* Console.log("")
  if (failed.length === 0) {
    yield* Console.log(
      `${pass} ${bold(`Every section went as expected`)} in ${Duration.format(Duration.millis(result.elapsedMs))}.`
    )
  } else {
    yield* Console.log(
      `${fail} ${red(`${failed.length} section(s) differed from what the tour expects:`)} ${
        failed.map((s) => s.title).join("; ")
      }`
    )
    return yield* new Mismatch({ sections: failed.map((s) => s.id) })
  }
}).pipe(
  Effect.provide(FaultServer.layer(scenario)),
  Effect.timeoutFail({ duration: Duration.minutes(1), onTimeout: () => new Error("the demo took over a minute") }),
  // a mismatch is reported above; anything else is a bug of the demo: show it
  Effect.catchAllCause((cause) =>
    Effect.zipRight(
      Option.exists(Cause.failureOption(cause), (error) => error instanceof Mismatch)
        ? Effect.void
        : Console.error(Cause.pretty(cause)),
      Effect.failCause(cause)
    )
  )
)

NodeRuntime.runMain(main, { disableErrorReporting: true })
