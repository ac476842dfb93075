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
export const platformReason = (u: object): string | undefined => {
  const o = u as Record<string, unknown>
  if (o["_tag"] !== "HttpClientError" || typeof o["reason"] !== "object" || o["reason"] === null) return undefined
  const tag = (o["reason"] as Record<string, unknown>)["_tag"]
  return typeof tag === "string" && tag.endsWith("Error") ? tag.slice(0, -"Error".length) : undefined
}
