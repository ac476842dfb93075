/**
 * `safeDecode` (internal/redact.ts), which reads a query parameter's name
 * before the sensitive-name check, returns a name with no `%` and no `+` as
 * it is: the same answer as decoding it, for every string (fast-check,
 * fixed seed), and decoding still happens where there is something to decode.
 */
import { describe, expect, it } from "@effect/vitest"
import * as FC from "effect/FastCheck"
import { safeDecode } from "../src/internal/redact.js"

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
