// What the Effect 4 suite sees as "@steadfast/core" while the port is under
// way: the public modules already built for Effect 4 (lines/effect4/core's
// tsconfig compiles the same files). When the whole package is ported, the
// suite imports packages/core/src/index.ts instead and this file goes.
export * as Address from "../../../packages/core/src/Address.js"
export * as Budget from "../../../packages/core/src/Budget.js"
export * as Classify from "../../../packages/core/src/Classify.js"
export * as Errors from "../../../packages/core/src/Errors.js"
export * as RateLimitHeaders from "../../../packages/core/src/RateLimitHeaders.js"
export * as Redact from "../../../packages/core/src/Redact.js"
export * as Redirects from "../../../packages/core/src/Redirects.js"
export * as Retry from "../../../packages/core/src/Retry.js"
export * as RetryAfter from "../../../packages/core/src/RetryAfter.js"
