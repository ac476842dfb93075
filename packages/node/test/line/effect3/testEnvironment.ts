/**
 * A test's fresh test services, on the Effect 3 line: `TestContext` (a
 * TestClock at time 0, and the services it needs). Same names as
 * `../effect4/testEnvironment.ts`. See docs/design.md, "Two Effect
 * lines".
 *
 * @internal
 */
import type * as Layer from "effect/Layer"
import * as TestContext from "effect/TestContext"

/** Fresh test services: a TestClock of its own (for a part of a live test that runs in virtual time). @internal */
export const testEnvironment: Layer.Layer<never> = TestContext.TestContext
