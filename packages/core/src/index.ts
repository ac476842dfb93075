/**
 * @steadfast/core: a resilient HTTP client for Effect.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Errors from "./Errors.js"

/** @since 0.1.0 */
export * as Transport from "./Transport.js"

/** @since 0.1.0 */
export * as Redact from "./Redact.js"
