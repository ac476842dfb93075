/**
 * Turns `Tls.Options` into the options of Node's `tls.connect` (what undici's
 * connector passes through), reading files and warning about disabled
 * verification.
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as crypto from "node:crypto"
import * as fs from "node:fs/promises"
import * as tls from "node:tls"
import type * as Tls from "../Tls.js"
import { InvalidOptions } from "./errors.js"

/** Options for `tls.connect`. @internal */
export interface ConnectTls {
  readonly ca?: Array<string>
  readonly cert?: string
  readonly key?: string
  readonly passphrase?: string
  readonly servername?: string
  readonly rejectUnauthorized: boolean
}

const reveal = (value: string | Redacted.Redacted<string>): string =>
  typeof value === "string" ? value : Redacted.value(value)

const isPem = (text: string) => text.includes("-----BEGIN ")

/** PEM text as is, or the contents of the file at that path. */
const pem = (option: string, value: string): Effect.Effect<string, InvalidOptions> =>
  isPem(value) ? Effect.succeed(value) : Effect.tryPromise({
    try: () => fs.readFile(value, "utf8"),
    catch: (cause) =>
      new InvalidOptions({
        option,
        reason: `cannot read ${value} (${(cause as { code?: string }).code ?? String(cause)})`,
        cause
      })
  }).pipe(
    Effect.filterOrFail(
      isPem,
      () => new InvalidOptions({ option, reason: `${value} holds no PEM data (-----BEGIN …)` })
    )
  )

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g

/**
 * Node ignores CA certificates it cannot parse: check each one, so a broken
 * bundle fails when the pool is built rather than as "untrusted" later.
 */
const checkCertificates = (option: string, source: string, text: string): Effect.Effect<void, InvalidOptions> =>
  Effect.forEach(text.match(CERTIFICATE) ?? [], (pem, i) =>
    Effect.try({
      try: () => new crypto.X509Certificate(pem),
      catch: (cause) =>
        new InvalidOptions({
          option,
          reason: `certificate ${i + 1} of ${isPem(source) ? "the PEM text" : source} cannot be parsed`,
          cause
        })
    }), { discard: true })

/** The warning logged when verification is turned off. @internal */
export const insecureWarning =
  "TLS certificate verification is OFF (tls.rejectUnauthorized: false): any certificate is accepted, " +
  "including an attacker's. Trust the server's CA with `tls.ca` instead."

/** The warning logged when NODE_TLS_REJECT_UNAUTHORIZED=0 is set. @internal */
export const envWarning = "NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the environment. steadfast ignores it and " +
  "keeps verifying certificates (it passes rejectUnauthorized to Node explicitly); other Node code in this process " +
  "does not verify. Unset it, and trust a private CA with `tls.ca`."

/**
 * Resolves TLS options: reads PEM files, checks that Node accepts the
 * result, and logs a warning (once per pool) when verification is off or
 * `NODE_TLS_REJECT_UNAUTHORIZED=0` is set.
 *
 * @internal
 */
export const resolve = (options: Tls.Options | undefined): Effect.Effect<ConnectTls, InvalidOptions> =>
  Effect.gen(function*() {
    const o = options ?? {}
    const rejectUnauthorized = o.rejectUnauthorized ?? true
    const out: {
      ca?: Array<string>
      cert?: string
      key?: string
      passphrase?: string
      servername?: string
      rejectUnauthorized: boolean
    } = { rejectUnauthorized }
    if (o.ca !== undefined) {
      const sources = typeof o.ca === "string" ? [o.ca] : o.ca
      const cas = yield* Effect.forEach(
        sources,
        (source) => Effect.tap(pem("tls.ca", source), (text) => checkCertificates("tls.ca", source, text))
      )
      out.ca = o.includeDefaultCa === true ? [...tls.rootCertificates, ...cas] : cas
    }
    if (o.cert !== undefined) out.cert = yield* pem("tls.cert", o.cert)
    if (o.key !== undefined) out.key = yield* pem("tls.key", reveal(o.key))
    if (o.passphrase !== undefined) out.passphrase = reveal(o.passphrase)
    if (o.servername !== undefined) out.servername = o.servername
    if ((out.cert === undefined) !== (out.key === undefined)) {
      return yield* new InvalidOptions({
        option: out.cert === undefined ? "tls.cert" : "tls.key",
        reason: "a client certificate needs both `cert` and `key`"
      })
    }
    yield* Effect.try({
      try: () => tls.createSecureContext(out),
      catch: (cause) =>
        new InvalidOptions({
          option: "tls",
          reason: `Node rejects the certificates or key: ${(cause as Error).message ?? String(cause)}`,
          cause
        })
    })
    if (!rejectUnauthorized) yield* Effect.logWarning(insecureWarning)
    const env = yield* Effect.orElseSucceed(
      Config.option(Config.string("NODE_TLS_REJECT_UNAUTHORIZED")),
      () => Option.none<string>()
    )
    if (Option.isSome(env) && env.value.trim() === "0") yield* Effect.logWarning(envWarning)
    return out
  }).pipe(Effect.annotateLogs("steadfast", "tls"))
