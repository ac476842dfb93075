import { defaultClientConditions, defaultServerConditions } from "vite"
import { defineConfig } from "vitest/config"

// Tests import the workspace packages from their TypeScript sources (the
// "@steadfast/source" export condition), so `pnpm test` needs no build first.
export default defineConfig({
  resolve: {
    conditions: ["@steadfast/source", ...defaultClientConditions]
  },
  ssr: {
    resolve: {
      // not "module": Node does not know it, and a package's "module" build may not load in Node
      // (@opentelemetry/api's is ESM without file extensions)
      conditions: ["@steadfast/source", ...defaultServerConditions.filter((c) => c !== "module")],
      externalConditions: ["@steadfast/source"]
    }
  },
  test: {
    include: [
      "packages/*/test/**/*.test.ts",
      "docs/test/**/*.test.ts",
      // examples that are whole test files, shown as such in the guides
      "docs/examples/**/*.test.ts",
      "bench/test/**/*.test.ts",
      "demo/test/**/*.test.ts"
    ],
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: "node_modules/.cache/vitest-results.json" },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    sequence: { concurrent: false }
  }
})
