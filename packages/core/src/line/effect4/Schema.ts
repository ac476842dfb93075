/**
 * `effect/Schema` for the Effect 4 line, with the few names the shared
 * source uses in their Effect 3 spelling (see docs/design.md, "Two Effect
 * lines"):
 *
 * - `Literal` and `Union` take their members as arguments (Effect 4: one
 *   array, and `Literals` for several literals);
 * - `Record` takes `{ key, value }` (Effect 4: two arguments);
 * - `Defect` is a schema (Effect 4: a function returning one);
 * - a `TaggedError` class takes `true` as its second constructor argument to
 *   skip the checks (Effect 4: `{ disableChecks: true }`) and has its tag as
 *   a static `_tag`, and `TaggedErrorClass` names such a class.
 *
 * @internal
 */
import type * as Cause from "effect/Cause"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"

export * from "effect/Schema"

/** @internal */
export const Literal = <const L extends ReadonlyArray<SchemaAST.LiteralValue>>(
  ...literals: L
): Schema.Literals<L> => Schema.Literals(literals)

/** @internal */
export const Union = <const Members extends ReadonlyArray<Schema.Constraint>>(
  ...members: Members
): Schema.Union<Members> => Schema.Union(members)

/** @internal */
export const Record = <Key extends Schema.Record.Key, Value extends Schema.Constraint>(
  options: { readonly key: Key; readonly value: Value }
): Schema.$Record<Key, Value> => Schema.Record(options.key, options.value)

/** @internal */
export const Defect: Schema.Defect = Schema.Defect()

/** @internal */
export type TaggedErrorClass<Self, _Tag extends string, Fields extends Schema.Struct.Fields> =
  & Omit<Schema.Class<Self, Schema.Struct<Fields>, Cause.YieldableError>, never>
  & {
    new(
      props: Schema.Struct<Fields>["~type.make.in"],
      disableValidation?: boolean
    ): Schema.Struct<Fields>["Type"] & Cause.YieldableError
  }

const makeOptions = (options: unknown): Schema.MakeOptions | undefined =>
  options === true ? { disableChecks: true } : options === false ? undefined : options as Schema.MakeOptions

/** @internal */
export const TaggedError: <Self>(
  identifier?: string
) => <Tag extends string, const Fields extends Schema.Struct.Fields>(
  tag: Tag,
  fields: Fields
) => TaggedErrorClass<Self, Tag, { readonly _tag: Schema.tag<Tag> } & Fields> =
  ((identifier?: string) => (tag: string, fields: any) => {
    const Base = (Schema.TaggedError(identifier) as any)(tag, fields) as new(props: any, options?: any) => object
    return class extends Base {
      static readonly _tag = tag
      constructor(props: any, options?: unknown) {
        super(props, makeOptions(options))
      }
    }
  }) as any
