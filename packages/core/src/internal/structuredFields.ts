/**
 * A parser for Structured Field Lists (RFC 9651, which obsoletes RFC 8941):
 * the syntax of the IETF `RateLimit` and `RateLimit-Policy` fields. Pure: no
 * Effect runtime. A value that does not parse gives `undefined`, and the
 * caller ignores the whole field, as the RFC asks.
 *
 * @internal
 */

/** A bare item: integer or decimal, string, token, byte sequence (kept as its base64 text), boolean, date. */
export type BareItem =
  | { readonly _tag: "Number"; readonly value: number; readonly integer: boolean }
  | { readonly _tag: "String"; readonly value: string }
  | { readonly _tag: "Token"; readonly value: string }
  | { readonly _tag: "Bytes"; readonly value: string }
  | { readonly _tag: "Boolean"; readonly value: boolean }
  | { readonly _tag: "Date"; readonly value: number }

/** @internal */
export interface Item {
  readonly _tag: "Item"
  readonly value: BareItem
  readonly params: ReadonlyMap<string, BareItem>
}

/** @internal */
export interface InnerList {
  readonly _tag: "InnerList"
  readonly items: ReadonlyArray<Item>
  readonly params: ReadonlyMap<string, BareItem>
}

class Cursor {
  i = 0
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.i >= this.s.length
  }
  /** The current character ("" at the end); a getter, so TypeScript does not narrow it across moves. */
  get ch(): string {
    return this.s[this.i] ?? ""
  }
  peek(): string {
    return this.s[this.i] ?? ""
  }
}

class Malformed {}
const malformed = new Malformed()
const fail = (): never => {
  throw malformed
}

const isDigit = (c: string) => c >= "0" && c <= "9"
const isAlpha = (c: string) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
const isLcAlpha = (c: string) => c >= "a" && c <= "z"
const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/
const BASE64 = /^[A-Za-z0-9+/=]$/

const parseNumber = (c: Cursor): BareItem => {
  let sign = 1
  if (c.ch === "-") {
    sign = -1
    c.i++
  }
  if (!isDigit(c.ch)) fail()
  const start = c.i
  let integer = true
  let dot = -1
  while (!c.done) {
    const ch = c.ch
    if (isDigit(ch)) c.i++
    else if (ch === "." && integer) {
      if (c.i - start > 12) fail()
      integer = false
      dot = c.i
      c.i++
    } else break
    if (integer && c.i - start > 15) fail()
    if (!integer && c.i - start > 16) fail()
  }
  const text = c.s.slice(start, c.i)
  if (!integer) {
    const fraction = c.i - dot - 1
    if (fraction < 1 || fraction > 3) fail()
  }
  return { _tag: "Number", value: sign * Number(text), integer }
}

const parseString = (c: Cursor): BareItem => {
  c.i++ // opening quote
  let out = ""
  while (!c.done) {
    const ch = c.ch
    c.i++
    if (ch === "\\") {
      const next = c.ch
      if (next !== "\"" && next !== "\\") fail()
      out += next
      c.i++
    } else if (ch === "\"") {
      return { _tag: "String", value: out }
    } else {
      const code = ch.charCodeAt(0)
      if (code < 0x20 || code > 0x7e) fail()
      out += ch
    }
  }
  return fail()
}

const parseToken = (c: Cursor): BareItem => {
  const start = c.i
  c.i++
  while (!c.done && (TCHAR.test(c.ch) || c.ch === ":" || c.ch === "/")) c.i++
  return { _tag: "Token", value: c.s.slice(start, c.i) }
}

const parseBytes = (c: Cursor): BareItem => {
  c.i++
  const start = c.i
  while (!c.done && c.ch !== ":") {
    if (!BASE64.test(c.ch)) fail()
    c.i++
  }
  if (c.done) fail()
  const value = c.s.slice(start, c.i)
  c.i++
  return { _tag: "Bytes", value }
}

const parseBareItem = (c: Cursor): BareItem => {
  const ch = c.ch
  if (ch === "-" || isDigit(ch)) return parseNumber(c)
  if (ch === "\"") return parseString(c)
  if (ch === "*" || isAlpha(ch)) return parseToken(c)
  if (ch === ":") return parseBytes(c)
  if (ch === "?") {
    const v = c.s[c.i + 1]
    if (v !== "0" && v !== "1") fail()
    c.i += 2
    return { _tag: "Boolean", value: v === "1" }
  }
  if (ch === "@") {
    c.i++
    const n = parseNumber(c)
    if (n._tag !== "Number" || !n.integer) fail()
    return { _tag: "Date", value: (n as { readonly value: number }).value }
  }
  return fail()
}

const parseKey = (c: Cursor): string => {
  if (!(isLcAlpha(c.ch) || c.ch === "*")) fail()
  const start = c.i
  while (!c.done && (isLcAlpha(c.ch) || isDigit(c.ch) || "_-.*".includes(c.ch))) c.i++
  return c.s.slice(start, c.i)
}

const parseParams = (c: Cursor): ReadonlyMap<string, BareItem> => {
  const params = new Map<string, BareItem>()
  while (c.peek() === ";") {
    c.i++
    while (c.peek() === " ") c.i++
    const key = parseKey(c)
    let value: BareItem = { _tag: "Boolean", value: true }
    if (c.peek() === "=") {
      c.i++
      value = parseBareItem(c)
    }
    params.set(key, value)
  }
  return params
}

const parseItem = (c: Cursor): Item => {
  const value = parseBareItem(c)
  return { _tag: "Item", value, params: parseParams(c) }
}

const parseInnerList = (c: Cursor): InnerList => {
  c.i++
  const items: Array<Item> = []
  while (!c.done) {
    while (c.ch === " ") c.i++
    if (c.ch === ")") {
      c.i++
      return { _tag: "InnerList", items, params: parseParams(c) }
    }
    items.push(parseItem(c))
    if (c.ch !== " " && c.ch !== ")") fail()
  }
  return fail()
}

/**
 * Parses a List; `undefined` when the value is not a valid List (the field
 * is then ignored whole). An empty or blank value is an empty list.
 *
 * @internal
 */
export const parseList = (value: string): ReadonlyArray<Item | InnerList> | undefined => {
  const c = new Cursor(value)
  while (c.ch === " " || c.ch === "\t") c.i++
  const members: Array<Item | InnerList> = []
  try {
    while (!c.done) {
      members.push(c.ch === "(" ? parseInnerList(c) : parseItem(c))
      while (c.ch === " " || c.ch === "\t") c.i++
      if (c.done) return members
      if (c.ch !== ",") fail()
      c.i++
      while (c.ch === " " || c.ch === "\t") c.i++
      if (c.done) fail() // a trailing comma
    }
    return members
  } catch (e) {
    if (e === malformed) return undefined
    throw e
  }
}
