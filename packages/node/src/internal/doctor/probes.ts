/**
 * The doctor's low-level probes: a TCP connect, a TLS handshake that keeps
 * the certificate whatever the verdict, a DNS lookup, each bounded by the
 * step's timeout.
 *
 * @internal
 */
import * as Duration from "@steadfast/core/line/Duration"
import * as Effect from "@steadfast/core/line/Effect"
import * as dns from "node:dns"
import * as fs from "node:fs/promises"
import * as net from "node:net"
import * as tls from "node:tls"
import type * as Doctor from "../../Doctor.js"

type Failure = Doctor.Failure

export const lowerCaseKeys = (headers: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))

export const stripBrackets = (host: string) => host.startsWith("[") ? host.slice(1, -1) : host

export const defaultLookup = (hostname: string): Promise<ReadonlyArray<Doctor.Address>> =>
  dns.promises.lookup(hostname, { all: true, verbatim: true })

export class StepTimeout {
  readonly _tag = "StepTimeout"
}

export const withTimeout = <A>(effect: Effect.Effect<A, unknown>, timeout: Duration.Duration) =>
  Effect.timeoutFail(effect, { duration: timeout, onTimeout: () => new StepTimeout() })

export const connectTcp = (address: string, port: number): Effect.Effect<net.Socket, unknown> =>
  Effect.async<net.Socket, unknown>((resume) => {
    const socket = net.connect({ host: address, port })
    socket.once("connect", () => resume(Effect.succeed(socket)))
    socket.once("error", (error) => resume(Effect.fail(error)))
    return Effect.sync(() => socket.destroy())
  })

export interface Handshake {
  readonly socket: tls.TLSSocket
}

export const handshake = (
  address: string,
  port: number,
  servername: string | undefined,
  ca: string | undefined
): Effect.Effect<Handshake, unknown> =>
  Effect.async<Handshake, unknown>((resume) => {
    // rejectUnauthorized: false to finish the handshake and report on the
    // certificate whatever the verdict; nothing is sent on this socket
    const socket = tls.connect({
      host: address,
      port,
      ...(servername === undefined ? {} : { servername }),
      ...(ca === undefined ? {} : { ca }),
      rejectUnauthorized: false,
      ALPNProtocols: ["http/1.1"]
    })
    socket.once("secureConnect", () => resume(Effect.succeed({ socket })))
    socket.once("error", (error) => resume(Effect.fail(error)))
    return Effect.sync(() => socket.destroy())
  })

export const name = (entity: Record<string, unknown> | undefined): string | undefined => {
  if (entity === undefined) return undefined
  const parts = ["CN", "O", "OU", "C"].flatMap((k) => entity[k] === undefined ? [] : [`${k}=${String(entity[k])}`])
  return parts.length === 0 ? undefined : parts.join(", ")
}

export const readCa = (ca: string): Effect.Effect<string, Failure> =>
  ca.includes("-----BEGIN ") ? Effect.succeed(ca) : Effect.tryPromise({
    try: () => fs.readFile(ca, "utf8"),
    catch: (cause): Failure => ({
      step: "tls",
      _tag: "InvalidPoolOptions",
      code: (cause as { code?: string }).code,
      explanation: `The CA file ${ca} cannot be read.`,
      fix: "Give the path of a PEM file (or PEM text) to --ca."
    })
  })
