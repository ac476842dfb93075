/**
 * `effect/Schema` for the Effect 3 line: the shared source is written in
 * this spelling, so this line's seam is the module itself (see
 * docs/design.md, "Two Effect lines"), with one change: `TaggedError`
 * classes build an instance told to skip validation (`new E(props, true)`,
 * what every error on the request path does) in one step (see
 * {@link TaggedError}).
 *
 * @internal
 */
import * as Schema from "effect/Schema"

export * from "effect/Schema"

/** The key under which Effect's `Data.Error` keeps the props it was built with (its `toJSON` spreads them). */
const plainArgs = Symbol.for("effect/Data/Error/plainArgs")

type Defaults = ReadonlyArray<readonly [PropertyKey, () => unknown]>

/** The fields with a constructor default (`_tag`'s among them), in field order: what Schema's constructor fills in. */
const defaultsOf = (fields: Schema.Struct.Fields): Defaults => {
  const out: Array<readonly [PropertyKey, () => unknown]> = []
  for (const key of Reflect.ownKeys(fields)) {
    const field = fields[key as string]
    if (!Schema.isPropertySignature(field)) continue
    const ast = field.ast
    const value = ast._tag === "PropertySignatureDeclaration" ? ast.defaultValue : ast.to.defaultValue
    if (value !== undefined) out.push([key, value])
  }
  return out
}

/**
 * The second argument of a `TaggedError` constructor for props that the
 * constructor may keep: a fresh object its caller built for this instance
 * and does not touch again. Like `true` (no validation), and the object
 * itself becomes the props the instance keeps for `toJSON`, instead of a
 * copy. Internal: only steadfast's own builders pass it.
 *
 * @internal
 */
export const ownedProps: { readonly disableValidation: true } = Object.freeze({ disableValidation: true as const })

const skipsValidation = (options: unknown): boolean =>
  options === true ||
  (typeof options === "object" && options !== null &&
    (options as { readonly disableValidation?: unknown }).disableValidation === true)

/**
 * `Schema.TaggedError`, whose instances built without validation
 * (`new E(props, true)`) skip the generic steps of Schema's class
 * constructor: the field defaults are looked up once per class instead of
 * scanning every field schema on each construction, and the instance is the
 * `Error` built for the class directly, instead of through the four
 * constructors between it and `Error`. What it holds is what those
 * constructors make — the same prototype, own properties in the same order
 * (the props without `_tag`, the defaults, `_tag` last), `cause` handed to
 * `Error` (so not enumerable), the props kept for `toJSON` — so `instanceof`,
 * `Equal`, `toJSON`, `util.inspect` and the Schema API are unchanged, and
 * with validation the class's own constructor runs as before. Only the
 * stack's frames differ: those of the skipped constructors are not in it.
 * With {@link ownedProps}, the props object is kept as it is, not copied.
 *
 * @internal
 */
export const TaggedError: typeof Schema.TaggedError = ((identifier?: string) =>
(
  tag: string,
  fieldsOr: Schema.Struct.Fields,
  annotations?: unknown
) => {
  const Base = (Schema.TaggedError as any)(identifier)(tag, fieldsOr, annotations) as
    & (new(props: any, options?: unknown) => object)
    & { readonly fields: Schema.Struct.Fields }
  let defaults: Defaults | undefined
  return class extends Base {
    constructor(props: any, options?: unknown) {
      if (!skipsValidation(options)) {
        super(props, options)
        return
      }
      // `Object.assign`, not a spread: V8 adds `_tag` to a spread's copy on a slow path (~10x the copy)
      const args: Record<PropertyKey, unknown> = options === ownedProps ? props : Object.assign({}, props)
      if (Object.hasOwn(args, "_tag")) delete args["_tag"]
      for (const [key, value] of defaults ??= defaultsOf(Base.fields)) {
        if (args[key] === undefined) args[key] = value()
      }
      const cause = args["cause"]
      // what `Data.Error`'s constructor does, on the `Error` made for this class (`new.target`)
      const self = Reflect.construct(globalThis.Error, [args["message"], cause ? { cause } : undefined], new.target)
      Object.assign(self, args)
      Object.defineProperty(self, plainArgs, { value: args, enumerable: false })
      return self
    }
  }
}) as any
