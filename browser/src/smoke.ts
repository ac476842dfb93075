/**
 * The browser smoke check (`pnpm browser:check`, run by .ci/run):
 * @steadfast/core bundled for the browser with esbuild — its Effect 3 build,
 * or with `--line=effect4` its Effect 4 build (see `./line.js`) — its size
 * printed, run in headless Chromium over the browser's fetch against a
 * loopback server — a request, a retried 503, a response timeout — with the
 * server's side of each checked too (the retry arrived, the timed-out fetch
 * was aborted on the wire).
 */
import * as assert from "node:assert"
import type * as http from "node:http"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { bundle, launch, runPage, serve } from "./harness.js"
import { lineFromArgs, lineName } from "./line.js"

interface Outcome {
  readonly ok: boolean
  readonly error?: string
  readonly result?: {
    readonly greeting: string
    readonly flaky: string
    readonly timeout: {
      readonly tag: string
      readonly isTimeout: boolean
      readonly attempts: number
      readonly message: string
    }
  }
}

const here = path.dirname(fileURLToPath(import.meta.url))
const entry = path.resolve(here, "../src/smoke.page.ts")

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`

const line = lineFromArgs(process.argv.slice(2))

const main = async () => {
  const bundled = await bundle(entry, { line })
  console.log(
    `bundle (${lineName(line)}): core + FetchHttpClient + effect, ${kib(bundled.bytes)} minified, ${
      kib(bundled.gzipBytes)
    } gzipped`
  )

  let flakyCalls = 0
  const slowRequests: Array<http.IncomingMessage> = []
  let slowAborted = 0
  const server = await serve({
    bundle: bundled,
    routes: {
      "/api/hello": (_req, res) =>
        res.writeHead(200, { "content-type": "application/json" }).end(`{"hello":"browser"}`),
      "/api/flaky": (_req, res) => {
        flakyCalls++
        if (flakyCalls === 1) res.writeHead(503).end("busy")
        else res.writeHead(200, { "content-type": "text/plain" }).end("recovered")
      },
      // never answers; counts the fetches the browser aborts
      "/api/slow": (req, res) => {
        slowRequests.push(req)
        res.on("close", () => {
          if (!res.writableFinished) slowAborted++
        })
      }
    }
  })
  const browser = await launch()
  try {
    const outcome = await runPage<Outcome>(browser, `${server.url}/`, { timeoutMs: 30_000 })
    assert.ok(outcome.ok, `the page failed: ${outcome.error}`)
    const result = outcome.result!
    assert.strictEqual(result.greeting, "browser")
    assert.strictEqual(result.flaky, "recovered")
    assert.strictEqual(server.hits("/api/flaky"), 2, "the 503 was retried once")
    assert.strictEqual(result.timeout.tag, "ResponseTimeout")
    assert.ok(result.timeout.isTimeout)
    // retried like any response timeout (2 retries), each fetch aborted
    assert.strictEqual(result.timeout.attempts, 3)
    assert.strictEqual(slowRequests.length, 3)
    await waitFor(() => slowAborted === 3, "the server saw every timed-out fetch closed")
    console.log(`  ok request: {"hello":"browser"} decoded with Schema`)
    console.log(`  ok retried 503: 2 requests reached the server, the second answered "recovered"`)
    console.log(`  ok response timeout: ${result.timeout.message}`)
    console.log(`  ok the server saw ${slowAborted} aborted fetches`)
  } finally {
    await browser.close()
    await server.close()
  }
  console.log(`browser check passed (${lineName(line)})`)
}

/** Polls `condition` for up to 5 s (the server learns of an abort a moment after the page does). */
const waitFor = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 50))
  assert.ok(condition(), what)
}

main().catch((error: unknown) => {
  console.error(`browser check failed (${lineName(line)}):`, error)
  process.exitCode = 1
})
