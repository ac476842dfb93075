/**
 * What kind of network address a host is: the rule behind the SSRF guard
 * (`allowAddress`) for clients that fetch urls given by others.
 *
 * {@link kind} sorts any IPv4 or IPv6 address into the special-purpose
 * ranges of the IANA registries (RFC 6890 and successors): loopback,
 * private, link-local, carrier-grade NAT, multicast, documentation,
 * benchmarking, reserved… IPv6 forms that carry an IPv4 address
 * (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64
 * `64:ff9b::/96`, SIIT `::ffff:0:a.b.c.d`, 6to4 `2002::/16`) are judged by
 * the IPv4 address inside. Every spelling a url parser or a resolver
 * accepts is read the same way: `0x7f.1`, `2130706433`, `0177.0.0.1` and
 * `127.1` are all `127.0.0.1`; `[::ffff:127.0.0.1]` is loopback too.
 *
 * {@link publicOnly} is the ready-made rule: only `"public"` addresses.
 * Pure: no Effect runtime.
 *
 * @example
 * ```ts
 * import { Address } from "@steadfast/core"
 *
 * Address.kind("10.1.2.3") // "private"
 * Address.kind("[::ffff:127.0.0.1]") // "loopback"
 * Address.publicOnly("93.184.215.14") // true
 * ```
 *
 * @since 0.1.0
 */

/**
 * The kinds of address. Everything but `"public"` is refused by
 * {@link publicOnly}.
 *
 * @since 0.1.0
 */
export type Kind =
  | "public"
  | "unspecified"
  | "loopback"
  | "private"
  | "link-local"
  | "shared"
  | "multicast"
  | "broadcast"
  | "documentation"
  | "benchmarking"
  | "reserved"

/**
 * A rule over the resolved address of a connection (an IP address, never a
 * name): `true` lets the connection be made.
 *
 * @since 0.1.0
 */
export type Guard = (address: string) => boolean

type V4Range = readonly [base: number, prefix: number, kind: Kind]

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d

/** IANA IPv4 special-purpose registry (RFC 6890, 7526, 8190…), most specific first. */
const V4_RANGES: ReadonlyArray<V4Range> = [
  [v4(255, 255, 255, 255), 32, "broadcast"],
  [v4(0, 0, 0, 0), 32, "unspecified"],
  [v4(192, 0, 0, 9), 32, "reserved"],
  [v4(192, 0, 0, 10), 32, "reserved"],
  [v4(0, 0, 0, 0), 8, "reserved"], // "this network"
  [v4(10, 0, 0, 0), 8, "private"],
  [v4(100, 64, 0, 0), 10, "shared"], // carrier-grade NAT (RFC 6598)
  [v4(127, 0, 0, 0), 8, "loopback"],
  [v4(169, 254, 0, 0), 16, "link-local"],
  [v4(172, 16, 0, 0), 12, "private"],
  [v4(192, 0, 0, 0), 24, "reserved"], // IETF protocol assignments
  [v4(192, 0, 2, 0), 24, "documentation"],
  [v4(192, 31, 196, 0), 24, "reserved"], // AS112
  [v4(192, 52, 193, 0), 24, "reserved"], // AMT
  [v4(192, 88, 99, 0), 24, "reserved"], // 6to4 relay anycast (deprecated)
  [v4(192, 168, 0, 0), 16, "private"],
  [v4(192, 175, 48, 0), 24, "reserved"], // direct delegation AS112
  [v4(198, 18, 0, 0), 15, "benchmarking"],
  [v4(198, 51, 100, 0), 24, "documentation"],
  [v4(203, 0, 113, 0), 24, "documentation"],
  [v4(224, 0, 0, 0), 4, "multicast"],
  [v4(240, 0, 0, 0), 4, "reserved"]
]

const inV4 = (address: number, base: number, prefix: number): boolean =>
  prefix === 0 || (address >>> (32 - prefix)) === (base >>> (32 - prefix))

const kindV4 = (address: number): Kind => {
  for (const [base, prefix, kind] of V4_RANGES) if (inV4(address, base, prefix)) return kind
  return "public"
}

/** Eight 16-bit groups. */
type V6 = ReadonlyArray<number>

const inV6 = (groups: V6, prefix: ReadonlyArray<number>, bits: number): boolean => {
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff
    if ((groups[i]! & mask) !== ((prefix[i] ?? 0) & mask)) return false
  }
  return true
}

const embedded = (high: number, low: number) => ((high << 16) >>> 0) + low

const kindV6 = (g: V6): Kind => {
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0)
  if (zeros(8)) return "unspecified"
  if (zeros(7) && g[7] === 1) return "loopback"
  // IPv4-mapped ::ffff:0:0/96 and SIIT ::ffff:0:0:0/96: the IPv4 address decides
  if (zeros(5) && g[5] === 0xffff) return kindV4(embedded(g[6]!, g[7]!))
  if (zeros(4) && g[4] === 0xffff && g[5] === 0) return kindV4(embedded(g[6]!, g[7]!))
  // IPv4-compatible ::/96 (deprecated, RFC 4291): judged by the IPv4 inside, never public
  if (zeros(6)) {
    const inner = kindV4(embedded(g[6]!, g[7]!))
    return inner === "public" ? "reserved" : inner
  }
  // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052): the IPv4 address decides
  if (inV6(g, [0x64, 0xff9b], 96)) return kindV4(embedded(g[6]!, g[7]!))
  if (inV6(g, [0x64, 0xff9b, 1], 48)) return "private" // local-use NAT64 (RFC 8215)
  // 6to4 2002::/16 (RFC 3056): the IPv4 address in bits 16-47 decides
  if (inV6(g, [0x2002], 16)) return kindV4(embedded(g[1]!, g[2]!))
  if (inV6(g, [0xff00], 8)) return "multicast"
  if (inV6(g, [0xfe80], 10)) return "link-local"
  if (inV6(g, [0xfec0], 10)) return "private" // site-local (deprecated)
  if (inV6(g, [0xfc00], 7)) return "private" // unique local
  if (inV6(g, [0x2001, 0x0db8], 32)) return "documentation"
  if (inV6(g, [0x3fff], 20)) return "documentation" // RFC 9637
  if (inV6(g, [0x2001, 0x0002], 48)) return "benchmarking"
  if (inV6(g, [0x0100], 64)) return "reserved" // discard-only
  if (inV6(g, [0x2001], 23)) return "reserved" // IETF protocol assignments, Teredo included
  if (inV6(g, [0x5f00], 16)) return "reserved" // SRv6 SIDs
  // only 2000::/3 is allocated global unicast
  if (!inV6(g, [0x2000], 3)) return "reserved"
  return "public"
}

const parseV4 = (text: string): number | undefined => {
  const parts = text.split(".")
  if (parts.length !== 4) return undefined
  let out = 0
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined
    const n = Number(part)
    if (n > 255) return undefined
    out = out * 256 + n
  }
  return out
}

const parseV6 = (text: string): V6 | undefined => {
  const halves = text.split("::")
  if (halves.length > 2) return undefined
  const groups = (half: string) => half === "" ? [] : half.split(":")
  const head = groups(halves[0]!)
  const tail = halves.length === 2 ? groups(halves[1]!) : []
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const all = [...head, ...Array.from({ length: halves.length === 2 ? missing : 0 }, () => "0"), ...tail]
  const out: Array<number> = []
  for (const group of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined
    out.push(parseInt(group, 16))
  }
  return out.length === 8 ? out : undefined
}

/**
 * The canonical form of a host as a url parser reads it (`0x7f.1` is
 * `127.0.0.1`; IPv6 is compressed, lower case, in hex), or `undefined`.
 */
const canonical = (host: string): string | undefined => {
  let h = host.trim()
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1)
  const zone = h.indexOf("%")
  if (zone >= 0) h = h.slice(0, zone)
  try {
    return h.includes(":") ? new URL(`http://[${h}]/`).hostname.slice(1, -1) : new URL(`http://${h}/`).hostname
  } catch {
    return undefined
  }
}

/**
 * The kind of an IP address in any spelling (dotted, hex, octal or
 * decimal IPv4; IPv6 with or without brackets, a zone or an embedded IPv4
 * address), or `undefined` for a host name or text that is not an address.
 *
 * @since 0.1.0
 */
export const kind = (address: string): Kind | undefined => {
  const host = canonical(address)
  if (host === undefined) return undefined
  if (host.includes(":")) {
    const groups = parseV6(host)
    return groups === undefined ? undefined : kindV6(groups)
  }
  const n = parseV4(host)
  return n === undefined ? undefined : kindV4(n)
}

/**
 * Whether an address is a public (globally routed) one. A host name, or text
 * that is not an address, is not.
 *
 * @since 0.1.0
 */
export const isPublic = (address: string): boolean => kind(address) === "public"

/**
 * The ready-made SSRF rule: public addresses only. Refuses every private,
 * loopback, link-local, unspecified, shared (CGNAT), multicast, broadcast,
 * documentation, benchmarking and reserved address, in every IPv4 and IPv6
 * spelling and through IPv4-mapped, -compatible, NAT64 and 6to4 forms.
 *
 * @example
 * ```ts
 * import { Address } from "@steadfast/core"
 * import { NodeClient } from "@steadfast/node"
 *
 * // for a client that fetches urls users give it
 * const layer = NodeClient.layer({ allowAddress: Address.publicOnly })
 * ```
 *
 * @since 0.1.0
 */
export const publicOnly: Guard = isPublic

/**
 * Why `guard` refuses `address` (its kind, e.g. `"127.0.0.1 is loopback"`),
 * or `undefined` when it allows it.
 *
 * @since 0.1.0
 */
export const refusal = (guard: Guard, address: string): string | undefined => {
  if (guard(address)) return undefined
  const k = kind(address)
  return k === undefined
    ? `${address} is not an IP address`
    : `${address} is ${k === "public" ? "a public address" : k}`
}
