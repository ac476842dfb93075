/**
 * The `reason` of a platform HTTP client error on the Effect 4 line, in the
 * Effect 3 spelling the shared source uses: Effect 4 has one
 * `HttpClientError` whose `reason` is an error of its own (`TransportError`,
 * `EncodeError`, `InvalidUrlError`, `StatusCodeError`, `DecodeError`,
 * `EmptyBodyError`), read here as `"Transport"`, `"Encode"`, ... No Effect
 * import: the classifier that reads it stays a pure rule.
 *
 * @internal
 */
import type { PlatformFields } from "../../internal/platformErrorProps.js"
export const platformReason = (u: object): string | undefined => {
  const o = u as Record<string, unknown>
  if (o["_tag"] !== "HttpClientError" || typeof o["reason"] !== "object" || o["reason"] === null) return undefined
  const tag = (o["reason"] as Record<string, unknown>)["_tag"]
  return typeof tag === "string" && tag.endsWith("Error") ? tag.slice(0, -"Error".length) : undefined
}

/**
 * What a platform HTTP client error says, in the Effect 3 shape the shared
 * source uses: its kind (`RequestError` before a response, `ResponseError`
 * with one), request, response, cause and description (Effect 4 keeps them
 * on the error's `reason`); undefined when `u` is not one.
 *
 * @internal
 */
export const platformFields = (u: object): PlatformFields | undefined => {
  const reason = platformReason(u)
  if (reason === undefined) return undefined
  const r = (u as Record<string, unknown>)["reason"] as Record<string, unknown>
  return {
    kind: r["response"] === undefined ? "RequestError" : "ResponseError",
    reason,
    request: r["request"],
    response: r["response"],
    cause: r["cause"],
    description: typeof r["description"] === "string" ? r["description"] : undefined
  }
}
