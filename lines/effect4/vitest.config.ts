import { existsSync, readFileSync } from "node:fs"
import { relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { defineConfig, type Plugin } from "vitest/config"

// The Effect 4 suite: the same test files as the Effect 3 suite
// (packages/*/test), run by vitest 5 with @effect/vitest 4 under Node 22.
// Test files import `effect`, `@effect/vitest` and `@effect/platform` as the
// Effect 3 suite does; this plugin resolves them from this folder's install
// (Effect 4, where the platform modules live under `effect/http`), and the
// sources' `#line/*` imports to each package's src/line/effect4 (see
// docs/design.md, "Two Effect lines").
const here = fileURLToPath(new URL(".", import.meta.url))
const repo = fileURLToPath(new URL("../..", import.meta.url))
const anchor = `${here}vitest.config.ts`
const wrapper = `${here}test/vitest.ts`
// the test files each package's tsconfig.test.json type-checks against Effect 4: one list of what is ported
const testFiles = ["core", "testkit", "node"]
  .filter((pkg) => existsSync(`${here}${pkg}/tsconfig.test.json`))
  .flatMap((pkg) =>
    (JSON.parse(readFileSync(`${here}${pkg}/tsconfig.test.json`, "utf8")).include as Array<string>)
      .map((file) => relative(repo, resolve(`${here}${pkg}`, file)))
  )
  .filter((file) => file.endsWith(".test.ts") || file.endsWith("**/*.ts"))
  .map((file) => file.replace(/\*\*\/\*\.ts$/, "**/*.test.ts"))

const effect4Line = (): Plugin => ({
  name: "steadfast:effect4-line",
  enforce: "pre",
  async resolveId(source, importer) {
    // the Effect 3 build, which the parity test loads beside the Effect 4 one
    if (importer === undefined || /\/packages\/[^/]+\/dist\//.test(importer)) return null
    const platform = /^@effect\/platform(\/.*)?$/.exec(source)
    if (platform !== null) return this.resolve(`effect/http${platform[1] ?? ""}`, anchor, { skipSelf: true })
    if (source === "@effect/vitest") return wrapper
    // (and the OpenTelemetry SDK the OpenTelemetry test hands to @effect/opentelemetry 4: one copy of its classes)
    if (
      /^(effect|@effect\/vitest|@effect\/platform-node|@effect\/opentelemetry|@opentelemetry\/[^/]+|fast-check)(\/.*)?$/
        .test(source)
    ) {
      const target = source === "effect/FastCheck" ? "fast-check" : source
      return this.resolve(target, anchor, { skipSelf: true })
    }
    const line = /^#(test)?line\/(.*)$/.exec(source)
    if (line !== null) {
      const pkg = /\/packages\/([^/]+)\//.exec(importer)?.[1]
      // #line/*: the sources' seams; #testline/*: the test files' own (a package's test/line)
      if (pkg !== undefined) {
        return `${repo}packages/${pkg}/${line[1] === undefined ? "src" : "test"}/line/effect4/${line[2]}.ts`
      }
    }
    if (source === "@steadfast/core") return `${repo}packages/core/src/index.ts`
    if (source === "@steadfast/core/RateLimit/Redis") return `${repo}packages/core/src/RateLimit/Redis.ts`
    // core's seams for the sibling packages (its "./line/*" export)
    const coreLine = /^@steadfast\/core\/line\/(.*)$/.exec(source)
    if (coreLine !== null) return `${repo}packages/core/src/line/effect4/${coreLine[1]}.ts`
    if (source === "@steadfast/testkit/NodeErrors") return `${repo}packages/testkit/src/NodeErrors.ts`
    if (source === "@steadfast/testkit") return `${repo}packages/testkit/src/index.ts`
    if (source === "@steadfast/node") return `${repo}packages/node/src/index.ts`
    return null
  }
})

export default defineConfig({
  plugins: [effect4Line()],
  server: { fs: { allow: [repo] } },
  test: {
    root: repo,
    include: testFiles,
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: `${here}node_modules/.cache/vitest-results.json` },
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
