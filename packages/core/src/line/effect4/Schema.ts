/**
 * `effect/Schema` for the Effect 4 line, with the few names the shared
 * source uses in their Effect 3 spelling (see docs/design.md, "Two Effect
 * lines"):
 *
 * - `Literal` and `Union` take their members as arguments (Effect 4: one
 *   array, and `Literals` for several literals);
 * - `Record` takes `{ key, value }` (Effect 4: two arguments);
 * - `Defect` is a schema (Effect 4: a function returning one);
 * - `Schema<A, I, R>` is a codec (Effect 4: `Codec<A, I, R>`; `Schema<T>`
 *   has the type only) and `decodeUnknown` its effectful decoder
 *   (`decodeUnknownEffect`);
 * - a `TaggedError` class takes `true` as its second constructor argument to
 *   skip the checks (Effect 4: `{ disableChecks: true }`) and has its tag as
 *   a static `_tag`, and `TaggedErrorClass` names such a class.
 *
 * @internal
 */
import type * as Cause from "effect/Cause"
import * as S from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"

export * from "effect/Schema"

/** @internal */
export const Literal = <const L extends ReadonlyArray<SchemaAST.LiteralValue>>(
  ...literals: L
): S.Literals<L> => S.Literals(literals)

/** @internal */
export const Union = <const Members extends ReadonlyArray<S.Constraint>>(
  ...members: Members
): S.Union<Members> => S.Union(members)

/** @internal */
export const Record = <Key extends S.Record.Key, Value extends S.Constraint>(
  options: { readonly key: Key; readonly value: Value }
): S.$Record<Key, Value> => S.Record(options.key, options.value)

/** @internal */
export const Defect: S.Defect = S.Defect()

/** @internal */
export type TaggedErrorClass<Self, _Tag extends string, Fields extends S.Struct.Fields> =
  & Omit<S.Class<Self, S.Struct<Fields>, Cause.YieldableError>, never>
  & {
    new(
      props: S.Struct<Fields>["~type.make.in"],
      disableValidation?: boolean
    ): S.Struct<Fields>["Type"] & Cause.YieldableError
  }

/**
 * The second argument of a `TaggedError` constructor for props that the
 * constructor may keep (a fresh object built for this instance): on this
 * line, the same as `true` (Effect 3's seam keeps the object instead of
 * copying it).
 *
 * @internal
 */
export const ownedProps: { readonly disableValidation: true } = Object.freeze({ disableValidation: true as const })

const checksOff: S.MakeOptions = { disableChecks: true }

const makeOptions = (options: unknown): S.MakeOptions | undefined =>
  options === true || options === ownedProps
    ? checksOff
    : options === false
    ? undefined
    : options as S.MakeOptions

/** @internal */
export const TaggedError: <Self>(
  identifier?: string
) => <Tag extends string, const Fields extends S.Struct.Fields>(
  tag: Tag,
  fields: Fields
) => TaggedErrorClass<Self, Tag, { readonly _tag: S.tag<Tag> } & Fields> =
  ((identifier?: string) => (tag: string, fields: any) => {
    const Base = (S.TaggedError(identifier) as any)(tag, fields) as new(props: any, options?: any) => object
    return class extends Base {
      static readonly _tag = tag
      constructor(props: any, options?: unknown) {
        super(props, makeOptions(options))
      }
    }
  }) as any

/** @internal */
export type Schema<A, I = A, R = never> = S.Codec<A, I, R>

/** @internal */
export declare namespace Schema {
  /** @internal */
  export type Type<X> = S.Schema.Type<X>
}

/** @internal */
export const decodeUnknown = <A, I, R>(schema: Schema<A, I, R>) => S.decodeUnknownEffect(schema)
