/**
 * The platform's error tags as the test files match them on the Effect 4
 * line (see docs/design.md, "Two Effect lines"): one `HttpClientError`
 * carrying a `reason`, for a request and for a response. Same names as
 * `../effect3/platform.ts`; read an error's fields in the Effect 3 shape
 * with core's `platformReason` seam.
 */

/** The `_tag` of the platform's error for a request that got no response. */
export const requestErrorTag = "HttpClientError" as const

/** The `_tag` of the platform's error for a response that could not be read. */
export const responseErrorTag = "HttpClientError" as const
