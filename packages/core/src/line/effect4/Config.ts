/**
 * `effect/Config` for the Effect 4 line (schema-based there), with the
 * constructors the shared source uses in their Effect 3 spelling: `string`,
 * `number`, `integer`, `boolean`, `duration`, `redacted`, `url` (Effect 4:
 * `String`, `Number`, `Int`, ...), `literal(...values)(name)` (`Literals`)
 * and `mapOrFail` (an `Either` of `#line/Either`, over `mapEffect`). See
 * docs/design.md, "Two Effect lines".
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import type * as SchemaAST from "effect/SchemaAST"

import * as ConfigErrors from "./ConfigError.js"
import type * as ConfigError from "./ConfigError.js"
import * as Either from "./Either.js"

export * from "effect/Config"

// the name a config reads, for the message of a failure `mapOrFail` makes
// (Effect 3 puts the path in the error; Effect 4's `mapEffect` does not)
const names = new WeakMap<Config.Config<unknown>, string>()

const named = <A>(config: Config.Config<A>, name: string | undefined): Config.Config<A> => {
  if (name !== undefined) names.set(config, name)
  return config
}

/** @internal */
export const string = (name?: string): Config.Config<string> => named(Config.String(name), name)

/** @internal */
export const number = (name?: string): Config.Config<number> => Config.Number(name)

/** @internal */
export const integer = (name?: string): Config.Config<number> => Config.Int(name)

/** @internal */
export const boolean = (name?: string): Config.Config<boolean> => Config.Boolean(name)

/** @internal */
export const duration = (name?: string) => Config.Duration(name)

/** @internal */
export const redacted = (name?: string) => Config.Redacted(name)

/** @internal */
export const url = (name?: string): Config.Config<URL> => Config.URL(name)

/** @internal */
export const literal =
  <const L extends ReadonlyArray<SchemaAST.LiteralValue>>(...literals: L) =>
  (name?: string): Config.Config<L[number]> => Config.Literals(literals, name)

/** @internal */
export const mapOrFail =
  <A, B>(f: (a: A) => Either.Either<B, ConfigError.ConfigError>) => (self: Config.Config<A>): Config.Config<B> => {
    const name = names.get(self)
    return Config.mapEffect(self, (a) => {
      const result = f(a)
      return name === undefined || result._tag === "Right"
        ? Either.toEffect(result)
        : Effect.fail(ConfigErrors.InvalidData([name], result.left.cause.message))
    })
  }
