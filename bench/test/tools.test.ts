/**
 * The benchmark's tools: the nginx config it writes (server.ts) and the
 * summary of a CPU profile (profileSummary.ts). No timing.
 */
import { describe, it } from "@effect/vitest"
import { assertFalse, assertInclude, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { placeOf, summarizeProfile } from "../src/profileSummary.js"
import { nginxConfig } from "../src/server.js"

describe("nginx config", () => {
  it("listens on loopback with keep-alive, no access log, and serves the body", () => {
    const conf = nginxConfig("/tmp/x", 8123, `{"a":"it's"}`)
    assertInclude(conf, "listen 127.0.0.1:8123")
    assertInclude(conf, "daemon off;")
    assertInclude(conf, "access_log off;")
    assertInclude(conf, "keepalive_requests")
    assertInclude(conf, `return 200 '{"a":"it\\'s"}';`)
    assertFalse(conf.includes("fastcgi_temp_path"))
  })

  it("points the temp paths of the modules nginx has into its temp dir", () => {
    const conf = nginxConfig("/tmp/x", 8123, "{}", ["fastcgi", "uwsgi"])
    assertInclude(conf, "fastcgi_temp_path /tmp/x/temp/fastcgi;")
    assertInclude(conf, "uwsgi_temp_path /tmp/x/temp/uwsgi;")
    assertFalse(conf.includes("scgi_temp_path /tmp"))
  })
})

describe("profile summary", () => {
  const frame = (id: number, functionName: string, url: string, lineNumber = 0) => ({
    id,
    callFrame: { functionName, url, lineNumber }
  })
  const profile = {
    nodes: [
      frame(1, "(idle)", ""),
      frame(2, "decide", "file:///w/packages/core/src/internal/decide.ts", 9),
      frame(
        3,
        "runLoop",
        "file:///w/node_modules/.pnpm/effect@3.22.4/node_modules/effect/dist/esm/internal/fiberRuntime.js"
      ),
      frame(4, "(garbage collector)", ""),
      frame(5, "onData", "file:///w/node_modules/.pnpm/undici@7.30.2/node_modules/undici/lib/dispatcher/client-h1.js")
    ],
    samples: [1, 2, 3, 3, 4, 5, 1],
    timeDeltas: [500, 100, 200, 200, 100, 400, 500]
  }

  it("names the place each frame's code lives", () => {
    deepStrictEqual(profile.nodes.map((n) => placeOf(n.callFrame.url, n.callFrame.functionName)), [
      "(idle)",
      "steadfast core",
      "effect runtime",
      "GC",
      "undici"
    ])
    strictEqual(placeOf("node:internal/streams/readable", "read"), "node internals")
  })

  it("sums self time per place and per function, per request, leaving idle out", () => {
    const text = summarizeProfile(profile, 10, 2)
    assertInclude(text, "busy samples:  100.00 µs/request")
    assertInclude(text, "  40.00 µs   40.0%  effect runtime")
    assertInclude(text, "  10.00 µs   10.0%  steadfast core")
    assertInclude(text, "top 2 functions")
    assertInclude(text, "40.00 µs   40.0%  runLoop")
    assertInclude(text, "40.00 µs   40.0%  onData lib/dispatcher/client-h1.js:1  [undici]")
    assertFalse(text.includes("decide src/internal"), text)
  })
})
