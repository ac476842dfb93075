/**
 * The guided tour behind `pnpm demo`, as data: {@link tour} runs every
 * section against a `FaultServer` on 127.0.0.1, through the production
 * transport (`NodeClient.layer`: the undici pool, with the fault server's
 * interceptor composed in), and returns what happened — per section the
 * rows (expected tag, tag seen, attempts, timings) and the checks (what the
 * section expects, what it saw). `main.ts` prints it; the demo's test
 * asserts it. Nothing here prints, and no line of the result is made up:
 * each one is measured or read from the client, the pool or the server.
 *
 * Each section builds its own `NodeClient.layer` (a fresh pool, closed when
 * the section ends), so one section's keep-alive connections do not change
 * the next one's story: a request that fails on a *reused* connection before
 * any response byte is sent once more by the transport (see `NodeClient`),
 * which section 6 shows on purpose and sections 2 and 4 must not run into.
 */
import { FaultServer } from "@steadfast/testkit"
import { Effect } from "effect"
import type { Options, Result, Section } from "./result.js"
import { pool, redirects } from "./sections/connections.js"
import { classification, timeouts } from "./sections/failures.js"
import { policies } from "./sections/policies.js"
import { rateLimits } from "./sections/rateLimits.js"
import { post, retries } from "./sections/retries.js"
import { millis } from "./story.js"

export type { Block, Check, Options, Result, Row, Section } from "./result.js"
export { checksOf, rowsOf } from "./result.js"
export { scenario } from "./script.js"

/**
 * Runs the tour against the `FaultServer` in the context, which must play
 * {@link scenario} (once: run the tour once per server). Every section
 * builds and closes its own pool, so when the returned effect is done,
 * nothing of the client is left open.
 */
export const tour = (options: Options = {}): Effect.Effect<Result, never, FaultServer.FaultServer> =>
  Effect.gen(function*() {
    const server = yield* FaultServer.FaultServer
    const report = options.onSection ?? (() => Effect.void)
    const run = <S extends Section>(section: Effect.Effect<S>) => Effect.tap(section, report)
    const [elapsed, sections] = yield* Effect.timed(Effect.gen(function*() {
      return {
        classification: yield* run(classification(server)),
        retries: yield* run(retries(server)),
        timeouts: yield* run(timeouts(server)),
        post: yield* run(post(server)),
        redirects: yield* run(redirects(server)),
        pool: yield* run(pool(server, options.requests ?? 400)),
        rateLimits: yield* run(rateLimits(server)),
        policies: yield* run(policies(server))
      }
    }))
    const all: ReadonlyArray<Section> = [
      sections.classification,
      sections.retries,
      sections.timeouts,
      sections.post,
      sections.redirects,
      sections.pool,
      sections.rateLimits,
      sections.policies
    ]
    return {
      server: { https: server.urls.https, http: server.urls.http },
      ...sections,
      sections: all,
      ok: all.every((s) => s.ok),
      elapsedMs: millis(elapsed)
    }
  })
