/**
 * The `reason` of a platform HTTP client error on the Effect 3 line
 * (`"Transport"`, `"Encode"`, `"InvalidUrl"`, `"StatusCode"`, `"Decode"`,
 * `"EmptyBody"`), or undefined when `u` is not one. No Effect import: the
 * classifier that reads it stays a pure rule.
 *
 * @internal
 */
import type { PlatformFields } from "../../internal/platformErrorProps.js"
export const platformReason = (u: object): string | undefined => {
  const o = u as Record<string, unknown>
  return (o["_tag"] === "RequestError" || o["_tag"] === "ResponseError") && typeof o["reason"] === "string"
    ? o["reason"]
    : undefined
}

/**
 * What a platform HTTP client error says, in the Effect 3 shape: its kind
 * (`RequestError` before a response, `ResponseError` with one), request,
 * response, cause and description; undefined when `u` is not one.
 *
 * @internal
 */
export const platformFields = (u: object): PlatformFields | undefined => {
  const reason = platformReason(u)
  if (reason === undefined) return undefined
  const o = u as Record<string, unknown>
  return {
    kind: o["_tag"] as PlatformFields["kind"],
    reason,
    request: o["request"],
    response: o["response"],
    cause: o["cause"],
    description: typeof o["description"] === "string" ? o["description"] : undefined
  }
}
