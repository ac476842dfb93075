/**
 * The FaultServer's undici interceptor: draws each request's step before it
 * connects, realises connection-level faults (through the fault table's
 * `connect` handlers) and forwards the others to the primary listener with
 * the drawn step in `STEP_HEADER`.
 *
 * @internal
 */
import * as os from "node:os"
import { Agent, type Dispatcher } from "undici"
import type { Fault } from "../../Fault.js"
import type { ConnectRequest } from "../faults/player.js"
import { rowOf } from "../faults/table.js"
import * as BlackHole from "./blackHole.js"
import { type Plan, STEP_HEADER } from "./scripts.js"
import { failRequest, headerEntries, headerRecord, withHeader } from "./undici.js"
import { LOOPBACK, type ServerState } from "./wire.js"

/** The ports the interceptor sends connection-level faults to. */
export interface Ports {
  readonly http: number
  readonly https: number
  readonly refused: number
  readonly hang: number
  readonly tls: Readonly<Record<"self-signed" | "expired" | "hostname-mismatch" | "handshake", number>>
}

/** TEST-NET addresses (RFC 5737); the first one no interface holds is used as a source address that cannot be bound. */
const unassignedCandidates = ["198.51.100.1", "203.0.113.1", "192.0.2.1", "198.51.100.254", "203.0.113.254"]

const pickUnassignedAddress = (): string => {
  const assigned = new Set<string>()
  for (const list of Object.values(os.networkInterfaces())) {
    for (const info of list ?? []) assigned.add(info.address)
  }
  return unassignedCandidates.find((a) => !assigned.has(a)) ?? unassignedCandidates[0]!
}

export class Interceptor {
  private readonly held = new Set<{ readonly fail: (error: Error) => void }>()
  private readonly primaryOrigins: Set<string>
  private unreachableAgent: Agent | undefined
  private blackHole: Promise<BlackHole.BlackHole> | undefined
  private tokens = 0
  private readonly id = Math.random().toString(36).slice(2, 8)

  constructor(readonly server: ServerState, readonly ports: Ports, readonly ca: string) {
    this.primaryOrigins = new Set([
      `http://${LOOPBACK}:${ports.http}`,
      `http://localhost:${ports.http}`,
      `https://${LOOPBACK}:${ports.https}`,
      `https://localhost:${ports.https}`
    ])
  }

  readonly interceptor: Dispatcher.DispatchInterceptor = (dispatch) => (opts, handler) => {
    if (this.server.stopped || opts.origin === undefined) return dispatch(opts, handler)
    let origin: string
    try {
      origin = new URL(String(opts.origin)).origin
    } catch {
      return dispatch(opts, handler)
    }
    if (!this.primaryOrigins.has(origin)) return dispatch(opts, handler)
    const url = new URL(opts.path, origin)
    const plan = this.server.scripts.draw(
      opts.method.toUpperCase(),
      url,
      headerRecord(headerEntries(opts.headers)),
      "interceptor"
    )
    return this.route(dispatch, opts, handler, url, plan)
  }

  private route(
    dispatch: Dispatcher.Dispatch,
    opts: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
    url: URL,
    plan: Plan
  ): boolean {
    if (plan._tag === "Fault") {
      const row = rowOf(plan.fault)
      if (row.connect !== undefined) return row.connect(this.request(dispatch, opts, handler, url, plan), plan.fault)
    }
    const token = `${this.id}.${++this.tokens}`
    this.server.pending.set(token, plan)
    return dispatch({ ...opts, headers: withHeader(opts.headers, STEP_HEADER, token) }, handler)
  }

  /** The request as the fault table's `connect` handlers see it. */
  private request(
    dispatch: Dispatcher.Dispatch,
    opts: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
    url: URL,
    plan: Extract<Plan, { _tag: "Fault" }>
  ): ConnectRequest {
    const host = url.hostname
    const ports = this.ports
    return {
      host,
      protocol: url.protocol === "https:" ? "https:" : "http:",
      refuse: () => dispatch({ ...opts, origin: `${url.protocol}//${host}:${ports.refused}` }, handler),
      tls: (reason) => dispatch({ ...opts, origin: `https://${host}:${ports.tls[reason]}` }, handler),
      blackHole: () => {
        if (url.protocol === "https:") return dispatch({ ...opts, origin: `https://${host}:${ports.hang}` }, handler)
        this.blackHole ??= BlackHole.start()
        // Without a verified black hole the request is simply held until the
        // server stops (a synthesized hang).
        return this.hold(handler, this.blackHole, (bh) => {
          if (bh.verified) dispatch({ ...opts, origin: `http://${host}:${bh.port}` }, handler)
        })
      },
      unreachable: () => {
        this.unreachableAgent ??= new Agent({ localAddress: pickUnassignedAddress(), connect: { ca: this.ca } })
        // Aimed at the closed port on loopback: bind() fails first, and even
        // where non-local binds are allowed nothing leaves the machine.
        return this.unreachableAgent.dispatch(
          { ...opts, origin: `${url.protocol}//${LOOPBACK}:${ports.refused}` },
          handler
        )
      },
      failWith: (error) => {
        queueMicrotask(() => failRequest(handler, error))
        return true
      },
      delay: (ms: number, then: Fault) =>
        this.hold(handler, this.sleep(ms), () => this.route(dispatch, opts, handler, url, { ...plan, fault: then }))
    }
  }

  private sleep(ms: number): Promise<void> {
    // the server's timer, not Effect's Clock: it delays a real connection made by undici
    return new Promise((resolve) => void this.server.timer.later(ms, resolve))
  }

  /**
   * Holds a request back until `ready` settles, then runs `proceed`. The
   * handler is not told anything meanwhile (no `onRequestStart`): to the
   * client the request is still connecting. Stopping the server fails it.
   */
  private hold<A>(handler: Dispatcher.DispatchHandler, ready: Promise<A>, proceed: (value: A) => void): boolean {
    let done = false
    const entry = {
      fail: (error: Error) => {
        if (done) return
        done = true
        this.held.delete(entry)
        failRequest(handler, error)
      }
    }
    this.held.add(entry)
    ready.then(
      (value) => {
        if (done) return
        done = true
        this.held.delete(entry)
        try {
          proceed(value)
        } catch (error) {
          failRequest(handler, error instanceof Error ? error : new Error(String(error)))
        }
      },
      (error: unknown) => entry.fail(error instanceof Error ? error : new Error(String(error)))
    )
    return true
  }

  /** Fails held requests and closes the agents and the black hole. */
  async stop(): Promise<void> {
    for (const entry of [...this.held]) {
      entry.fail(new Error("steadfast testkit: the FaultServer stopped before this request was sent"))
    }
    await Promise.all([this.unreachableAgent?.destroy(), this.blackHole?.then((bh) => bh.close(), () => {})])
  }
}
