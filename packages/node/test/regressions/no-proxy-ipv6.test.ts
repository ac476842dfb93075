/**
 * `NO_PROXY` entries that are IPv6 addresses: `::1` or `2001:db8::1` must not
 * be read as a host `:` or `2001:db8:` on port 1, and they match the url's
 * address with or without brackets, however it is written. A trailing dot
 * (a fully qualified name) does not change which host is meant.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Proxy } from "../../src/index.js"

const via = (noProxy: string, url: string) => {
  const settings = Proxy.settings({ url: "http://proxy.test:3128", noProxy }, {
    httpProxy: undefined,
    httpsProxy: undefined,
    noProxy: undefined
  })
  if (typeof settings === "string") throw new Error(settings)
  return Proxy.select(settings, new URL(url)) === undefined ? "direct" : "proxy"
}

describe("regression: NO_PROXY with IPv6 addresses and fully qualified names", () => {
  it.effect.each(
    [
      ["::1", "http://[::1]:8080/", "direct"],
      ["[::1]", "http://[::1]:8080/", "direct"],
      ["[::1]:8080", "http://[::1]:8080/", "direct"],
      ["[::1]:9090", "http://[::1]:8080/", "proxy"],
      ["2001:db8::1", "http://[2001:db8::1]/", "direct"],
      ["2001:DB8:0:0:0:0:0:1", "https://[2001:db8::1]/", "direct"],
      ["2001:db8::1", "http://[2001:db8::2]/", "proxy"],
      ["2001:db8::1", "http://[2001:db8::1:1]/", "proxy"],
      ["example.com", "http://api.example.com./", "direct"],
      ["example.com.", "http://example.com/", "direct"],
      ["example.com", "http://notexample.com./", "proxy"]
    ] as const
  )("NO_PROXY=%s, %s: %s", ([noProxy, url, expected]) => Effect.sync(() => expect(via(noProxy, url)).toBe(expected)))

  it.effect("parseNoProxy keeps an IPv6 address whole", () =>
    Effect.sync(() => {
      expect(Proxy.parseNoProxy("::1, [fe80::1]:8443, 2001:db8::1").entries).toEqual([
        { hostname: "::1", port: 0 },
        { hostname: "fe80::1", port: 8443 },
        { hostname: "2001:db8::1", port: 0 }
      ])
    }))
})
