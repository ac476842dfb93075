/**
 * Every guide's code blocks are real files (checked here to be in sync), and
 * every example under docs/examples runs: each exports `program`, an Effect
 * that asserts what the guide claims about its output.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as RedisServer from "../../packages/core/test/helpers/redis.js"
import { blocks, extract, guides } from "../sync.js"

const docsDir = path.resolve(__dirname, "..")
const examplesDir = path.join(docsDir, "examples")

describe("guides", () => {
  for (const guide of guides(docsDir)) {
    it(`${path.basename(guide)}: every code block matches its example file (run \`pnpm docs:sync\`)`, () => {
      for (const block of blocks(fs.readFileSync(guide, "utf8"), docsDir)) {
        expect(block.shown, `${block.file}${block.region ? `#${block.region}` : ""}`).toBe(
          extract(block.file, block.region)
        )
      }
    })
  }

  it("every example is shown in some guide", () => {
    const shown = new Set(
      guides(docsDir).flatMap((g) => blocks(fs.readFileSync(g, "utf8"), docsDir).map((b) => b.file))
    )
    const unused = fs.readdirSync(examplesDir).filter((f) => f.endsWith(".ts")).map((f) => path.join(examplesDir, f))
      .filter((f) => !shown.has(f))
    expect(unused.map((f) => path.relative(docsDir, f))).toEqual([])
  })
})

describe("examples", () => {
  // `*.test.ts` examples are whole test files: vitest runs them itself
  const files = fs.readdirSync(examplesDir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).sort()

  // the Redis example (rate-limit-redis.ts) reads its store from the environment, as users'
  // replicas do: a real redis-server on loopback, where one is installed (always in CI)
  let redis: { readonly url: string; readonly stop: () => Promise<void> } | undefined
  beforeAll(async () => {
    if (!RedisServer.enabled) return
    redis = await RedisServer.startPlain()
    process.env["STEADFAST_RATE_LIMIT_REDIS_URL"] = redis.url
  })
  afterAll(async () => {
    delete process.env["STEADFAST_RATE_LIMIT_REDIS_URL"]
    await redis?.stop()
  })
  for (const file of files) {
    // it.live: examples run as users run them, some on loopback sockets
    it.live(file, () =>
      Effect.gen(function*() {
        const mod = yield* Effect.promise(() => import(path.join(examplesDir, file)))
        expect(Effect.isEffect(mod.program), `${file} must export \`program\`, an Effect`).toBe(true)
        yield* (mod.program as Effect.Effect<unknown, unknown>)
      }), 30_000)
  }
})
