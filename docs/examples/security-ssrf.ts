/**
 * For a service that fetches urls its users give it: public addresses only,
 * checked after DNS resolution, and a redirect hook that can say no.
 */
import { HttpClientRequest } from "@effect/platform"
import { Address, Client } from "@steadfast/core"
import { NodeClient } from "@steadfast/node"
import { Effect } from "effect"
import * as assert from "node:assert"

// region: guard
const FetcherLive = NodeClient.layer({
  allowAddress: Address.publicOnly,
  redirects: {
    max: 3,
    // refuse anything but https, on top of the address rule
    allow: (_from, to) => to.protocol === "https:" ? undefined : false
  }
})
// endregion

export const program = Effect.gen(function*() {
  // region: refused
  for (
    const url of [
      "http://127.0.0.1/",
      "http://0x7f.1/",
      "http://169.254.169.254/latest/meta-data",
      "http://[::ffff:10.0.0.1]/"
    ]
  ) {
    const error = yield* Effect.flip(Client.text(HttpClientRequest.get(url)))
    assert.strictEqual(error._tag, "InvalidUrl") // nothing was sent
  }
  assert.strictEqual(Address.kind("2130706433"), "loopback")
  // endregion
}).pipe(Effect.provide(FetcherLive))
