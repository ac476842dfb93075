/**
 * The fault server: loopback listeners that play a Scenario on real sockets,
 * and an undici interceptor that realises connection-level faults.
 * See the public `FaultServer` module for the contract.
 */
import { Redact } from "@steadfast/core"
import * as Duration from "effect/Duration"
import * as net from "node:net"
import * as os from "node:os"
import * as tls from "node:tls"
import * as util from "node:util"
import { Agent, type Dispatcher } from "undici"
import type { KeyPairPem } from "../../Certificates.js"
import type { Fault, Redirect, Reply } from "../../Fault.js"
import type { Attempt, Exhausted, Handle, Urls } from "../../FaultServer.js"
import * as Scenario from "../../Scenario.js"
import * as BlackHole from "./blackHole.js"
import * as Certificates from "./certificates.js"
import * as Http1 from "./http1.js"

/** The header that carries a step drawn by the interceptor to the server. */
export const STEP_HEADER = "x-steadfast-step"

// ---------------------------------------------------------------------------
// what to do with one request

type Plan =
  | { readonly _tag: "Fault"; readonly fault: Fault; readonly route: string; readonly step: number }
  | { readonly _tag: "Exhausted"; readonly message: string }
  | { readonly _tag: "NoRoute" }

const connectionLevel = new Set<Fault["_tag"]>([
  "DnsFailure",
  "Refused",
  "Unreachable",
  "TlsFailure",
  "ConnectHang",
  "ConnectLatency"
])

/** Whether a fault must be produced before the connection exists. */
export const isConnectionLevel = (fault: Fault): boolean => connectionLevel.has(fault._tag)

const millis = (d: Duration.Duration): number => {
  const ms = Duration.toMillis(d)
  return Number.isFinite(ms) ? Math.max(0, ms) : 2 ** 31 - 1
}

const errnoOf = (name: string, fallback: number): number => {
  for (const [errno, [n]] of util.getSystemErrorMap()) if (n === name) return errno
  return fallback
}

/** An error with exactly the shape of Node's `getaddrinfo` failures. */
export const dnsError = (hostname: string, temporary: boolean): Error => {
  const code = temporary ? "EAI_AGAIN" : "ENOTFOUND"
  const error = new Error(`getaddrinfo ${code} ${hostname}`)
  return Object.assign(error, {
    errno: temporary ? errnoOf("EAI_AGAIN", -3001) : errnoOf("EAI_NONAME", -3008),
    code,
    syscall: "getaddrinfo",
    hostname
  })
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

// ---------------------------------------------------------------------------
// undici glue

type Headers = Dispatcher.DispatchOptions["headers"]

const isPairList = (headers: ReadonlyArray<unknown>): boolean => headers.length > 0 && Array.isArray(headers[0])

const headerEntries = (headers: Headers): Array<[string, string]> => {
  const out: Array<[string, string]> = []
  const push = (name: unknown, value: unknown) => {
    if (value === undefined || value === null) return
    out.push([String(name).toLowerCase(), Array.isArray(value) ? value.map(String).join(", ") : String(value)])
  }
  if (headers === undefined || headers === null) return out
  if (Array.isArray(headers)) {
    if (isPairList(headers)) {
      for (const pair of headers as unknown as Array<[unknown, unknown]>) push(pair[0], pair[1])
    } else for (let i = 0; i + 1 < headers.length; i += 2) push(headers[i], headers[i + 1])
    return out
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const [name, value] of headers as Iterable<[string, unknown]>) push(name, value)
    return out
  }
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) push(name, value)
  return out
}

const headerRecord = (entries: ReadonlyArray<[string, string]>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of entries) out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`
  return out
}

/** `headers` plus one header, in the same representation undici was given. */
const withHeader = (headers: Headers, name: string, value: string): Exclude<Headers, undefined> => {
  if (headers === undefined || headers === null) return { [name]: value }
  if (Array.isArray(headers)) {
    return isPairList(headers)
      ? [...(headers as unknown as Array<[string, string]>), [name, value]] as unknown as Exclude<Headers, undefined>
      : [...headers, name, value]
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function") {
    const flat: Array<string> = []
    for (const [n, v] of headerEntries(headers)) flat.push(n, v)
    return [...flat, name, value]
  }
  return { ...(headers as Record<string, string>), [name]: value }
}

/** The controller handed to a handler whose request fails before it is dispatched. */
class NotDispatched implements Dispatcher.DispatchController {
  #reason: Error | null = null
  get aborted(): boolean {
    return this.#reason !== null
  }
  get paused(): boolean {
    return false
  }
  get reason(): Error | null {
    return this.#reason
  }
  abort(reason: Error): void {
    this.#reason ??= reason
  }
  pause(): void {}
  resume(): void {}
}

/** Fails a request that never reached a dispatcher. */
const failRequest = (handler: Dispatcher.DispatchHandler, error: Error): void => {
  const controller = new NotDispatched()
  controller.abort(error)
  if (handler.onResponseError !== undefined) handler.onResponseError(controller, error)
  else handler.onError?.(error)
}

// ---------------------------------------------------------------------------
// the server

interface RouteState {
  route: Scenario.Route
  position: number
  hits: number
}

interface Conn {
  readonly raw: net.Socket
  readonly io: net.Socket
  readonly scheme: "http" | "https"
  readonly port: number
}

type Outcome = "keep" | "closed"

type Role = "primary" | "secondary" | "insecure-cert" | "stall"

const LOOPBACK = "127.0.0.1"

/** How long ResetMidBody waits between its last byte and the RST. */
export const RESET_GRACE_MS = 25

const listen = (server: net.Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen({ host: LOOPBACK, port: 0 }, () => {
      server.off("error", reject)
      resolve((server.address() as net.AddressInfo).port)
    })
  })

const closeServer = (server: net.Server): Promise<void> =>
  new Promise((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
  })

/** Resolves once the socket has emitted `close`. */
const socketClosed = (socket: net.Socket): Promise<void> =>
  new Promise((resolve) => {
    if (socket.closed) return resolve()
    socket.once("close", () => resolve())
  })

/** A port that was bound, then released: connecting to it is refused. */
const closedPort = async (): Promise<number> => {
  const server = net.createServer()
  const port = await listen(server)
  await closeServer(server)
  return port
}

const noop = () => {}

export const start = async (scenario: Scenario.Scenario): Promise<Handle> => {
  const certs = await Certificates.generate()
  const routes: Array<RouteState> = scenario.routes.map((route) => ({ route, position: 0, hits: 0 }))
  const attempts: Array<Attempt> = []
  const exhausted: Array<Exhausted> = []
  const sockets = new Set<net.Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const held = new Set<{ readonly fail: (error: Error) => void }>()
  const pending = new Map<string, Plan>()
  const servers: Array<net.Server> = []
  let tokens = 0
  let stopped = false
  const serverId = Math.random().toString(36).slice(2, 8)

  // -- scripts ---------------------------------------------------------------

  const record = (
    method: string,
    url: URL | string,
    headers: Readonly<Record<string, string>>,
    via: Attempt["via"],
    route: string | undefined,
    step: number,
    fault: string
  ) => {
    const copy: Record<string, string> = {}
    for (const [name, value] of Object.entries(headers)) if (name !== STEP_HEADER) copy[name] = value
    attempts.push({
      at: Date.now(),
      method,
      url: Redact.url(url),
      headers: Redact.headers(copy),
      route,
      step,
      fault,
      via
    })
  }

  /** Draws the next step for a request and records the attempt. */
  const draw = (method: string, url: URL, headers: Readonly<Record<string, string>>, via: Attempt["via"]): Plan => {
    const state = routes.find((r) => Scenario.matches(r.route.matcher, method, url))
    if (state === undefined) {
      record(method, url, headers, via, undefined, -1, "NoRoute")
      return { _tag: "NoRoute" }
    }
    const step = state.position++
    state.hits++
    const fault = Scenario.stepFor(state.route, step)
    if (fault === undefined) {
      const message = Scenario.exhaustedMessage(state.route, step)
      exhausted.push({ at: Date.now(), route: state.route.key, attempt: step + 1, message })
      record(method, url, headers, via, state.route.key, step, "Exhausted")
      return { _tag: "Exhausted", message }
    }
    record(method, url, headers, via, state.route.key, step, fault._tag)
    return { _tag: "Fault", fault, route: state.route.key, step }
  }

  // -- low-level writing -----------------------------------------------------

  const write = (io: net.Socket, data: Uint8Array | string): Promise<boolean> =>
    new Promise((resolve) => {
      if (io.destroyed || io.writableEnded) return resolve(false)
      io.write(data, (error) => resolve(error == null))
    })

  /** Waits `ms`; false when the connection closed or the server stopped first. */
  const wait = (conn: Conn | undefined, ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (stopped || conn?.io.destroyed) return resolve(false)
      const onClose = () => {
        clearTimeout(timer)
        timers.delete(timer)
        resolve(false)
      }
      const timer = setTimeout(() => {
        timers.delete(timer)
        conn?.io.off("close", onClose)
        resolve(!stopped && !(conn?.io.destroyed ?? false))
      }, ms)
      timers.add(timer)
      conn?.io.once("close", onClose)
    })

  const endGracefully = (conn: Conn): Outcome => {
    conn.io.end()
    return "closed"
  }

  const reset = (conn: Conn): Outcome => {
    if (!conn.raw.destroyed) conn.raw.resetAndDestroy()
    conn.io.destroy()
    return "closed"
  }

  const sendReply = async (
    conn: Conn,
    request: Http1.Request,
    status: number,
    headers: Readonly<Record<string, string>>,
    body: Uint8Array
  ): Promise<Outcome> => {
    const close = !request.keepAlive
    const bodiless = Http1.isBodiless(request.method, status)
    const head = Http1.head(status, headers, { bodyLength: body.length, close })
    const ok = await write(conn.io, bodiless || body.length === 0 ? head : Buffer.concat([head, body]))
    if (!ok) return "closed"
    return close ? endGracefully(conn) : "keep"
  }

  const sendText = (conn: Conn, request: Http1.Request, status: number, text: string) =>
    sendReply(conn, request, status, { "content-type": "text/plain; charset=utf-8" }, Buffer.from(text, "utf8"))

  const urlOf = (conn: Conn, request: Http1.Request): URL => {
    const host = request.headers["host"] ?? `${LOOPBACK}:${conn.port}`
    try {
      return new URL(request.target, `${conn.scheme}://${host}`)
    } catch {
      return new URL(`${conn.scheme}://${LOOPBACK}:${conn.port}/`)
    }
  }

  const echoBody = (conn: Conn, request: Http1.Request): Buffer => {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(request.headers)) if (name !== STEP_HEADER) headers[name] = value
    return Buffer.from(JSON.stringify({
      method: request.method,
      url: urlOf(conn, request).href,
      headers,
      body: request.body.toString("utf8")
    }))
  }

  // -- faults on an open connection ------------------------------------------

  const redirectLocation = (conn: Conn, redirect: Redirect): string => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(redirect.location) || redirect.location.startsWith("//")) return redirect.location
    switch (redirect.origin) {
      case "same":
        return redirect.location
      case "secondary":
        return new URL(redirect.location, conn.scheme === "https" ? urls.secondaryHttps : urls.secondaryHttp).href
      case "insecure":
        return new URL(redirect.location, urls.http).href
    }
  }

  /** The head of `reply` (announcing its full length) and its first `afterBytes` body bytes. */
  const partialBody = (conn: Conn, reply: Reply, afterBytes: number): Promise<boolean> => {
    const head = Http1.head(reply.status, reply.headers, { bodyLength: reply.body.length, close: false })
    return write(conn.io, Buffer.concat([head, reply.body.subarray(0, Math.max(0, afterBytes))]))
  }

  const apply = async (conn: Conn, request: Http1.Request, fault: Fault): Promise<Outcome> => {
    switch (fault._tag) {
      case "Reply":
        return sendReply(conn, request, fault.status, fault.headers, fault.body)
      case "Echo":
        return sendReply(conn, request, fault.status, { "content-type": "application/json" }, echoBody(conn, request))
      case "Redirect":
        return sendReply(conn, request, fault.status, { location: redirectLocation(conn, fault) }, new Uint8Array(0))
      case "ResetBeforeResponse":
        return reset(conn)
      case "CloseBeforeResponse":
        return endGracefully(conn)
      case "ResetMidBody": {
        if (fault.afterBytes >= fault.reply.body.length) return apply(conn, request, fault.reply)
        if (!(await partialBody(conn, fault.reply, fault.afterBytes))) return "closed"
        // Give the client time to read those bytes: a RST that lands behind
        // unread data is reported by Linux/libuv as a clean end of stream.
        return (await wait(conn, RESET_GRACE_MS)) ? reset(conn) : "closed"
      }
      case "Truncated": {
        if (fault.afterBytes >= fault.reply.body.length) return apply(conn, request, fault.reply)
        if (!(await partialBody(conn, fault.reply, fault.afterBytes))) return "closed"
        return endGracefully(conn)
      }
      case "ResponseLatency":
        return (await wait(conn, millis(fault.delay))) ? apply(conn, request, fault.then) : "closed"
      case "NoResponse":
        return new Promise<Outcome>((resolve) => {
          if (conn.io.destroyed) return resolve("closed")
          conn.io.once("close", () => resolve("closed"))
        })
      case "Trickle": {
        const reply = fault.reply
        const head = Http1.head(reply.status, reply.headers, {
          bodyLength: reply.body.length,
          close: !request.keepAlive
        })
        if (!(await write(conn.io, head))) return "closed"
        if (!Http1.isBodiless(request.method, reply.status)) {
          for (let at = 0; at < reply.body.length; at += fault.chunkSize) {
            if (!(await wait(conn, millis(fault.interval)))) return "closed"
            if (!(await write(conn.io, reply.body.subarray(at, at + fault.chunkSize)))) return "closed"
          }
        }
        return request.keepAlive ? "keep" : endGracefully(conn)
      }
      case "Malformed":
        await write(conn.io, fault.bytes)
        return endGracefully(conn)
      case "DnsFailure":
      case "Refused":
      case "Unreachable":
      case "TlsFailure":
      case "ConnectHang":
      case "ConnectLatency":
        return sendText(
          conn,
          request,
          500,
          `steadfast testkit: this attempt drew ${fault._tag}, a connection-level fault that a server cannot ` +
            `produce once it has accepted the connection. Send the request through the FaultServer's undici ` +
            `interceptor (new Agent().compose(server.interceptor)) so it is realised before connecting.`
        )
    }
  }

  const applyPlan = (conn: Conn, request: Http1.Request, plan: Plan): Promise<Outcome> => {
    switch (plan._tag) {
      case "Fault":
        return apply(conn, request, plan.fault)
      case "Exhausted":
        return sendText(conn, request, 500, plan.message)
      case "NoRoute":
        return sendText(
          conn,
          request,
          404,
          `steadfast testkit: no route matches ${request.method} ${urlOf(conn, request).pathname}. ` +
            `Routes: ${routes.map((r) => r.route.key).join(", ") || "(none)"}.`
        )
    }
  }

  // -- request handlers per listener role ------------------------------------

  const handlers: Record<Exclude<Role, "stall">, (conn: Conn, request: Http1.Request) => Promise<Outcome>> = {
    primary: (conn, request) => {
      const token = request.headers[STEP_HEADER]
      const drawn = token === undefined ? undefined : pending.get(token)
      if (token !== undefined) pending.delete(token)
      const plan = drawn ?? draw(request.method, urlOf(conn, request), request.headers, "server")
      return applyPlan(conn, request, plan)
    },
    secondary: (conn, request) => {
      record(request.method, urlOf(conn, request), request.headers, "secondary", undefined, -1, "Echo")
      return sendReply(conn, request, 200, { "content-type": "application/json" }, echoBody(conn, request))
    },
    "insecure-cert": (conn, request) =>
      sendText(
        conn,
        request,
        421,
        "steadfast testkit: this listener presents a certificate a client should reject; " +
          "the client accepted it (is certificate verification off?)."
      )
  }

  /** Reads requests off a connection and serves them one at a time. */
  const serve = (conn: Conn, role: Exclude<Role, "stall">) => {
    let buffer: Buffer = Buffer.alloc(0)
    let busy = false
    const pump = () => {
      while (!busy && !conn.io.destroyed) {
        const parsed = Http1.parse(buffer)
        if (parsed._tag === "Incomplete") return
        if (parsed._tag === "Invalid") {
          busy = true
          const head = Http1.head(parsed.status, { "content-type": "text/plain" }, {
            bodyLength: Buffer.byteLength(parsed.reason),
            close: true
          })
          void write(conn.io, Buffer.concat([head, Buffer.from(parsed.reason)])).then(() => conn.io.end())
          return
        }
        buffer = buffer.subarray(parsed.consumed)
        busy = true
        handlers[role](conn, parsed.request).then(
          (outcome) => {
            busy = false
            if (outcome === "keep") pump()
          },
          () => reset(conn)
        )
      }
    }
    conn.io.on("data", (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
      pump()
    })
  }

  // -- listeners ---------------------------------------------------------------

  const track = (raw: net.Socket) => {
    sockets.add(raw)
    raw.on("error", noop)
    raw.once("close", () => sockets.delete(raw))
    if (stopped) raw.destroy()
  }

  const plainListener = async (role: Role): Promise<number> => {
    const server = net.createServer((raw) => {
      track(raw)
      const conn: Conn = { raw, io: raw, scheme: "http", port: (raw.address() as net.AddressInfo).port }
      // a stalled connection is read (so a client's close is noticed) and never answered
      if (role === "stall") raw.on("data", noop)
      else serve(conn, role)
    })
    servers.push(server)
    return listen(server)
  }

  const tlsListener = async (role: Exclude<Role, "stall">, context: tls.SecureContext): Promise<number> => {
    const server = net.createServer((raw) => {
      track(raw)
      const io = new tls.TLSSocket(raw, {
        isServer: true,
        secureContext: context,
        requestCert: false,
        rejectUnauthorized: false,
        ALPNProtocols: ["http/1.1"]
      })
      io.on("error", () => raw.destroy())
      io.once("close", () => raw.destroy())
      io.once("secure", () => serve({ raw, io, scheme: "https", port: (raw.address() as net.AddressInfo).port }, role))
    })
    servers.push(server)
    return listen(server)
  }

  const contextFor = (pair: KeyPairPem, extra: tls.SecureContextOptions = {}) =>
    tls.createSecureContext({ cert: pair.cert, key: pair.key, ...extra })

  const [
    httpPort,
    httpsPort,
    secondaryHttpPort,
    secondaryHttpsPort,
    selfSignedPort,
    expiredPort,
    wrongHostPort,
    handshakePort,
    hangPort,
    refusedPort
  ] = await Promise.all([
    plainListener("primary"),
    tlsListener("primary", contextFor(certs.localhost)),
    plainListener("secondary"),
    tlsListener("secondary", contextFor(certs.localhost)),
    tlsListener("insecure-cert", contextFor(certs.selfSigned)),
    tlsListener("insecure-cert", contextFor(certs.expired)),
    tlsListener("insecure-cert", contextFor(certs.wrongHost)),
    // An ECDSA key with only an RSA-authenticated suite and TLS <= 1.2: no
    // cipher suite can be agreed, so the server answers the ClientHello with
    // a handshake_failure alert (40).
    tlsListener(
      "insecure-cert",
      contextFor(certs.localhost, {
        ciphers: "ECDHE-RSA-AES128-GCM-SHA256",
        minVersion: "TLSv1.2",
        maxVersion: "TLSv1.2"
      })
    ),
    plainListener("stall"),
    closedPort()
  ])

  // read by the request handlers above, which only run once the listeners accept
  const urls: Urls = {
    http: `http://${LOOPBACK}:${httpPort}`,
    https: `https://${LOOPBACK}:${httpsPort}`,
    secondaryHttp: `http://${LOOPBACK}:${secondaryHttpPort}`,
    secondaryHttps: `https://${LOOPBACK}:${secondaryHttpsPort}`,
    selfSigned: `https://${LOOPBACK}:${selfSignedPort}`,
    expired: `https://${LOOPBACK}:${expiredPort}`,
    wrongHost: `https://${LOOPBACK}:${wrongHostPort}`,
    handshake: `https://${LOOPBACK}:${handshakePort}`,
    connectHang: `https://${LOOPBACK}:${hangPort}`,
    refused: `http://${LOOPBACK}:${refusedPort}`
  }

  // -- the interceptor ---------------------------------------------------------

  const primaryOrigins = new Set([
    `http://${LOOPBACK}:${httpPort}`,
    `http://localhost:${httpPort}`,
    `https://${LOOPBACK}:${httpsPort}`,
    `https://localhost:${httpsPort}`
  ])

  let unreachableAgent: Agent | undefined
  let blackHole: Promise<BlackHole.BlackHole> | undefined

  const tlsPorts: Record<"self-signed" | "expired" | "hostname-mismatch" | "handshake", number> = {
    "self-signed": selfSignedPort,
    expired: expiredPort,
    "hostname-mismatch": wrongHostPort,
    handshake: handshakePort
  }

  /**
   * Holds a request back until `ready` settles, then runs `proceed`. The
   * handler is not told anything meanwhile (no `onRequestStart`): to the
   * client the request is still connecting. Stopping the server fails it.
   */
  const hold = <A>(handler: Dispatcher.DispatchHandler, ready: Promise<A>, proceed: (value: A) => void): boolean => {
    let done = false
    const entry = {
      fail: (error: Error) => {
        if (done) return
        done = true
        held.delete(entry)
        failRequest(handler, error)
      }
    }
    held.add(entry)
    ready.then(
      (value) => {
        if (done) return
        done = true
        held.delete(entry)
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

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })

  const route = (
    dispatch: Dispatcher.Dispatch,
    opts: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
    url: URL,
    plan: Plan
  ): boolean => {
    const host = url.hostname
    if (plan._tag === "Fault" && isConnectionLevel(plan.fault)) {
      const fault = plan.fault
      switch (fault._tag) {
        case "Refused":
          return dispatch({ ...opts, origin: `${url.protocol}//${host}:${refusedPort}` }, handler)
        case "TlsFailure":
          return dispatch({ ...opts, origin: `https://${host}:${tlsPorts[fault.reason]}` }, handler)
        case "ConnectHang": {
          if (url.protocol === "https:") return dispatch({ ...opts, origin: `https://${host}:${hangPort}` }, handler)
          blackHole ??= BlackHole.start()
          return hold(handler, blackHole, (bh) => {
            // Without a verified black hole the request is simply held until
            // the server stops (a synthesized hang).
            if (bh.verified) dispatch({ ...opts, origin: `http://${host}:${bh.port}` }, handler)
          })
        }
        case "Unreachable": {
          unreachableAgent ??= new Agent({ localAddress: pickUnassignedAddress(), connect: { ca: certs.ca.cert } })
          // Aimed at the closed port on loopback: bind() fails first, and even
          // where non-local binds are allowed nothing leaves the machine.
          return unreachableAgent.dispatch({ ...opts, origin: `${url.protocol}//${LOOPBACK}:${refusedPort}` }, handler)
        }
        case "DnsFailure": {
          const error = dnsError(host, fault.temporary)
          queueMicrotask(() => failRequest(handler, error))
          return true
        }
        case "ConnectLatency":
          return hold(handler, sleep(millis(fault.delay)), () => {
            const then = fault.then
            route(dispatch, opts, handler, url, { _tag: "Fault", fault: then, route: plan.route, step: plan.step })
          })
      }
    }
    const token = `${serverId}.${++tokens}`
    pending.set(token, plan)
    return dispatch({ ...opts, headers: withHeader(opts.headers, STEP_HEADER, token) }, handler)
  }

  const interceptor: Dispatcher.DispatchInterceptor = (dispatch) => (opts, handler) => {
    if (stopped || opts.origin === undefined) return dispatch(opts, handler)
    let origin: string
    try {
      origin = new URL(String(opts.origin)).origin
    } catch {
      return dispatch(opts, handler)
    }
    if (!primaryOrigins.has(origin)) return dispatch(opts, handler)
    const url = new URL(opts.path, origin)
    const plan = draw(opts.method.toUpperCase(), url, headerRecord(headerEntries(opts.headers)), "interceptor")
    return route(dispatch, opts, handler, url, plan)
  }

  // -- control -----------------------------------------------------------------

  let stopping: Promise<void> | undefined
  const stop = () =>
    stopping ??= (async () => {
      stopped = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      for (const entry of [...held]) {
        entry.fail(
          new Error("steadfast testkit: the FaultServer stopped before this request was sent")
        )
      }
      pending.clear()
      const closing = [...servers.map(closeServer), ...[...sockets].map(socketClosed)]
      for (const socket of sockets) socket.destroy()
      await Promise.all(closing)
      await Promise.all([
        unreachableAgent?.destroy(),
        blackHole?.then((bh) => bh.close(), noop)
      ])
    })()

  const setScript = (key: string, script: Scenario.Script | ReadonlyArray<Fault>) => {
    const normalized = Array.isArray(script)
      ? Scenario.sequence(script as ReadonlyArray<Fault>, { after: "fail" })
      : script as Scenario.Script
    const state = routes.find((r) => r.route.key === key)
    if (state === undefined) routes.push({ route: Scenario.route(key, normalized), position: 0, hits: 0 })
    else {
      state.route = { ...state.route, script: normalized }
      state.position = 0
    }
  }

  return {
    urls,
    ca: certs.ca.cert,
    interceptor,
    hits: (key) => routes.reduce((n, r) => r.route.key === key ? n + r.hits : n, 0),
    attempts: () => attempts.slice(),
    exhausted: () => exhausted.slice(),
    openSockets: () => sockets.size,
    setScript,
    stop
  }
}
