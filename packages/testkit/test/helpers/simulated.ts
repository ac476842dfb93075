// What the SimulatedNetwork test files share: the network tag, its layer, an
// attempt for the direct transport, and the platform error's fields.
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Transport } from "@steadfast/core"
import * as Effect from "@steadfast/core/line/Effect"
import { platformFields } from "@steadfast/core/line/platformReason"
import { currentTimeMillis } from "@steadfast/core/line/unsafe"
import * as Scenario from "../../src/Scenario.js"
import * as SimulatedNetwork from "../../src/SimulatedNetwork.js"

export const Net = SimulatedNetwork.SimulatedNetwork
export const API = "http://api.test"

export const provide = (scenario?: Scenario.Scenario) => Effect.provide(SimulatedNetwork.layer(scenario))

/** The failure of an effect that must fail. */
export const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.flip(effect)

/** A platform error's fields in the Effect 3 shape (Effect 4: one HttpClientError with a reason). */
export const fieldsOf = (error: HttpClientError.HttpClientError): NonNullable<ReturnType<typeof platformFields>> => {
  const fields = platformFields(error)
  if (fields === undefined) throw new Error(`not a platform error: ${String(error)}`)
  return fields
}

export const causeOf = (error: HttpClientError.HttpClientError) =>
  fieldsOf(error).cause as { code?: string; name?: string }

/** An attempt for the direct transport, with an abort controller and a record of `connected()` calls. */
export const makeAttempt = Effect.map(Effect.clock, (clock) => {
  const controller = new AbortController()
  const connects: Array<number> = []
  const attempt = Transport.attemptFromSignal(controller.signal, {
    connectTimeoutMs: 5000,
    connected: () => void connects.push(currentTimeMillis(clock))
  })
  return { controller, connects, attempt }
})

export const send = (path: string, attempt: Transport.Attempt, method: "GET" | "POST" = "GET") =>
  Effect.flatMap(Net, (net) => {
    const request = HttpClientRequest.make(method)(`${API}${path}`)
    return net.transport.send(request, new URL(request.url), attempt)
  })

/** The abort reason the steadfast client puts on a signal. */
export const attemptAborted = Effect.succeed(Transport.abortReason)
