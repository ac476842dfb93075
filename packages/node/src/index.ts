/**
 * @steadfast/node: the undici transport for @steadfast/core — the pool as a
 * scoped Layer, TLS, proxies, and a connection doctor.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as NodeClient from "./NodeClient.js"

/** @since 0.1.0 */
export * as Pool from "./Pool.js"

/** @since 0.1.0 */
export * as Tls from "./Tls.js"

/** @since 0.1.0 */
export * as Proxy from "./Proxy.js"

/** @since 0.1.0 */
export * as Doctor from "./Doctor.js"

/** @since 0.1.0 */
export * as Dns from "./Dns.js"
