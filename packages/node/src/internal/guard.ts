/**
 * The SSRF guard at connect time: every connection the pool opens directly
 * is checked against `allowAddress` on the address it will really connect
 * to — an IP literal as it is, a name after DNS resolution (a `lookup`
 * wrapper handed to `net.connect` / `tls.connect`). Checking the resolved
 * address, per connection, is what keeps DNS rebinding out: a name that
 * resolved to a public address for a first check and to 127.0.0.1 for the
 * connection is refused at the connection.
 *
 * A refused connection fails with an error of code
 * `Classify.ADDRESS_REFUSED` (with `hostname`, `address`), which the
 * client reports as `InvalidUrl`, or `RedirectBlocked` after a redirect.
 * Connections to a proxy are not checked (the proxy is the user's own
 * choice, and it resolves the target itself).
 *
 * @internal
 */
import { Address, Classify } from "@steadfast/core"
import * as dns from "node:dns"
import type * as net from "node:net"
import { buildConnector } from "undici"

/** The signature of `dns.lookup` that `net.connect` calls. @internal */
export type Lookup = NonNullable<net.TcpSocketConnectOpts["lookup"]>

const refusedError = (hostname: string, address: string, why: string): Error =>
  Object.assign(new Error(`${hostname} resolves to a refused address (${why})`), {
    code: Classify.ADDRESS_REFUSED,
    hostname,
    address
  })

const literalError = (hostname: string, why: string): Error =>
  Object.assign(new Error(`a refused address (${why})`), {
    code: Classify.ADDRESS_REFUSED,
    hostname,
    address: hostname
  })

/** `lookup` whose every answer goes through `allow`: one refused address refuses the name. @internal */
export const guardedLookup = (allow: Address.Guard, lookup: Lookup = dns.lookup as Lookup): Lookup =>
  ((hostname: string, options: dns.LookupOptions, callback: (...args: Array<any>) => void) => {
    lookup(hostname, options, (error: NodeJS.ErrnoException | null, address: any, family?: number) => {
      if (error !== null) return callback(error, address, family)
      const all: ReadonlyArray<dns.LookupAddress> = Array.isArray(address) ? address : [{ address, family: family! }]
      for (const entry of all) {
        const why = Address.refusal(allow, entry.address)
        if (why !== undefined) return callback(refusedError(hostname, entry.address, why), address, family)
      }
      callback(null, address, family)
    })
  }) as Lookup

/**
 * undici's connector over `options` (what `connect: { … }` would build),
 * with the guard: IP literals are checked before connecting, names through
 * {@link guardedLookup}. Without a guard but with a `lookup`, only the
 * lookup is replaced.
 *
 * @internal
 */
export const guardedConnector = (
  options: Record<string, unknown> & { readonly timeout?: number },
  allow: Address.Guard | undefined,
  lookup: Lookup | undefined
): buildConnector.connector => {
  const effective = allow === undefined ? lookup : guardedLookup(allow, lookup)
  const base = buildConnector({ ...options, ...(effective === undefined ? {} : { lookup: effective }) } as never)
  if (allow === undefined) return base
  return (opts, callback) => {
    const host = opts.hostname.startsWith("[") ? opts.hostname.slice(1, -1) : opts.hostname
    if (Address.kind(host) !== undefined) {
      const why = Address.refusal(allow, host)
      if (why !== undefined) {
        queueMicrotask(() => callback(literalError(host, why), null))
        return
      }
    }
    base(opts, callback)
  }
}
