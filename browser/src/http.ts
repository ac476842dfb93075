/**
 * The platform names the pages use, through core's seam for the line being
 * bundled (docs/design.md, "Two Effect lines"): `@effect/platform`'s on the
 * Effect 3 build, `effect/http`'s on the Effect 4 build (`./line.js` resolves
 * `@steadfast/core/line/*` to core's src/line/effect4 there).
 */
export { FetchHttpClient, HttpClientRequest } from "@steadfast/core/line/http"
