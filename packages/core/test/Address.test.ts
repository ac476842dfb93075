import { describe, it } from "@effect/vitest"
import { strictEqual } from "@effect/vitest/utils"
import { Address } from "@steadfast/core"
import * as fc from "effect/FastCheck"

const SEED = 182026

describe("Address.kind", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["0x7f.1", "loopback"],
    ["0x7f000001", "loopback"],
    ["2130706433", "loopback"],
    ["0177.0.0.1", "loopback"],
    ["127.1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["0", "unspecified"],
    ["0.1.2.3", "reserved"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "shared"],
    ["100.127.255.255", "shared"],
    ["100.128.0.1", "public"],
    ["169.254.169.254", "link-local"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["192.0.0.8", "reserved"],
    ["192.0.2.1", "documentation"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    ["198.18.0.1", "benchmarking"],
    ["192.88.99.1", "reserved"],
    ["8.8.8.8", "public"],
    ["93.184.215.14", "public"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["[::ffff:127.0.0.1]", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:8.8.8.8", "public"],
    ["::ffff:0:127.0.0.1", "loopback"],
    ["::127.0.0.1", "loopback"],
    ["::8.8.8.8", "reserved"],
    ["64:ff9b::127.0.0.1", "loopback"],
    ["64:ff9b::169.254.169.254", "link-local"],
    ["64:ff9b::8.8.8.8", "public"],
    ["64:ff9b:1::1", "private"],
    ["2002:7f00:1::", "loopback"],
    ["2002:c0a8:101::1", "private"],
    ["2002:808:808::1", "public"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["fec0::1", "private"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["2001::1", "reserved"],
    ["2001:2::1", "benchmarking"],
    ["100::1", "reserved"],
    ["4000::1", "reserved"],
    ["2606:4700:4700::1111", "public"],
    ["2a00:1450:4001::200e", "public"]
  ])("%s is %s", (address, expected) => {
    strictEqual(Address.kind(address), expected)
  })

  it.each([["localhost"], ["example.com"], [""], ["1.2.3.4.5.6"], ["::g"], ["1::2::3"]])(
    "%j is not an address",
    (text) => {
      strictEqual(Address.kind(text), undefined)
      strictEqual(Address.publicOnly(text), false)
    }
  )

  it("refusal names the kind", () => {
    strictEqual(Address.refusal(Address.publicOnly, "127.0.0.1"), "127.0.0.1 is loopback")
    strictEqual(Address.refusal(Address.publicOnly, "8.8.8.8"), undefined)
  })
})

// --- properties ---------------------------------------------------------------

const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
const dotted = (o: ReadonlyArray<number>) => o.join(".")
const asNumber = (o: ReadonlyArray<number>) => ((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!
const hex16 = (o: ReadonlyArray<number>) => [(o[0]! << 8) + o[1]!, (o[2]! << 8) + o[3]!].map((n) => n.toString(16))

describe("properties (fast-check, fixed seed)", () => {
  it.prop("every spelling of an IPv4 address has the same kind", [octets], ([o]) => {
    const k = Address.kind(dotted(o))
    const [high, low] = hex16(o)
    for (
      const spelling of [
        String(asNumber(o)),
        `0x${asNumber(o).toString(16)}`,
        o.map((n) => `0${n.toString(8)}`).join("."),
        o.map((n) => `0x${n.toString(16)}`).join("."),
        `::ffff:${dotted(o)}`,
        `[::ffff:${dotted(o)}]`,
        `::ffff:${high}:${low}`,
        `::ffff:0:${dotted(o)}`,
        `64:ff9b::${dotted(o)}`,
        `2002:${high}:${low}::1`
      ]
    ) strictEqual(Address.kind(spelling), k, `${spelling} vs ${dotted(o)}`)
  }, { fastCheck: { seed: SEED, numRuns: 500 } })

  it.prop("loopback, private and link-local IPv4 ranges are never public, in any form", [
    fc.oneof(
      fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(100), fc.integer({ min: 64, max: 127 }), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(0), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.integer({ min: 224, max: 255 }), fc.nat(255), fc.nat(255), fc.nat(255))
    )
  ], ([o]) => {
    for (const spelling of [dotted(o), String(asNumber(o)), `::ffff:${dotted(o)}`, `64:ff9b::${dotted(o)}`]) {
      strictEqual(Address.publicOnly(spelling), false, spelling)
    }
  }, { fastCheck: { seed: SEED, numRuns: 500 } })

  it.prop("IPv6 outside 2000::/3 is never public", [fc.ipV6()], ([address]) => {
    const first = parseInt(new URL(`http://[${address}]/`).hostname.slice(1).split(":")[0] || "0", 16)
    if ((first & 0xe000) !== 0x2000 && !address.includes(".")) {
      strictEqual(Address.publicOnly(address), false, address)
    }
  }, { fastCheck: { seed: SEED, numRuns: 500 } })

  it.prop("kind never throws, and is undefined for names", [fc.domain()], ([name]) => {
    const k = Address.kind(name)
    strictEqual(k === undefined || /^[\d.x]+$/i.test(name) || /^\d/.test(name), true, `${name}: ${k}`)
  }, { fastCheck: { seed: SEED, numRuns: 300 } })
})
