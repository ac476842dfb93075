/**
 * Fresh test services for one run inside a test on the Effect 3 line (see
 * docs/design.md, "Two Effect lines"): `TestContext.TestContext`. Same
 * names as `../effect4/testServices.ts`.
 */
import * as TestContext from "effect/TestContext"

/** A new `TestClock` at 0 (and the other test services) for the effect it is provided to. */
export const freshTestServices = TestContext.TestContext
