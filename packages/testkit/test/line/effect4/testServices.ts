/**
 * Fresh test services for one run inside a test on the Effect 4 line (see
 * docs/design.md, "Two Effect lines"): `TestClock.layer()` and
 * `TestConsole.layer`, as `@effect/vitest` 4's `it.effect` provides them.
 * Same names as `../effect3/testServices.ts`.
 */
import * as Layer from "effect/Layer"
import * as TestClock from "effect/testing/TestClock"
import * as TestConsole from "effect/testing/TestConsole"

/** A new `TestClock` at 0 (and the other test services) for the effect it is provided to. */
export const freshTestServices = Layer.mergeAll(TestConsole.layer, TestClock.layer())
