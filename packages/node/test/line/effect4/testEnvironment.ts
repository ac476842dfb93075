/**
 * A test's fresh test services, on the Effect 4 line (which has no
 * `TestContext`): a TestClock and a TestConsole of their own, as
 * `@effect/vitest` 4 provides to `it.effect`. Same names as
 * `../effect3/testEnvironment.ts`. See docs/design.md, "Two Effect
 * lines".
 *
 * @internal
 */
import * as Layer from "effect/Layer"
import * as TestClock from "effect/testing/TestClock"
import * as TestConsole from "effect/testing/TestConsole"

/** Fresh test services: a TestClock of its own (for a part of a live test that runs in virtual time). @internal */
export const testEnvironment: Layer.Layer<never> = Layer.mergeAll(TestConsole.layer, TestClock.layer())
