/**
 * Type test, checked by `tsc -b` (not run): option objects are exact, so a
 * misspelt key in an object literal is a compile error, at every level and
 * in every function that takes options. Each `@ts-expect-error` below fails
 * the build if its line ever compiles.
 */
import { Client, Redirects, Retry, Timeouts } from "@steadfast/core"

export const misspelt = (client: Client.ResilientClient) => [
  // @ts-expect-error -- `retires` is not an option (retries)
  Client.layer({ retires: 3 }),
  // @ts-expect-error -- `timeout` is not an option (timeouts)
  Client.make({ timeout: { connect: "1 second" } }),
  // @ts-expect-error -- nested: `conect` is not a timeout (connect)
  Client.layer({ timeouts: { conect: "1 second" } }),
  // @ts-expect-error -- nested twice: `bse` is not a backoff option (base)
  Client.layer({ retry: { backoff: { bse: "1 second" } } }),
  // @ts-expect-error -- `backof` is not a retry option (backoff)
  Client.layer({ retry: { retries: 2, backof: { base: "1 second" } } }),
  // @ts-expect-error -- `mx` is not a redirect option (max)
  Client.layer({ redirects: { mx: 3 } }),
  // @ts-expect-error -- `maxBodysize` is not an option (maxBodySize)
  Client.withOptions(client, { maxBodysize: 1 }),
  // @ts-expect-error -- `respose` is not a timeout (response)
  Client.withTimeouts(client, { respose: "1 second" }),
  // @ts-expect-error -- `retriess` is not a retry option
  Client.withRetry(client, { retriess: 1 }),
  // @ts-expect-error -- `follows` is not a redirect option (follow)
  Client.withRedirects(client, { follows: false }),
  // @ts-expect-error -- `overides` is not an option of layerConfig (overrides)
  Client.layerConfig({ overides: {} }),
  // @ts-expect-error -- nested in layerConfig's overrides
  Client.layerConfig({ overrides: { retyr: {} } }),
  // @ts-expect-error -- `retires` is not a policy option
  Retry.policy({ retires: 2 }),
  // @ts-expect-error -- `conect` is not a timeout
  Timeouts.make({ conect: "1 second" }),
  // @ts-expect-error -- `maxx` is not a redirect option
  Redirects.make({ maxx: 2 })
]

// and the right spellings compile
export const spelt = (client: Client.ResilientClient) => [
  Client.layer({ retry: { retries: 2, backoff: { base: "1 second" } }, timeouts: { connect: "1 second" } }),
  Client.withOptions(client, { maxBodySize: 1, redirects: { max: 3 } }),
  Client.layerConfig({ overrides: { retry: { retries: 1 } } })
]
