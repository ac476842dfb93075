// Shared by the FaultServer test files.
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import { Agent, type Dispatcher, request } from "undici"
import { Reply } from "../../src/Fault.js"
import * as FaultServer from "../../src/FaultServer.js"
import * as NodeErrors from "../../src/NodeErrors.js"

// ---------------------------------------------------------------------------
// helpers

/** An undici exchange as data; nothing in it is a time, so no test can assert one. */
export type Outcome =
  | {
    readonly _tag: "Response"
    readonly status: number
    readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
    readonly body: Buffer
    readonly chunks: number
  }
  | { readonly _tag: "HeadError"; readonly error: NodeJS.ErrnoException }
  | {
    readonly _tag: "BodyError"
    readonly status: number
    readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
    readonly received: number
    readonly error: NodeJS.ErrnoException
  }

export type RequestOptions = Omit<Dispatcher.RequestOptions, "origin" | "path" | "method"> & {
  readonly method?: Dispatcher.HttpMethod
}

/** One exchange with undici, its outcome as data (never fails). */
export const exchange = (dispatcher: Dispatcher, url: string, options: RequestOptions = {}) =>
  Effect.promise(async (): Promise<Outcome> => {
    let response: Dispatcher.ResponseData
    try {
      response = await request(url, { ...options, dispatcher })
    } catch (error) {
      return { _tag: "HeadError", error: error as NodeJS.ErrnoException }
    }
    const parts: Array<Buffer> = []
    try {
      for await (const chunk of response.body) parts.push(chunk as Buffer)
    } catch (error) {
      return {
        _tag: "BodyError",
        status: response.statusCode,
        headers: response.headers,
        received: parts.reduce((n, p) => n + p.length, 0),
        error: error as NodeJS.ErrnoException
      }
    }
    return {
      _tag: "Response",
      status: response.statusCode,
      headers: response.headers,
      body: Buffer.concat(parts),
      chunks: parts.length
    }
  })

export const expectResponse = (outcome: Outcome): Extract<Outcome, { _tag: "Response" }> => {
  if (outcome._tag !== "Response") {
    throw new Error(`expected a response, got ${outcome._tag}: ${outcome.error.code} ${outcome.error.message}`)
  }
  return outcome
}

export const expectHeadError = (outcome: Outcome): NodeJS.ErrnoException => {
  if (outcome._tag !== "HeadError") throw new Error(`expected an error before the headers, got ${outcome._tag}`)
  return outcome.error
}

export const expectBodyError = (outcome: Outcome): Extract<Outcome, { _tag: "BodyError" }> => {
  if (outcome._tag !== "BodyError") {
    throw new Error(
      `expected an error in the body, got ${outcome._tag}${
        outcome._tag === "HeadError" ? ` ${outcome.error.code}` : ""
      }`
    )
  }
  return outcome
}

/** An undici Agent (trusting the test CA) released with the scope, optionally with the interceptor. */
export const agent = (
  server: FaultServer.Service,
  options: { readonly interceptor?: boolean; readonly trustCa?: boolean; readonly connectTimeout?: number } = {}
): Effect.Effect<Dispatcher, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() =>
      new Agent({
        connect: {
          ...(options.trustCa === false ? {} : { ca: server.ca }),
          timeout: options.connectTimeout ?? 2_000
        }
      })
    ),
    (a) => Effect.promise(() => a.destroy())
  ).pipe(Effect.map((a): Dispatcher => options.interceptor === false ? a : a.compose(server.interceptor)))

/** Polls `f` until it holds, for at most `ms` (real time, short steps). */
export const eventually = (f: () => boolean, ms = 1_000) =>
  Effect.promise(async () => {
    const until = performance.now() + ms
    while (!f() && performance.now() < until) await new Promise((r) => setTimeout(r, 5))
    return f()
  })

export const text = (outcome: Outcome) => expectResponse(outcome).body.toString("utf8")

export const body100 = Reply.text(200, "0123456789".repeat(10))

/**
 * The code of the handshake listener's failure (no cipher suite in common)
 * on the running Node: `ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE` with Node 20's
 * OpenSSL 3.0, `ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE` with Node 22's 3.5
 * (NodeErrors.dns-tls-proxy checks it against a real socket).
 */
export const handshakeFailure = NodeErrors.handshake("ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE").code

export const schemes = ["http", "https"] as const

export const base = (server: FaultServer.Service, scheme: "http" | "https") =>
  scheme === "http" ? server.urls.http : server.urls.https

// ---------------------------------------------------------------------------
