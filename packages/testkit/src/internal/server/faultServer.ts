/**
 * The fault server: loopback listeners that play a Scenario on real sockets,
 * and an undici interceptor that realises connection-level faults.
 * See the public `FaultServer` module for the contract; the faults
 * themselves are rows of the fault table (`../faults/table.ts`).
 *
 * @internal
 */
import * as tls from "node:tls"
import type { KeyPairPem } from "../../Certificates.js"
import type { Fault } from "../../Fault.js"
import type { Handle, Options, Urls } from "../../FaultServer.js"
import type * as Scenario from "../../Scenario.js"
import * as Timer from "../../Timer.js"
import { tracked } from "../timer.js"
import * as Certificates from "./certificates.js"
import { Interceptor } from "./interceptor.js"
import { closedPort, Listeners } from "./listeners.js"
import { Scripts } from "./scripts.js"
import { LOOPBACK, type ServerState } from "./wire.js"

export { STEP_HEADER } from "./scripts.js"

export const start = async (scenario: Scenario.Scenario, options: Options = {}): Promise<Handle> => {
  const certs = await Certificates.generate()
  const timer = tracked(options.timer ?? Timer.real)
  const state: ServerState = {
    scripts: new Scripts(scenario, timer.now),
    pending: new Map(),
    timer,
    urls: undefined,
    stopped: false
  }
  const listeners = new Listeners(state)
  const context = (pair: KeyPairPem, extra: tls.SecureContextOptions = {}) =>
    tls.createSecureContext({ cert: pair.cert, key: pair.key, ...extra })

  const [http, https, secondaryHttp, secondaryHttps, selfSigned, expired, wrongHost, handshake, hang, refused] =
    await Promise.all([
      listeners.plain("primary"),
      listeners.tls("primary", context(certs.localhost)),
      listeners.plain("secondary"),
      listeners.tls("secondary", context(certs.localhost)),
      listeners.tls("insecure-cert", context(certs.selfSigned)),
      listeners.tls("insecure-cert", context(certs.expired)),
      listeners.tls("insecure-cert", context(certs.wrongHost)),
      // An ECDSA key with only an RSA-authenticated suite and TLS <= 1.2: no
      // cipher suite can be agreed, so the server answers the ClientHello with
      // a handshake_failure alert (40).
      listeners.tls(
        "insecure-cert",
        context(certs.localhost, {
          ciphers: "ECDHE-RSA-AES128-GCM-SHA256",
          minVersion: "TLSv1.2",
          maxVersion: "TLSv1.2"
        })
      ),
      listeners.plain("stall"),
      closedPort()
    ])

  const base = (scheme: string, port: number) => `${scheme}://${LOOPBACK}:${port}`
  const urls: Urls = {
    http: base("http", http),
    https: base("https", https),
    secondaryHttp: base("http", secondaryHttp),
    secondaryHttps: base("https", secondaryHttps),
    selfSigned: base("https", selfSigned),
    expired: base("https", expired),
    wrongHost: base("https", wrongHost),
    handshake: base("https", handshake),
    connectHang: base("https", hang),
    refused: base("http", refused)
  }
  state.urls = urls

  const interceptor = new Interceptor(state, {
    http,
    https,
    refused,
    hang,
    tls: { "self-signed": selfSigned, expired, "hostname-mismatch": wrongHost, handshake }
  }, certs.ca.cert)

  let stopping: Promise<void> | undefined
  const stop = () =>
    stopping ??= (async () => {
      state.stopped = true
      timer.cancelAll()
      const stopped = interceptor.stop()
      state.pending.clear()
      await listeners.close()
      await stopped
    })()

  return {
    urls,
    ca: certs.ca.cert,
    interceptor: interceptor.interceptor,
    hits: (key) => state.scripts.hits(key),
    attempts: () => state.scripts.attempts.slice(),
    exhausted: () => state.scripts.exhausted.slice(),
    openSockets: () => listeners.sockets.size,
    setScript: (key: string, steps: Fault | ReadonlyArray<Fault> | Scenario.Script) => state.scripts.set(key, steps),
    stop
  }
}
