/**
 * `effect/Context` for the Effect 4 line, with `Tag` in its Effect 3
 * spelling: `class X extends Context.Tag("key")<X, Shape>() {}` (Effect 4:
 * `Context.Service<X, Shape>()("key")`), and `GenericTag` (a function-style
 * `Context.Service`). See docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Context from "effect/Context"

export * from "effect/Context"

/** A class-style service key named `key`. @internal */
export const Tag = <const Key extends string>(key: Key) => <Self, Shape>(): Context.ServiceClass<Self, Key, Shape> =>
  Context.Service<Self, Shape>()(key) as any

/** A service key named `key` for values of type `Shape`. @internal */
export const GenericTag = <Shape>(key: string): Context.Key<Shape, Shape> => Context.Service<Shape>(key)
