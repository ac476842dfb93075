/**
 * An error built without validation (`new E(props, true)`, what the request
 * path does on every failed attempt) takes the seam's short constructor
 * (`#line/Schema`'s `TaggedError`); built with validation it runs Schema's
 * own. Both must give the same error: prototype, own properties and their
 * order, `toJSON`, `util.inspect`, `Equal`, `Hash` and the Schema round trip.
 * So must one built from props it may keep (`builtSafe`, the client's
 * `StatusError`: the props object is kept, not copied).
 */
import { describe, it } from "@effect/vitest"
import { assertTrue, deepStrictEqual, strictEqual } from "@effect/vitest/utils"
import { Errors } from "@steadfast/core"
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import * as Schema from "effect/Schema"
import * as util from "node:util"
import { builtSafe } from "../src/internal/taggedError.js"
import { withoutStack as stackless } from "../src/internal/transport.js"

const request = { method: "GET", url: "https://api.test/v1/items" }
const history: ReadonlyArray<Errors.AttemptRecord> = [
  { attempt: 1, tag: "StatusError", status: 503, delayMs: 120, elapsedMs: 3, decision: "retry", reason: "policy" },
  { attempt: 2, tag: "ConnectionReset", delayMs: 0, elapsedMs: 130, phase: "written", decision: "give-up" }
]
const common = { request, attempts: 2, history }

const foreign = () => Object.assign(new Error("socket hang up"), { code: "ECONNRESET", syscall: "read" })

/** Each row: a class and the props it is built from (every kind of field: optional, literal, array, record, cause). */
const cases: ReadonlyArray<readonly [string, new(props: any, options?: any) => Errors.HttpError, () => object]> = [
  ["StatusError", Errors.StatusError, () => ({
    ...common,
    status: 503,
    headers: { "retry-after": "2", "content-type": "application/json" },
    retryAfterMs: 2000,
    body: "{\"error\":\"unavailable\"}"
  })],
  ["StatusError without optional fields", Errors.StatusError, () => ({ ...common, status: 500, headers: {} })],
  ["ConnectionReset with a foreign cause", Errors.ConnectionReset, () => ({
    ...common,
    code: "ECONNRESET",
    phase: "before-response",
    requestSent: true,
    cause: foreign()
  })],
  ["DnsError with queries", Errors.DnsError, () => ({
    ...common,
    hostname: "api.test",
    code: "ENOTFOUND",
    temporary: false,
    queries: [{ name: "api.test", type: "A/AAAA", code: "ENOTFOUND" }]
  })],
  ["DeadlineExceeded, the budget refused", Errors.DeadlineExceeded, () => ({
    ...common,
    deadlineMs: 120_000,
    lastError: "ResponseTimeout",
    retryRefused: "budget"
  })],
  ["TooManyRedirects", Errors.TooManyRedirects, () => ({
    ...common,
    max: 2,
    chain: ["https://api.test/a", "https://api.test/b"],
    loop: true
  })],
  ["RedirectBlocked", Errors.RedirectBlocked, () => ({
    ...common,
    location: "http://api.test/",
    reason: "downgrade"
  })],
  ["PoolTimeout", Errors.PoolTimeout, () => ({
    ...common,
    timeoutMs: 30_000,
    origin: "https://api.test",
    inUse: 4,
    limit: 4,
    waiting: 9,
    requestSent: false
  })],
  ["a props object that carries _tag (a copy of an error)", Errors.ResponseTimeout, () => ({
    _tag: "ResponseTimeout",
    ...common,
    timeoutMs: 1000
  })]
]

/**
 * The class Schema's `TaggedError` made, above the seam's (Effect 3 names it
 * `TaggedErrorClass`): building with it and `new.target` the error class is
 * Schema's own constructor without validation, the reference.
 */
const schemaClassOf = (Ctor: { readonly name: string }): new(...args: Array<any>) => object => {
  for (let k = Object.getPrototypeOf(Ctor); k !== Function.prototype; k = Object.getPrototypeOf(k)) {
    if (k.name === "TaggedErrorClass") return k
  }
  throw new Error(`no Schema TaggedErrorClass above ${Ctor.name}`)
}

/**
 * Built the three ways, stackless (a stack's frames name the constructors,
 * which differ by design). The props are made safe first (the cause
 * summarised by a first build), so the steadfast layer above the seam keeps
 * them as they are and the reference, which skips that layer, sees the same.
 */
const build = (Ctor: new(props: any, options?: any) => Errors.HttpError, raw: object) =>
  stackless(() => {
    const first = new Ctor(raw, true)
    const props = "cause" in raw ? { ...raw, cause: first.cause } : raw
    return {
      fast: new Ctor(props, true),
      // a fresh copy: the constructor keeps this object as the instance's props
      owned: new Ctor({ ...props }, builtSafe),
      unchecked: new Ctor(props, { disableValidation: true }),
      reference: Reflect.construct(schemaClassOf(Ctor), [props, true], Ctor) as Errors.HttpError,
      checked: new Ctor(props)
    }
  })

const descriptors = (e: object) =>
  Reflect.ownKeys(e).map((key) => {
    const d = Object.getOwnPropertyDescriptor(e, key)!
    return [key, d.enumerable, d.writable, d.get !== undefined, key === "stack" ? "" : d.value] as const
  })

describe("Errors: built without validation", () => {
  it.each(cases)("%s: the same prototype, own properties in the same order, the same values", (_, Ctor, props) => {
    const { fast, owned, reference, unchecked } = build(Ctor, props())
    strictEqual(Object.getPrototypeOf(fast), Ctor.prototype)
    strictEqual(Object.getPrototypeOf(owned), Ctor.prototype)
    assertTrue(fast instanceof Ctor && fast instanceof Error && Errors.isHttpError(fast))
    deepStrictEqual(descriptors(fast), descriptors(reference))
    deepStrictEqual(descriptors(unchecked), descriptors(reference))
    deepStrictEqual(descriptors(owned), descriptors(reference))
    strictEqual(fast.stack, reference.stack)
    strictEqual(owned.stack, reference.stack)
  })

  it.each(cases)("%s: the same message, toJSON and util.inspect", (_, Ctor, props) => {
    const { checked, fast, owned, reference } = build(Ctor, props())
    for (const built of [fast, owned]) {
      strictEqual(JSON.stringify(built), JSON.stringify(reference))
      strictEqual(util.inspect(built, { depth: 8 }), util.inspect(reference, { depth: 8 }))
    }
    strictEqual(owned.message, reference.message)
    strictEqual(fast.message, reference.message)
    strictEqual(fast.name, reference.name)
    strictEqual(String(fast), String(reference))
    deepStrictEqual(fast.toJSON(), reference.toJSON())
    strictEqual(JSON.stringify(fast), JSON.stringify(reference))
    strictEqual(util.inspect(fast, { depth: 8 }), util.inspect(reference, { depth: 8 }))
    // validation copies the props into field order; what they hold is the same
    deepStrictEqual(fast.toJSON(), checked.toJSON())
  })

  it.each(cases)("%s: Equal and Hash hold between the two", (_, Ctor, props) => {
    const { fast, owned, reference } = build(Ctor, props())
    assertTrue(Equal.equals(fast, reference))
    assertTrue(Equal.equals(owned, reference))
    strictEqual(Hash.hash(fast), Hash.hash(reference))
    strictEqual(Hash.hash(owned), Hash.hash(reference))
  })

  it.each(cases)("%s: the Schema round trip gives it back", (_, Ctor, props) => {
    const { fast, reference } = build(Ctor, props())
    const schema = Ctor as unknown as Schema.Schema<Errors.HttpError, unknown>
    assertTrue(Schema.is(schema)(fast))
    const encoded = Schema.encodeSync(schema)(fast)
    deepStrictEqual(encoded, Schema.encodeSync(schema)(reference))
    const decoded = Schema.decodeUnknownSync(schema)(encoded)
    assertTrue(decoded instanceof Ctor)
    strictEqual(decoded.message, fast.message)
    deepStrictEqual(Schema.encodeSync(schema)(decoded), encoded)
  })

  it("validation still runs when it is asked for", () => {
    let thrown: unknown
    try {
      new Errors.StatusError({ ...common, status: "503", headers: {} } as any)
    } catch (e) {
      thrown = e
    }
    assertTrue(thrown instanceof Error && /status/.test(thrown.message))
  })
})
