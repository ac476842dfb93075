/**
 * `effect/http/Headers` for the Effect 4 line, with `remove` in its Effect 3
 * spelling: one name or several (Effect 4: `remove` takes one, `removeMany`
 * several). See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Headers from "effect/http/Headers"

export * from "effect/http/Headers"

/** @internal */
export const remove = (self: Headers.Headers, key: string | ReadonlyArray<string>): Headers.Headers =>
  typeof key === "string" ? Headers.remove(self, key) : Headers.removeMany(self, key)
