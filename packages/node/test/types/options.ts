/**
 * Type test, checked by `tsc -b` (not run): the node package's option
 * objects are exact, so a misspelt key in an object literal is a compile
 * error. Each `@ts-expect-error` fails the build if its line compiles.
 */
import { Doctor, NodeClient, Pool } from "../../src/index.js"

export const misspelt: ReadonlyArray<unknown> = [
  // @ts-expect-error -- `conections` is not a pool option (connections)
  NodeClient.layer({ pool: { conections: 8 } }),
  // @ts-expect-error -- `caa` is not a TLS option (ca)
  NodeClient.layer({ tls: { caa: "/etc/ssl/ca.pem" } }),
  // @ts-expect-error -- `uri` is not a proxy option (url)
  NodeClient.layer({ proxy: { uri: "http://proxy:3128" } }),
  // @ts-expect-error -- `fallbackDirect` is not a proxy option (fallbackToDirect)
  NodeClient.layer({ proxy: { url: "env", fallbackDirect: true } }),
  // @ts-expect-error -- core's options are exact through NodeClient too
  NodeClient.layer({ retires: 3 }),
  // @ts-expect-error -- nested in layerConfig's overrides
  NodeClient.layerConfig({ overrides: { pol: { connections: 2 } } }),
  // @ts-expect-error -- `keepalive` is not a pool option (keepAlive)
  Pool.layer({ keepalive: false }),
  // @ts-expect-error -- `header` is not a doctor option (headers)
  Doctor.run({ url: "https://example.test/", header: { authorization: "x" } })
]

export const spelt: ReadonlyArray<unknown> = [
  NodeClient.layer({ pool: { connections: 8 }, tls: { ca: "x" }, proxy: { url: "env", fallbackToDirect: true } }),
  Doctor.run({ url: "https://example.test/", headers: { authorization: "x" }, method: "HEAD" })
]
