/**
 * @steadfast/core: a resilient HTTP client for Effect.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Client from "./Client.js"

/** @since 0.1.0 */
export * as Auth from "./Auth.js"

/** @since 0.1.0 */
export * as Errors from "./Errors.js"

/** @since 0.1.0 */
export * as Classify from "./Classify.js"

/** @since 0.1.0 */
export * as Retry from "./Retry.js"

/** @since 0.1.0 */
export * as Budget from "./Budget.js"

/** @since 0.1.0 */
export * as Breaker from "./Breaker.js"

/** @since 0.1.0 */
export * as Bulkhead from "./Bulkhead.js"

/** @since 0.1.0 */
export * as Hedge from "./Hedge.js"

/** @since 0.1.0 */
export * as Policy from "./Policy.js"

/** @since 0.1.0 */
export * as Hooks from "./Hooks.js"

/** @since 0.1.0 */
export * as RetryAfter from "./RetryAfter.js"

/** @since 0.1.0 */
export * as Timeouts from "./Timeouts.js"

/** @since 0.1.0 */
export * as Redirects from "./Redirects.js"

/** @since 0.1.0 */
export * as Metrics from "./Metrics.js"

/** @since 0.1.0 */
export * as Transport from "./Transport.js"

/** @since 0.1.0 */
export * as Propagation from "./Propagation.js"

/** @since 0.1.0 */
export * as Redact from "./Redact.js"

/**
 * Address kinds and the SSRF guard rule (`Address.publicOnly`).
 *
 * @since 0.1.0
 */
export * as Address from "./Address.js"
/** @since 0.1.0 */
export * as ConfigKeys from "./ConfigKeys.js"
/** @since 0.1.0 */
export * as RateLimit from "./RateLimit.js"

/** @since 0.1.0 */
export * as RateLimitHeaders from "./RateLimitHeaders.js"
