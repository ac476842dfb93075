/**
 * undici's Agent closes an origin's pool when its last connection goes (the
 * keep-alive timeout passed, or the server closed it) and makes a new one at
 * the next request. The pool keeps every per-origin pool it made, so that
 * its release can destroy them; it must forget the ones that are closed and
 * empty, or a long-running service whose traffic to an origin comes in
 * bursts keeps one dead pool per burst for ever.
 *
 * it.scopedLive: real sockets and keep-alive timers. The garbage collector
 * is exposed at run time (`--expose-gc` through `v8.setFlagsFromString`).
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import type { Dispatcher } from "undici"
import { Pool } from "../../src/index.js"
import { buildClient, connectProxy, eventually, ok, rawServer } from "../helpers.js"

v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as () => void

describe("regression: pools of origins that went idle are not kept", () => {
  for (const via of ["direct", "through a proxy"] as const) {
    it.scopedLive(`${via}, stats never read: twenty bursts leave no dead pool reachable`, () =>
      Effect.gen(function*() {
        const server = yield* rawServer((socket) => ok(socket, "hi"))
        const proxy = yield* connectProxy()
        const { client, context } = yield* buildClient({
          retry: { retries: 0 },
          proxy: { url: via === "direct" ? "none" : proxy.url },
          pool: { keepAliveTimeout: "20 millis", statsInterval: Duration.infinity }
        })
        const pool = yield* Effect.provide(Pool.Pool, context)
        // the Agent that makes the per-origin pools (a ProxyAgent keeps its own under a symbol)
        const dispatcher = pool.dispatcherFor(server.url) as unknown as Record<symbol, Dispatcher> & Dispatcher
        const inner = Object.getOwnPropertySymbols(dispatcher).find((k) => k.description === "proxy agent")
        const agent = inner === undefined ? dispatcher : dispatcher[inner]!
        let made = 0
        let collected = 0
        const registry = new FinalizationRegistry<undefined>(() => void collected++)
        const seen = new WeakSet<object>()
        // Agent emits "connect" with [agent, origin pool, client]
        agent.on("connect", (_origin: URL, targets: ReadonlyArray<Dispatcher>) => {
          const originPool = targets[1]
          if (originPool !== undefined && !seen.has(originPool)) {
            seen.add(originPool)
            made++
            registry.register(originPool, undefined)
          }
        })
        for (let i = 0; i < 20; i++) {
          expect(yield* client.text(HttpClientRequest.get(`${server.url}/${i}`))).toBe("hi")
          yield* eventually("the idle connection expired", () => server.openSockets() === 0)
        }
        expect(made).toBe(20)
        yield* eventually("the dead pools were collected", () => {
          gc()
          return collected >= 15
        }, 3000)
      }), 20_000)
  }
})
