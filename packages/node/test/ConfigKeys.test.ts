/**
 * NodeClient.layerConfig reads the core's variables and the pool's, TLS and
 * proxy ones: a misspelling of any of them is reported with the right name.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigKeys } from "@steadfast/core"
import * as ConfigProvider from "@steadfast/core/line/ConfigProvider"
import * as Effect from "@steadfast/core/line/Effect"
import { Layer } from "effect"
import { NodeClient } from "../src/index.js"
import { captureWarnings } from "./helpers.js"

const env = (vars: Record<string, string>) => ConfigProvider.fromMap(new Map(Object.entries(vars)), { pathDelim: "_" })

describe("NodeClient.layerConfig and unknown variables", () => {
  it.effect("the known names include the pool's, TLS and proxy settings", () =>
    Effect.gen(function*() {
      const names = yield* ConfigKeys.known(NodeClient.config, "STEADFAST")
      for (
        const name of [
          "STEADFAST_POOL_CONNECTIONS",
          "STEADFAST_TLS_CA",
          "STEADFAST_PROXY_NO_PROXY",
          "STEADFAST_RETRIES"
        ]
      ) {
        expect(names).toContain(name)
      }
    }))

  it.scoped("a misspelt pool variable is logged with the right name; the layer still builds", () =>
    Effect.gen(function*() {
      // warnings and above
      const warnings = captureWarnings()
      yield* Layer.build(NodeClient.layerConfig()).pipe(
        Effect.withConfigProvider(env({ STEADFAST_POOL_CONECTIONS: "4", STEADFAST_PROXY: "none" })),
        Effect.provide(warnings.layer)
      )
      expect(warnings.messages).toEqual([
        "STEADFAST_POOL_CONECTIONS is set, but steadfast reads no such setting: it is ignored. Did you mean STEADFAST_POOL_CONNECTIONS?"
      ])
    }))
})
