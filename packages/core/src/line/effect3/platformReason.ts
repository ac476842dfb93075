/**
 * The `reason` of a platform HTTP client error on the Effect 3 line
 * (`"Transport"`, `"Encode"`, `"InvalidUrl"`, `"StatusCode"`, `"Decode"`,
 * `"EmptyBody"`), or undefined when `u` is not one. No Effect import: the
 * classifier that reads it stays a pure rule.
 *
 * @internal
 */
export const platformReason = (u: object): string | undefined => {
  const o = u as Record<string, unknown>
  return (o["_tag"] === "RequestError" || o["_tag"] === "ResponseError") && typeof o["reason"] === "string"
    ? o["reason"]
    : undefined
}
