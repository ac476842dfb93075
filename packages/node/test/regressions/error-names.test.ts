/**
 * An error's class is exported under its `_tag`: `Pool.InvalidOptions` had
 * the tag `InvalidPoolOptions`, so `catchTag("InvalidPoolOptions")` and
 * `instanceof Pool.InvalidOptions` named one thing two ways. Every tagged
 * class the packages export is checked, so a new one cannot drift.
 */
import { describe, expect, it } from "@effect/vitest"
import { Errors } from "@steadfast/core"
import { NodeClient, Pool, Proxy, Tls } from "../../src/index.js"

describe("regression: error classes are named by their tags", () => {
  it("the export name, the class name and the _tag agree", () => {
    const tagged = Object.entries({ ...Errors, ...Pool, ...NodeClient, ...Proxy, ...Tls }).flatMap(([name, value]) =>
      typeof value === "function" && typeof (value as { _tag?: unknown })._tag === "string"
        ? [[name, value.name, (value as unknown as { _tag: string })._tag]]
        : []
    )
    expect(tagged.length).toBeGreaterThan(10)
    for (const [name, className, tag] of tagged) expect([className, tag]).toEqual([name, name])
    expect(tagged.map(([name]) => name)).toContain("InvalidPoolOptions")
  })
})
