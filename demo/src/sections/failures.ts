/**
 * Sections 1 and 3: every failure has a name, and every time limit fires
 * on time with its own tag.
 */
import { FaultServer } from "@steadfast/testkit"
import { Duration, Effect } from "effect"
import type { Classification, Row, Timeouts } from "../result.js"
import { cases, exampleSlug, limits, timeoutCases } from "../script.js"
import { get, measure, row, Story, timedSection, withNodeClient } from "../story.js"
export const classification = (server: FaultServer.Service): Effect.Effect<Classification> =>
  timedSection(withNodeClient(
    server,
    {
      retry: { retries: 0 },
      timeouts: { connect: "300 millis", response: "300 millis", bodyIdle: "300 millis" }
    },
    ({ client }) =>
      Effect.gen(function*() {
        const story = new Story()
        story.text("GET /faults/<fault> over https, retries off: what the client reports")
        const rows: Array<Row> = []
        let example: string | undefined
        for (const c of cases) {
          const outcome = yield* measure(client.text(get(server.urls.https, `/faults/${c.slug}`)))
          const r = row(c.label, c.expected, c.detail, outcome)
          rows.push(r)
          if (c.slug === exampleSlug) example = r.message
        }
        story.rows("what the server did", rows)
        if (example !== undefined) {
          story.text("Each error's message says what happened, to which request, and how to fix it:")
          story.message(example)
        }
        return (elapsedMs: number) => story.section("classification", "Every failure has a name", elapsedMs, { rows })
      })
  ))

export const timeouts = (server: FaultServer.Service): Effect.Effect<Timeouts> =>
  timedSection(withNodeClient(
    server,
    {
      retry: { retries: 0 },
      timeouts: {
        connect: Duration.millis(limits.connect),
        response: Duration.millis(limits.response),
        bodyIdle: Duration.millis(limits.bodyIdle)
      }
    },
    ({ client }) =>
      Effect.gen(function*() {
        const story = new Story()
        story.text("GET /timeouts/<phase>, retries off, a different limit for each phase")
        const rows: Array<Row> = []
        for (const c of timeoutCases) {
          const outcome = yield* measure(client.text(get(server.urls.https, `/timeouts/${c.slug}`)))
          rows.push(row(c.label, c.expected, "", outcome, c.limitMs))
        }
        story.rows("the limit that should fire", rows)
        return (elapsedMs: number) =>
          story.section("timeouts", "Timeouts fire on time, by interruption", elapsedMs, { rows })
      })
  ))
