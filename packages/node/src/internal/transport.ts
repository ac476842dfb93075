/**
 * The direct transport over a pool: each send is one {@link Exchange} on
 * undici, started when the send effect runs.
 *
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type { Transport } from "@steadfast/core"
import * as Effect from "effect/Effect"
import { Exchange } from "./exchange.js"
import type { Engine } from "./route.js"

/** @internal */
export const makeTransport = (engine: Engine): Transport.Transport => ({
  tracksConnect: true,
  onResend: engine.onResend,
  send: (request, url, attempt) =>
    Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) =>
      new Exchange(engine, request, url, attempt, resume).start()
    )
})
