/**
 * `effect/Layer` for the Effect 4 line, with the names the shared source uses
 * in their Effect 3 spelling: `scoped` (Effect 4: `effect`, whose scope is
 * the layer's) and `unwrapEffect` (`unwrap`), `setConfigProvider` (`ConfigProvider.layer`). See docs/design.md, "Two Effect
 * lines".
 *
 * @internal
 */
import * as ConfigProvider from "effect/ConfigProvider"
import * as Layer from "effect/Layer"

export * from "effect/Layer"

/** @internal */
export const scoped: typeof Layer.effect = Layer.effect

/** @internal */
export const unwrapEffect: typeof Layer.unwrap = Layer.unwrap

/** A layer that makes `provider` the config provider. @internal */
export const setConfigProvider = (provider: ConfigProvider.ConfigProvider): Layer.Layer<never> =>
  ConfigProvider.layer(provider)
