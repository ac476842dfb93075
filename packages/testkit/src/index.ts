/**
 * @steadfast/testkit: prove resilience with deterministic tests.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * from "./Fault.js"

/** @since 0.1.0 */
export * as Scenario from "./Scenario.js"
