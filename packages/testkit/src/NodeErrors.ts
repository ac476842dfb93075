/**
 * Errors with exactly the shapes Node and undici 7 produce on real sockets.
 *
 * Each factory builds the error a real failure would raise: the same class
 * (undici's own classes, so `instanceof errors.SocketError` holds; Node's
 * errno errors as `Error` subclasses named `Error`, as Node builds them), the
 * same `name`, `code`, `errno`, `syscall`, `address`, `port`, `hostname` and
 * the same `message` format. The SimulatedNetwork uses them as the `cause` of
 * its failures, so the classifier that reads a real socket error reads a
 * simulated one the same way. `test/NodeErrors.test.ts` provokes each real
 * error on loopback and compares shapes, so a Node or undici upgrade that
 * changes one fails a test.
 *
 * @example
 * ```ts
 * import * as NodeErrors from "@steadfast/testkit/NodeErrors"
 *
 * const cause = NodeErrors.refused({ address: "127.0.0.1", port: 8080 })
 * // Error: connect ECONNREFUSED 127.0.0.1:8080  { errno: -111, code: "ECONNREFUSED", syscall: "connect", … }
 * const thrownByFetch = NodeErrors.fetchFailed(cause)
 * // TypeError: fetch failed  { cause }
 * ```
 *
 * @since 0.1.0
 */
export type {
  /**
   * A peer: the address a connection went to, and its port.
   *
   * @since 0.1.0
   */
  Peer,
  /**
   * What undici records about a socket in a `SocketError` (its `socket` field).
   *
   * @since 0.1.0
   */
  SocketInfo,
  /**
   * A Node system error (libuv or c-ares): `errno`, `code`, `syscall`, and the
   * peer's `address`/`port` or the `hostname` looked up when there is one.
   *
   * @since 0.1.0
   */
  SystemError
} from "./internal/nodeErrors/system.js"

/**
 * Resolver failures: `notFound`, `dnsTemporary`, `dnsQueryError`,
 * `dnsServerFailure`, `dnsRefused`, `dnsTimeout` and `RecordType`.
 *
 * @since 0.1.0
 */
export * from "./internal/nodeErrors/dns.js"

/**
 * Connection failures: `refused`, `reset`, `brokenPipe`,
 * `networkUnreachable`, `hostUnreachable`, `hostDown`,
 * `addressNotAvailable`, `timedOut`, `allAddressesFailed`,
 * `otherSideClosed`.
 *
 * @since 0.1.0
 */
export * from "./internal/nodeErrors/connections.js"

/**
 * undici's timeouts and limits: `connectTimeout`, `headersTimeout`,
 * `bodyTimeout`, `responseExceededMaxSize`, `httpParser`.
 *
 * @since 0.1.0
 */
export * from "./internal/nodeErrors/undiciLimits.js"

/**
 * TLS failures: `selfSigned`, `selfSignedInChain`, `certExpired`,
 * `unableToVerifyLeaf`, `unableToGetIssuerLocally`, `altnameInvalid`,
 * `handshake` (with `sslErrors`), `eproto`, and their error shapes.
 *
 * @since 0.1.0
 */
export * from "./internal/nodeErrors/tls.js"

/**
 * Proxy failures (`proxyTunnelFailed`, `proxyAuthRequired`, `proxyDown`)
 * and fetch's wrappers (`fetchFailed`, `terminated`).
 *
 * @since 0.1.0
 */
export * from "./internal/nodeErrors/proxyFetch.js"

/**
 * Every failure this module can build, with what it stands for and the
 * steadfast `_tag` it maps to (`catalog`, and its `Entry`). Iterate it for
 * classification table tests.
 *
 * @example
 * ```ts
 * import * as NodeErrors from "@steadfast/testkit/NodeErrors"
 *
 * for (const e of NodeErrors.catalog) {
 *   console.log(e.name, e.code, "->", e.tag)
 * }
 * ```
 *
 * @since 0.1.0
 */
export * from "./internal/nodeErrors/catalog.js"
