/**
 * The shortcuts of the query redaction (internal/redact.ts), each checked
 * against the full version for every input (fast-check, fixed seed):
 * `safeDecode`, which reads a query parameter's name before the
 * sensitive-name check, returns a name with no `%` and no `+` as it is, and
 * decoding still happens where there is something to decode; `redactPairs`
 * returns a query without a sensitive pair as it is, unsplit; and
 * `isSensitiveParam`'s answers, remembered per name, stay those of its
 * patterns.
 */
import { describe, expect, it } from "@effect/vitest"
import * as FC from "effect/FastCheck"
import {
  isSensitiveParam,
  matchesSensitiveParam,
  redactEachPair,
  REDACTED,
  redactPairs,
  safeDecode
} from "../src/internal/redact.js"

/** The full decode, as it was before the shortcut. */
const decodeAlways = (text: string): string => {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "))
  } catch {
    return text
  }
}

const nameChars = FC.constantFrom("a", "k", "T", "_", "-", ".", "%", "+", "2", "0", "F", "é", " ", "~")

describe("safeDecode", () => {
  it("gives what the full decode gives, for any string", () => {
    FC.assert(
      FC.property(
        FC.oneof(FC.string(), FC.array(nameChars, { maxLength: 12 }).map((chars) => chars.join(""))),
        (text) => {
          expect(safeDecode(text)).toBe(decodeAlways(text))
        }
      ),
      { seed: 1616, numRuns: 5000 }
    )
  })

  it("decodes escapes and plus signs, and keeps what does not decode", () => {
    expect(safeDecode("api%5Fkey")).toBe("api_key")
    expect(safeDecode("access+token")).toBe("access token")
    expect(safeDecode("bad%E0%A4%A")).toBe("bad%E0%A4%A")
    expect(safeDecode("plain")).toBe("plain")
  })
})

/** Query pieces: sensitive names (plain, escaped, with `+`), plain ones, and the separators. */
const queryPiece = FC.constantFrom(
  "token",
  "access_token",
  "api%5Fkey",
  "client+secret",
  "sig",
  "code",
  "k",
  "page",
  "q",
  "=",
  "&",
  "&&",
  "==",
  "1",
  "abc",
  "%",
  "+",
  "é"
)

describe("redactPairs", () => {
  it("gives what splitting every pair gives, for any query", () => {
    FC.assert(
      FC.property(
        FC.oneof(FC.string(), FC.array(queryPiece, { maxLength: 16 }).map((pieces) => pieces.join(""))),
        (text) => {
          expect(redactPairs(text)).toBe(redactEachPair(text))
        }
      ),
      { seed: 1617, numRuns: 5000 }
    )
  })

  it("redacts sensitive pairs and keeps a query without one as it is", () => {
    expect(redactPairs("k=1&access_token=abc&page=2")).toBe(`k=1&access_token=${REDACTED}&page=2`)
    expect(redactPairs("api%5Fkey=abc")).toBe(`api%5Fkey=${REDACTED}`)
    const plain = "k=12&page=2"
    expect(redactPairs(plain)).toBe(plain)
  })
})

describe("isSensitiveParam", () => {
  it("answers as its patterns do, the first time and the next", () => {
    const names = FC.oneof(FC.string({ maxLength: 80 }), FC.array(queryPiece, { maxLength: 4 }).map((p) => p.join("")))
    FC.assert(
      FC.property(names, (name) => {
        expect(isSensitiveParam(name)).toBe(matchesSensitiveParam(name))
        expect(isSensitiveParam(name)).toBe(matchesSensitiveParam(name))
      }),
      { seed: 1618, numRuns: 3000 }
    )
  })
})
