// Module resolution in a child process of the Effect 4 suite, as
// lines/effect4/vitest.config.ts resolves the suite's own imports: `effect`
// and `effect/*` from this folder's install (Effect 4), `@effect/platform/*`
// as `effect/http/*`, and `@steadfast/core` (and its Redis subpath) to core's
// sources; core's `#line/*` follow its package.json under the
// `@steadfast/effect4` condition.
const line = new URL("../../package.json", import.meta.url).href
const repo = new URL("../../../../", import.meta.url)

const sources = {
  "@steadfast/core": "packages/core/src/index.ts",
  "@steadfast/core/RateLimit/Redis": "packages/core/src/RateLimit/Redis.ts"
}

export const resolve = (specifier, context, next) => {
  const platform = /^@effect\/platform(\/.*)?$/.exec(specifier)
  if (platform !== null) return next(`effect/http${platform[1] ?? ""}`, { ...context, parentURL: line })
  if (/^effect(\/.*)?$/.test(specifier)) return next(specifier, { ...context, parentURL: line })
  const source = sources[specifier]
  if (source !== undefined) return next(new URL(source, repo).href, context)
  return next(specifier, context)
}
