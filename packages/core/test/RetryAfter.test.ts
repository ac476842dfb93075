import { describe, it } from "@effect/vitest"
import { strictEqual } from "@effect/vitest/utils"
import { RetryAfter } from "@steadfast/core"

// Sunday, 15 June 2025, 12:00:00 GMT
const NOW = Date.UTC(2025, 5, 15, 12, 0, 0)
// RFC 9110's example instant, Sun, 06 Nov 1994 08:49:37 GMT
const RFC_EXAMPLE = Date.UTC(1994, 10, 6, 8, 49, 37)

describe("RetryAfter", () => {
  describe("parse: delta-seconds", () => {
    it.each([
      { value: "0", ms: 0 },
      { value: "1", ms: 1_000 },
      { value: "120", ms: 120_000 },
      { value: "007", ms: 7_000 },
      { value: " 5 ", ms: 5_000 },
      { value: "\t30\r\n", ms: 30_000 },
      { value: "86400", ms: 86_400_000 },
      { value: "9999999999", ms: 9_999_999_999_000 }
    ])("$value is $ms ms", ({ ms, value }) => {
      strictEqual(RetryAfter.parse(value, NOW), ms)
    })

    it("does not depend on now", () => {
      strictEqual(RetryAfter.parse("120", 0), 120_000)
      strictEqual(RetryAfter.parse("120", NOW), 120_000)
    })
  })

  describe("parse: HTTP-dates", () => {
    it.each([
      { format: "IMF-fixdate", value: "Sun, 15 Jun 2025 12:00:30 GMT", ms: 30_000 },
      { format: "IMF-fixdate, a day later", value: "Mon, 16 Jun 2025 12:00:00 GMT", ms: 86_400_000 },
      { format: "IMF-fixdate with surrounding whitespace", value: "  Sun, 15 Jun 2025 12:00:30 GMT \t", ms: 30_000 },
      { format: "RFC 850", value: "Sunday, 15-Jun-25 12:00:30 GMT", ms: 30_000 },
      { format: "RFC 850 with the longest day name", value: "Wednesday, 18-Jun-25 12:00:00 GMT", ms: 3 * 86_400_000 },
      { format: "asctime, two-digit day", value: "Sun Jun 15 12:00:30 2025", ms: 30_000 },
      {
        format: "asctime, single-digit day padded with a space",
        value: "Tue Jul  1 12:00:00 2025",
        ms: 16 * 86_400_000
      }
    ])("$format: $value", ({ ms, value }) => {
      strictEqual(RetryAfter.parse(value, NOW), ms)
    })

    it.each([
      { when: "exactly now", value: "Sun, 15 Jun 2025 12:00:00 GMT" },
      { when: "one second ago", value: "Sun, 15 Jun 2025 11:59:59 GMT" },
      { when: "RFC 9110's example date, long past", value: "Sun, 06 Nov 1994 08:49:37 GMT" },
      { when: "in the past, RFC 850", value: "Saturday, 14-Jun-25 12:00:00 GMT" },
      { when: "in the past, asctime", value: "Sat Jun 14 12:00:00 2025" }
    ])("a date $when gives 0", ({ value }) => {
      strictEqual(RetryAfter.parse(value, NOW), 0)
    })

    it.each([
      { value: "Sun, 15 jun 2025 12:00:30 GMT" },
      { value: "Sun, 15 JUN 2025 12:00:30 GMT" }
    ])("accepts the month name in any case: $value", ({ value }) => {
      strictEqual(RetryAfter.parse(value, NOW), 30_000)
    })

    it("does not check the day name against the date (Mon for a Sunday)", () => {
      strictEqual(RetryAfter.parse("Mon, 15 Jun 2025 12:00:30 GMT", NOW), 30_000)
    })

    it("accepts 29 February in a leap year", () => {
      strictEqual(RetryAfter.parseHttpDate("Tue, 29 Feb 2028 00:00:00 GMT", NOW), Date.UTC(2028, 1, 29))
    })
  })

  describe("parseHttpDate: RFC 9110's three forms of the same instant", () => {
    it.each([
      { format: "IMF-fixdate", value: "Sun, 06 Nov 1994 08:49:37 GMT" },
      { format: "RFC 850", value: "Sunday, 06-Nov-94 08:49:37 GMT" },
      { format: "asctime", value: "Sun Nov  6 08:49:37 1994" }
    ])("$format: $value", ({ value }) => {
      strictEqual(RetryAfter.parseHttpDate(value, NOW), RFC_EXAMPLE)
    })
  })

  describe("parseHttpDate: RFC 850 two-digit years (more than 50 years ahead of now means the previous century)", () => {
    it.each([
      { now: 2025, yy: "25", year: 2025 },
      { now: 2025, yy: "30", year: 2030 },
      { now: 2025, yy: "74", year: 2074 },
      { now: 2025, yy: "76", year: 1976 },
      { now: 2025, yy: "94", year: 1994 },
      { now: 2025, yy: "00", year: 2000 },
      { now: 2000, yy: "50", year: 2050 },
      { now: 2000, yy: "51", year: 1951 },
      { now: 2060, yy: "99", year: 2099 },
      { now: 2060, yy: "20", year: 2020 }
    ])("in $now, -$yy is $year", ({ now, year, yy }) => {
      // the day name is not checked, so one name serves every year
      strictEqual(
        RetryAfter.parseHttpDate(`Monday, 01-Jan-${yy} 00:00:00 GMT`, Date.UTC(now, 5, 1)),
        Date.UTC(year, 0, 1)
      )
    })
  })

  describe("parse: values that are ignored", () => {
    it("undefined (no header) gives undefined", () => {
      strictEqual(RetryAfter.parse(undefined, NOW), undefined)
    })

    it.each([
      { why: "empty", value: "" },
      { why: "blank", value: "   " },
      { why: "negative", value: "-1" },
      { why: "signed", value: "+5" },
      { why: "decimal", value: "1.5" },
      { why: "exponent", value: "1e3" },
      { why: "hexadecimal", value: "0x10" },
      { why: "with a unit", value: "5 s" },
      { why: "two numbers", value: "5 6" },
      { why: "a word", value: "soon" },
      { why: "ISO 8601", value: "2025-06-15T12:00:30Z" },
      { why: "IMF-fixdate in another zone", value: "Sun, 15 Jun 2025 12:00:30 UTC" },
      { why: "IMF-fixdate with lower-case gmt", value: "Sun, 15 Jun 2025 12:00:30 gmt" },
      { why: "IMF-fixdate with a long day name", value: "Sunday, 15 Jun 2025 12:00:30 GMT" },
      { why: "IMF-fixdate with a one-digit day", value: "Sun, 5 Jun 2025 12:00:30 GMT" },
      { why: "IMF-fixdate with a two-digit year", value: "Sun, 15 Jun 25 12:00:30 GMT" },
      { why: "IMF-fixdate with a long month name", value: "Sun, 15 June 2025 12:00:30 GMT" },
      { why: "IMF-fixdate without seconds", value: "Sun, 15 Jun 2025 12:00 GMT" },
      { why: "IMF-fixdate without a comma", value: "Sun 15 Jun 2025 12:00:30 GMT" },
      { why: "RFC 850 with a short day name", value: "Sun, 15-Jun-25 12:00:30 GMT" },
      { why: "RFC 850 with a four-digit year", value: "Sunday, 15-Jun-2025 12:00:30 GMT" },
      { why: "asctime with a one-digit day not padded", value: "Sun Jun 1 12:00:30 2025" },
      { why: "an unknown month", value: "Sun, 15 Jux 2025 12:00:30 GMT" },
      { why: "31 February", value: "Mon, 31 Feb 2025 12:00:00 GMT" },
      { why: "29 February in a common year", value: "Sat, 29 Feb 2025 12:00:00 GMT" },
      { why: "31 April", value: "Thu, 31 Apr 2025 12:00:00 GMT" },
      { why: "day 00", value: "Sun, 00 Jun 2025 12:00:00 GMT" },
      { why: "day 32", value: "Sun, 32 Jan 2025 12:00:00 GMT" },
      { why: "hour 24", value: "Sun, 15 Jun 2025 24:00:00 GMT" },
      { why: "minute 60", value: "Sun, 15 Jun 2025 12:60:00 GMT" },
      { why: "second 61", value: "Sun, 15 Jun 2025 12:00:61 GMT" },
      { why: "31 February, RFC 850", value: "Monday, 31-Feb-25 12:00:00 GMT" },
      { why: "31 February, asctime", value: "Mon Feb 31 12:00:00 2025" }
    ])("$why: $value", ({ value }) => {
      strictEqual(RetryAfter.parse(value, NOW), undefined)
    })
  })
})
