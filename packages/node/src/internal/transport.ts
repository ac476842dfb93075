/**
 * The direct transport over a pool: each send is one {@link Exchange} on
 * undici, started when the send effect runs.
 *
 * @internal
 */
import { deferResume } from "#line/runtime"
import type { Transport } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import type { HttpClientError, HttpClientResponse } from "@steadfast/core/line/http"
import { Exchange } from "./exchange.js"
import type { Engine } from "./route.js"

/** @internal */
export const makeTransport = (engine: Engine): Transport.Transport => ({
  tracksConnect: true,
  onResend: engine.onResend,
  send: (request, url, attempt) =>
    Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) =>
      new Exchange(engine, request, url, attempt, deferResume(resume)).start()
    )
})
