/**
 * @steadfast/testkit: prove resilience with deterministic tests.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * from "./Fault.js"

/** @since 0.1.0 */
export * as Scenario from "./Scenario.js"

/** @since 0.1.0 */
export * as Certificates from "./Certificates.js"

/** @since 0.1.0 */
export * as FaultServer from "./FaultServer.js"

/** @since 0.1.0 */
export * as FaultProxy from "./FaultProxy.js"

/** @since 0.1.0 */
export * as Timer from "./Timer.js"

/** @since 0.1.0 */
export * as ToxiproxyApi from "./ToxiproxyApi.js"

/** @since 0.1.0 */
export * as SimulatedNetwork from "./SimulatedNetwork.js"

/** @since 0.1.0 */
export * as Assert from "./Assert.js"
