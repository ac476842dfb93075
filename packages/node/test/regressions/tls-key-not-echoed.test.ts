/**
 * `tls.key` (and `STEADFAST_TLS_KEY`, read as a secret) that is not PEM text
 * is taken as a path. When it is in fact key material without its
 * `-----BEGIN` line — a common mistake with keys kept in environment
 * variables — the file cannot be read, and the error must not quote it:
 * neither in its message nor in the Node error kept as its cause.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "@steadfast/core/line/Cause"
import * as ConfigProvider from "@steadfast/core/line/ConfigProvider"
import * as Effect from "@steadfast/core/line/Effect"
import { Certificates } from "@steadfast/testkit"
import { Exit, Layer, Redacted } from "effect"
import { NodeClient } from "../../src/index.js"

const KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDtopSecretKeyMaterial"

const failureText = <E>(exit: Exit.Exit<unknown, E>): string =>
  Exit.isFailure(exit) ? `${Cause.pretty(exit.cause, { renderErrorCause: true })}` : "succeeded"

describe("regression: a secret key that is not PEM is never quoted", () => {
  it.scoped("given in code as Redacted", () =>
    Effect.gen(function*() {
      const certs = yield* Certificates.make()
      const exit = yield* Effect.exit(
        Layer.build(NodeClient.layer({ tls: { cert: certs.localhost.cert, key: Redacted.make(KEY_BODY) } }))
      )
      expect(Exit.isFailure(exit)).toBe(true)
      const text = failureText(exit)
      expect(text).toContain("tls.key")
      expect(text).not.toContain("SecretKeyMaterial")
    }))

  it.scoped("from STEADFAST_TLS_KEY", () =>
    Effect.gen(function*() {
      const certs = yield* Certificates.make()
      const exit = yield* Effect.exit(Layer.build(NodeClient.layerConfig())).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(
          new Map([["STEADFAST_TLS_CERT", certs.localhost.cert], ["STEADFAST_TLS_KEY", KEY_BODY]]),
          { pathDelim: "_" }
        ))
      )
      expect(Exit.isFailure(exit)).toBe(true)
      const text = failureText(exit)
      expect(text).toContain("tls.key")
      expect(text).not.toContain("SecretKeyMaterial")
    }))
})
