/**
 * The browser suite (run by `pnpm browser:check` after the smoke check, in
 * .ci/run): @steadfast/core over the browser's own fetch in headless
 * Chromium, against loopback servers started here, one page load per case;
 * core's Effect 3 build, or with `--line=effect4` its Effect 4 build (see
 * `./line.js`), with the same cases and checks.
 * Each case checks what the page got (tag, reason, likely cause, attempts)
 * and what the servers received (requests per path and method, headers a
 * redirect carried to another origin). Then the guide's example
 * (docs/examples/browser/app.ts) runs in its own page.
 */
import * as assert from "node:assert"
import type * as http from "node:http"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { bundle, launch, runPage, serve } from "./harness.js"
import { lineFromArgs, lineName } from "./line.js"
import { rawServer, recordingServer, refusedPort } from "./servers.js"
import type { Result } from "./suite.page.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const src = path.resolve(here, "../src")
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`
const line = lineFromArgs(process.argv.slice(2))

/** Answers with CORS headers for the origins in `allowed` only. */
const api = (allowed: Set<string>, landing: () => string): http.RequestListener => (req, res) => {
  const pathname = new URL(req.url ?? "/", "http://127.0.0.1").pathname
  const origin = typeof req.headers.origin === "string" && allowed.has(req.headers.origin)
    ? { "access-control-allow-origin": req.headers.origin, vary: "origin" }
    : {}
  const preflight = req.method === "OPTIONS"
  const text = (body: string, headers: Record<string, string> = origin) =>
    res.writeHead(200, { "content-type": "text/plain", ...headers }).end(body)
  switch (pathname) {
    case "/cors/allowed":
      if (preflight) {
        return res.writeHead(204, {
          ...origin,
          "access-control-allow-headers": "x-api-key",
          "access-control-allow-methods": "GET"
        }).end()
      }
      return text("allowed")
    case "/cors/rejected":
      // allows only authorization and content-type: a request with x-api-key fails its preflight
      if (preflight) {
        return res.writeHead(204, { ...origin, "access-control-allow-headers": "authorization, content-type" }).end()
      }
      return text("never read")
    case "/trace/default":
    case "/trace/opted-in":
      // a server that allows only authorization and content-type: a trace header makes the preflight fail
      if (preflight) {
        return res.writeHead(204, { ...origin, "access-control-allow-headers": "authorization, content-type" }).end()
      }
      return text("traced")
    case "/cors/missing":
    case "/guide/no-cors":
      return text("no CORS headers", {})
    case "/api/items":
      return text("items")
    case "/guide/todos":
      // the trace headers the client may add (see docs/browser.md, "CORS headers a server needs")
      if (preflight) {
        return res.writeHead(204, { ...origin, "access-control-allow-headers": "b3, traceparent, tracestate" }).end()
      }
      return res.writeHead(200, { "content-type": "application/json", ...origin }).end(
        JSON.stringify([{ id: 1, title: "read the guide" }])
      )
  }
  if (pathname.startsWith("/redirect/")) {
    if (preflight) {
      return res.writeHead(204, { ...origin, "access-control-allow-headers": "authorization, x-api-key" }).end()
    }
    return res.writeHead(302, { ...origin, location: `${landing()}/landing/${pathname.slice(10)}` }).end()
  }
  res.writeHead(404, origin).end()
}

const main = async () => {
  const started = Date.now()
  const suitePage = await bundle(path.join(src, "suite.page.ts"), { line })
  const guidePage = await bundle({
    contents: [
      `import { Effect } from "effect"`,
      `import { program } from ${JSON.stringify(path.resolve(here, "../../docs/examples/browser/app.ts"))}`,
      `import { report } from "./page.js"`,
      `Effect.runPromise(program(new URLSearchParams(location.search).get("api") ?? "")).then(`,
      `  (result) => report({ ok: true, result }), (error) => report({ ok: false, error: String(error) }))`
    ].join("\n"),
    resolveDir: src
  }, { line })
  console.log(
    `bundle (${lineName(line)}): the suite's page ${kib(suitePage.bytes)} minified, ${kib(suitePage.gzipBytes)} gzipped`
  )

  const allowed = new Set<string>()
  const landing = await recordingServer((_req, res) =>
    res.writeHead(200, { "content-type": "text/plain", "access-control-allow-origin": "*" }).end("landed")
  )
  const apiServer = await recordingServer(api(allowed, () => landing.url))
  const raw = await rawServer()
  const refused = await refusedPort()
  const page = await serve({ bundle: suitePage })
  const guide = await serve({ bundle: guidePage })
  allowed.add(page.url)
  allowed.add(guide.url)
  const browser = await launch()
  const failures: Array<string> = []

  const run = (name: string, onConsole: (line: string) => void) =>
    runPage<Result>(
      browser,
      `${page.url}/?case=${name}&b=${encodeURIComponent(apiServer.url)}&raw=${
        encodeURIComponent(raw.url)
      }&port=${refused}`,
      { timeoutMs: 20_000, onConsole }
    )
  // the page's console (CORS messages, retry logs) is printed for a failed case only
  const check = async (name: string, what: string, body: (result: Result) => void) => {
    const lines: Array<string> = []
    try {
      const result = await run(name, (line) => lines.push(`    [page] ${line}`))
      try {
        body(result)
      } catch (error) {
        throw new Error(`${(error as Error).message}\n    page reported: ${JSON.stringify(result)}`)
      }
      console.log(`  ok ${name}: ${what}`)
    } catch (error) {
      failures.push(name)
      console.log(`  FAILED ${name}: ${what}\n    ${(error as Error).message}\n${lines.join("\n")}`)
    }
  }
  const opaque = (result: Result, likely: string, requestSent: boolean | string, attempts: number) => {
    assert.deepStrictEqual(
      [result.tag, result.reason, result.likely, result.requestSent, result.attempts],
      ["TransportError", "opaque-network", likely, requestSent, attempts]
    )
  }

  try {
    await check("refused", "unreachable, retried like any network failure (GET), 3 attempts", (r) => {
      opaque(r, "unreachable", "unknown", 3)
      assert.match(r.message ?? "", /network panel/)
    })
    await check("refused-post", "a POST is not retried: the browser hides whether it left", (r) => {
      opaque(r, "unreachable", "unknown", 1)
      assert.strictEqual(r.decision, "not-idempotent")
    })
    await check("reset", "unreachable, 3 attempts; the server saw 3 GETs and 3 HEAD probes", (r) => {
      opaque(r, "unreachable", "unknown", 3)
      assert.strictEqual(raw.count("/reset", "GET"), 3)
      assert.strictEqual(raw.count("/reset", "HEAD"), 3)
    })
    await check("empty", "an empty response: unreachable, 3 attempts; the server saw 3 GETs", (r) => {
      opaque(r, "unreachable", "unknown", 3)
      assert.strictEqual(raw.count("/empty", "GET"), 3)
    })
    await check("cors-allowed", "preflight allowed x-api-key: one OPTIONS, one GET", (r) => {
      assert.deepStrictEqual([r.ok, r.body], [true, "allowed"])
      assert.strictEqual(apiServer.count("/cors/allowed", "OPTIONS"), 1)
      assert.strictEqual(apiServer.count("/cors/allowed", "GET"), 1)
    })
    await check("cors-rejected", "preflight refused: cors, not retried, the GET never ran", (r) => {
      opaque(r, "cors", "unknown", 1)
      assert.strictEqual(r.decision, "browser-refused")
      assert.match(r.message ?? "", /preflight because of x-api-key/)
      assert.strictEqual(apiServer.count("/cors/rejected", "OPTIONS"), 1)
      assert.strictEqual(apiServer.count("/cors/rejected", "GET"), 0)
      assert.strictEqual(apiServer.count("/cors/rejected", "HEAD"), 1, "one no-cors probe")
    })
    await check("trace-default", "default propagation: no trace header cross-origin, so no preflight", (r) => {
      assert.deepStrictEqual([r.ok, r.body], [true, "traced"])
      assert.strictEqual(apiServer.count("/trace/default", "OPTIONS"), 0)
      const gets = apiServer.received.filter((x) => x.path === "/trace/default" && x.method === "GET")
      assert.strictEqual(gets.length, 1)
      assert.strictEqual(gets[0]!.headers.traceparent, undefined)
    })
    await check("trace-opted-in", "origin opted in: traceparent needs a preflight the server refuses", (r) => {
      opaque(r, "cors", "unknown", 1)
      assert.match(r.message ?? "", /preflight because of traceparent/)
      assert.strictEqual(apiServer.count("/trace/opted-in", "OPTIONS"), 1)
      assert.strictEqual(apiServer.count("/trace/opted-in", "GET"), 0)
    })
    await check("cors-missing", "no CORS headers: cors, sent (simple request), the GET ran once", (r) => {
      opaque(r, "cors", true, 1)
      assert.strictEqual(apiServer.count("/cors/missing", "GET"), 1)
    })
    await check("redirect-followed", "no sensitive header: fetch follows to the other origin", (r) => {
      assert.deepStrictEqual([r.ok, r.body], [true, "landed"])
      assert.strictEqual(landing.count("/landing/followed", "GET"), 1)
    })
    await check(
      "redirect-sensitive",
      "Authorization + x-api-key: RedirectBlocked(opaque), nothing reached the target",
      (r) => {
        assert.deepStrictEqual([r.tag, r.reason, r.attempts], ["RedirectBlocked", "opaque", 1])
        assert.strictEqual(apiServer.count("/redirect/sensitive", "GET"), 1)
        const leaked = landing.received.filter((x) => x.headers["x-api-key"] !== undefined || x.headers.authorization)
        assert.deepStrictEqual(leaked, [], "no request to the other origin carried a sensitive header")
        assert.strictEqual(landing.count("/landing/sensitive"), 0)
      }
    )
    await check(
      "redirect-manual",
      "redirects.follow false: RedirectBlocked(opaque), not status 0, not retried",
      (r) => {
        assert.deepStrictEqual([r.tag, r.reason, r.attempts], ["RedirectBlocked", "opaque", 1])
        assert.strictEqual(apiServer.count("/redirect/manual", "GET"), 1)
        assert.strictEqual(landing.count("/landing/manual"), 0)
      }
    )
    await check("base-url", "a relative url resolves against baseUrl, not the page", (r) => {
      assert.deepStrictEqual([r.ok, r.body], [true, "items"])
      assert.strictEqual(apiServer.count("/api/items", "GET"), 1)
      assert.strictEqual(page.hits("/items") + page.hits("/api/items"), 0)
    })

    // the guide's example, as docs/browser.md shows it
    try {
      const outcome = await runPage<
        {
          ok: boolean
          error?: string
          result?: {
            todos: ReadonlyArray<{ id: number; title: string }>
            refused: { tag: string; attempts: number; explained: string }
          }
        }
      >(browser, `${guide.url}/?api=${encodeURIComponent(`${apiServer.url}/guide/`)}`, {
        timeoutMs: 20_000,
        onConsole: () => {}
      })
      assert.ok(outcome.ok, outcome.error)
      assert.deepStrictEqual(outcome.result, {
        todos: [{ id: 1, title: "read the guide" }],
        refused: {
          tag: "TransportError",
          attempts: 1,
          explained: "The API refuses this page (a configuration error; not retried)."
        }
      })
      // one exchange, not retried: a simple GET that ran, or (with trace headers) a preflight that failed
      assert.strictEqual(apiServer.count("/guide/no-cors", "GET") + apiServer.count("/guide/no-cors", "OPTIONS"), 1)
      console.log("  ok guide: docs/examples/browser/app.ts ran as docs/browser.md shows it")
    } catch (error) {
      failures.push("guide")
      console.log(`  FAILED guide: ${(error as Error).message}`)
    }
  } finally {
    await browser.close()
    await Promise.all([page.close(), guide.close(), apiServer.close(), landing.close(), raw.close()])
  }
  console.log(
    `browser suite (${lineName(line)}): ${failures.length === 0 ? "passed" : `FAILED (${failures.join(", ")})`} in ${
      ((Date.now() - started) / 1000).toFixed(1)
    } s`
  )
  if (failures.length > 0) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(`browser suite failed (${lineName(line)}):`, error)
  process.exitCode = 1
})
