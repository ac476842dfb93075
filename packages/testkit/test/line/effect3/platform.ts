/**
 * The platform's error tags as the test files match them on the Effect 3
 * line (see docs/design.md, "Two Effect lines"): `RequestError` and
 * `ResponseError`. Same names as `../effect4/platform.ts`, where both are
 * one `HttpClientError` with a `reason`; read an error's fields in the
 * Effect 3 shape with core's `platformReason` seam.
 */

/** The `_tag` of the platform's error for a request that got no response. */
export const requestErrorTag = "RequestError" as const

/** The `_tag` of the platform's error for a response that could not be read. */
export const responseErrorTag = "ResponseError" as const
