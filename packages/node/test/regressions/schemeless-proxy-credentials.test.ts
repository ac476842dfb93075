/**
 * A proxy url without a scheme (`user:password@host:port`) is accepted, as
 * curl accepts it, and means `http://user:password@host:port`. As text, that
 * is a valid url whose scheme is the user name (`carol:`), so redacting it
 * as a url finds no password in it: the password must be redacted as the
 * proxy url steadfast reads, not as the text.
 *
 * it.scopedLive for the doctor: real sockets to a proxy that is not running.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "@steadfast/core/line/ConfigProvider"
import * as Effect from "@steadfast/core/line/Effect"
import { Layer } from "effect"
import { Doctor, NodeClient, Proxy } from "../../src/index.js"
import { releasedPort } from "../helpers.js"

const env = (httpProxy: string): Proxy.Environment => ({ httpProxy, httpsProxy: undefined, noProxy: undefined })

describe("regression: credentials of a proxy url without a scheme", () => {
  it.effect("an unusable one: the reason keeps the password out", () =>
    Effect.gen(function*() {
      const reason = Proxy.settings({ url: "env" }, env("carol:t0ps3cret@proxy.test:99999"))
      expect(typeof reason).toBe("string")
      expect(reason).toContain("proxy.test")
      expect(reason).not.toContain("t0ps3cret")
      const error = yield* Effect.flip(
        Layer.build(NodeClient.layer({ proxy: { url: "carol:t0ps3cret@proxy.test:99999" } }))
      ).pipe(Effect.scoped)
      expect(error._tag).toBe("InvalidPoolOptions")
      expect(error.message).not.toContain("t0ps3cret")
    }))

  it.scopedLive("the doctor lists HTTP_PROXY with its password redacted", () =>
    Effect.gen(function*() {
      const port = yield* releasedPort
      const report = yield* Doctor.run({ url: "http://api.test/" }).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(
          new Map([
            ["HTTP_PROXY", `carol:t0ps3cret@127.0.0.1:${port}`],
            ["ALL_PROXY", `carol:t0ps3cret@127.0.0.1:${port}`]
          ])
        ))
      )
      // the proxy is used (and is down), so the variable was read
      expect(report.failures.map((f) => f._tag)).toEqual(["ProxyError"])
      expect(report.environment?.variables["HTTP_PROXY"]).toContain("carol:<redacted>@127.0.0.1")
      expect(JSON.stringify(report)).not.toContain("t0ps3cret")
      expect(Doctor.render(report)).not.toContain("t0ps3cret")
    }))

  it.effect("the doctor given a target url without a scheme", () =>
    Effect.gen(function*() {
      const report = yield* Doctor.run({ url: "alice:hunter2@api.test:8443/x" })
      expect(report.failures.map((f) => `${f.step}:${f._tag}`)).toEqual(["url:InvalidUrl"])
      expect(report.url).toBe("alice:<redacted>@api.test:8443/x")
      expect(JSON.stringify(report)).not.toContain("hunter2")
      expect(Doctor.render(report)).toContain("has no scheme")
    }))
})
