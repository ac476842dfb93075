/**
 * The FaultServer on an open connection: reads requests off a socket, one at
 * a time, and plays each one's step through the fault table.
 *
 * @internal
 */
import type * as net from "node:net"
import type { Fault, Redirect, Reply } from "../../Fault.js"
import type { Urls } from "../../FaultServer.js"
import type { Outcome, WireRequest } from "../faults/player.js"
import { rowOf } from "../faults/table.js"
import type { Tracked } from "../timer.js"
import * as Http1 from "./http1.js"
import { type Plan, type Scripts, STEP_HEADER } from "./scripts.js"

export const LOOPBACK = "127.0.0.1"

/** What every connection of one server shares. */
export interface ServerState {
  readonly scripts: Scripts
  /** Steps the interceptor drew, by the token it put in `STEP_HEADER`. */
  readonly pending: Map<string, Plan>
  /** The server's time (its `timer` option): every delay of a fault waits on it; cleared when the server stops. */
  readonly timer: Tracked
  /** Set once every listener is up. */
  urls: Urls | undefined
  stopped: boolean
}

/** One accepted connection: the raw TCP socket and what requests are read from (TLS or the same socket). */
export interface Conn {
  readonly raw: net.Socket
  readonly io: net.Socket
  readonly scheme: "http" | "https"
  readonly port: number
}

/** What a listener does with the requests it reads. */
export type Role = "primary" | "secondary" | "insecure-cert"

const write = (io: net.Socket, data: Uint8Array | string): Promise<boolean> =>
  new Promise((resolve) => {
    if (io.destroyed || io.writableEnded) return resolve(false)
    io.write(data, (error) => resolve(error == null))
  })

/** One request on a connection, as the fault table's wire handlers see it. */
class Exchange implements WireRequest {
  constructor(readonly server: ServerState, readonly conn: Conn, readonly request: Http1.Request) {}

  get url(): URL {
    const host = this.request.headers["host"] ?? `${LOOPBACK}:${this.conn.port}`
    try {
      return new URL(this.request.target, `${this.conn.scheme}://${host}`)
    } catch {
      return new URL(`${this.conn.scheme}://${LOOPBACK}:${this.conn.port}/`)
    }
  }

  write = (bytes: Uint8Array | string): Promise<boolean> => write(this.conn.io, bytes)

  async reply(status: number, headers: Readonly<Record<string, string>>, body: Uint8Array): Promise<Outcome> {
    const close = !this.request.keepAlive
    const head = Http1.head(status, headers, { bodyLength: body.length, close })
    const bodiless = !this.hasBody(status)
    if (!(await this.write(bodiless || body.length === 0 ? head : Buffer.concat([head, body])))) return "closed"
    return this.done()
  }

  text(status: number, text: string): Promise<Outcome> {
    return this.reply(status, { "content-type": "text/plain; charset=utf-8" }, Buffer.from(text, "utf8"))
  }

  echoBody(): Uint8Array {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(this.request.headers)) if (name !== STEP_HEADER) headers[name] = value
    return Buffer.from(JSON.stringify({
      method: this.request.method,
      url: this.url.href,
      headers,
      body: this.request.body.toString("utf8")
    }))
  }

  location(redirect: Redirect): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(redirect.location) || redirect.location.startsWith("//")) return redirect.location
    const urls = this.server.urls!
    switch (redirect.origin) {
      case "same":
        return redirect.location
      case "secondary":
        return new URL(redirect.location, this.conn.scheme === "https" ? urls.secondaryHttps : urls.secondaryHttp).href
      case "insecure":
        return new URL(redirect.location, urls.http).href
    }
  }

  head(reply: Reply): Promise<boolean> {
    return this.write(
      Http1.head(reply.status, reply.headers, { bodyLength: reply.body.length, close: !this.request.keepAlive })
    )
  }

  partial(reply: Reply, afterBytes: number): Promise<boolean> {
    const head = Http1.head(reply.status, reply.headers, { bodyLength: reply.body.length, close: false })
    return this.write(Buffer.concat([head, reply.body.subarray(0, Math.max(0, afterBytes))]))
  }

  hasBody(status: number): boolean {
    return !Http1.isBodiless(this.request.method, status)
  }

  wait(ms: number): Promise<boolean> {
    const { server, conn } = this
    return new Promise((resolve) => {
      if (server.stopped || conn.io.destroyed) return resolve(false)
      const onClose = () => {
        cancel()
        resolve(false)
      }
      const cancel = server.timer.later(ms, () => {
        conn.io.off("close", onClose)
        resolve(!server.stopped && !conn.io.destroyed)
      })
      conn.io.once("close", onClose)
    })
  }

  reset(): Outcome {
    if (!this.conn.raw.destroyed) this.conn.raw.resetAndDestroy()
    this.conn.io.destroy()
    return "closed"
  }

  close(): Outcome {
    this.conn.io.end()
    return "closed"
  }

  done(): Outcome {
    return this.request.keepAlive ? "keep" : this.close()
  }

  closed(): Promise<Outcome> {
    return new Promise((resolve) => {
      if (this.conn.io.destroyed) return resolve("closed")
      this.conn.io.once("close", () => resolve("closed"))
    })
  }

  play(fault: Fault): Promise<Outcome> {
    const row = rowOf(fault)
    if (row.wire !== undefined) return row.wire(this, fault)
    return this.text(
      500,
      `steadfast testkit: this attempt drew ${fault._tag}, a connection-level fault that a server cannot ` +
        `produce once it has accepted the connection. Send the request through the FaultServer's undici ` +
        `interceptor (new Agent().compose(server.interceptor)) so it is realised before connecting.`
    )
  }

  playPlan(plan: Plan): Promise<Outcome> {
    switch (plan._tag) {
      case "Fault":
        return this.play(plan.fault)
      case "Exhausted":
        return this.text(500, plan.message)
      case "NoRoute":
        return this.text(
          404,
          `steadfast testkit: no route matches ${this.request.method} ${this.url.pathname}. ` +
            `Routes: ${this.server.scripts.keys.join(", ") || "(none)"}.`
        )
    }
  }
}

const handlers: Record<Role, (exchange: Exchange) => Promise<Outcome>> = {
  primary: (exchange) => {
    const { server, request } = exchange
    const token = request.headers[STEP_HEADER]
    const drawn = token === undefined ? undefined : server.pending.get(token)
    if (token !== undefined) server.pending.delete(token)
    return exchange.playPlan(drawn ?? server.scripts.draw(request.method, exchange.url, request.headers, "server"))
  },
  secondary: (exchange) => {
    exchange.server.scripts.record(
      exchange.request.method,
      exchange.url,
      exchange.request.headers,
      "secondary",
      undefined,
      -1,
      "Echo"
    )
    return exchange.reply(200, { "content-type": "application/json" }, exchange.echoBody())
  },
  "insecure-cert": (exchange) =>
    exchange.text(
      421,
      "steadfast testkit: this listener presents a certificate a client should reject; " +
        "the client accepted it (is certificate verification off?)."
    )
}

/** Reads requests off a connection and serves them one at a time. */
export const serve = (server: ServerState, conn: Conn, role: Role): void => {
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
      handlers[role](new Exchange(server, conn, parsed.request)).then(
        (outcome) => {
          busy = false
          if (outcome === "keep") pump()
        },
        () => {
          if (!conn.raw.destroyed) conn.raw.resetAndDestroy()
          conn.io.destroy()
        }
      )
    }
  }
  conn.io.on("data", (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
    pump()
  })
}
