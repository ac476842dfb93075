/**
 * A parser for the `Retry-After` response header (RFC 9110, section 10.2.3).
 *
 * The value is either delta-seconds (`120`) or an HTTP-date in one of the
 * three formats a recipient must accept: IMF-fixdate
 * (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
 * (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
 * Anything else is ignored; a date in the past means "now".
 *
 * @example
 * ```ts
 * import { RetryAfter } from "@steadfast/core"
 *
 * RetryAfter.parse("120", 0)                             // 120000
 * RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", 0)   // ms from epoch 0 to then
 * RetryAfter.parse("soon", 0)                            // undefined
 * ```
 *
 * @since 0.1.0
 */

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11
}

const DELTA = /^\s*(\d+)\s*$/
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})"
const IMF_FIXDATE = new RegExp(`^\\s*[A-Za-z]{3}, (\\d{2}) ([A-Za-z]{3}) (\\d{4}) ${TIME} GMT\\s*$`)
const RFC_850 = new RegExp(`^\\s*[A-Za-z]{6,9}, (\\d{2})-([A-Za-z]{3})-(\\d{2}) ${TIME} GMT\\s*$`)
const ASCTIME = new RegExp(`^\\s*[A-Za-z]{3} ([A-Za-z]{3}) ([ \\d]\\d) ${TIME} (\\d{4})\\s*$`)

const toEpoch = (
  year: number,
  month: string,
  day: number,
  hour: number,
  minute: number,
  second: number
): number | undefined => {
  const m = MONTHS[month.toLowerCase()]
  if (m === undefined || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined
  const ms = Date.UTC(year, m, day, hour, minute, second)
  // reject dates that overflowed into the next month (31 Feb)
  return new Date(ms).getUTCDate() === day ? ms : undefined
}

/**
 * Parses an HTTP-date in any of the three formats to milliseconds since the
 * epoch. Two-digit RFC 850 years that would land more than 50 years in the
 * future of `nowMs` are taken from the previous century, as RFC 9110 asks.
 *
 * @since 0.1.0
 */
export const parseHttpDate = (value: string, nowMs: number): number | undefined => {
  let m = IMF_FIXDATE.exec(value)
  if (m !== null) return toEpoch(Number(m[3]), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]))
  m = RFC_850.exec(value)
  if (m !== null) {
    const nowYear = new Date(nowMs).getUTCFullYear()
    let year = Math.floor(nowYear / 100) * 100 + Number(m[3])
    if (year > nowYear + 50) year -= 100
    return toEpoch(year, m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]))
  }
  m = ASCTIME.exec(value)
  if (m !== null) {
    return toEpoch(Number(m[6]), m[1]!, Number(m[2]!.trim()), Number(m[3]), Number(m[4]), Number(m[5]))
  }
  return undefined
}

/**
 * The delay a `Retry-After` value asks for, in milliseconds, or `undefined`
 * when the value is not valid. `nowMs` is the current time (from Effect's
 * `Clock`); dates in the past give 0.
 *
 * @since 0.1.0
 */
export const parse = (value: string | undefined, nowMs: number): number | undefined => {
  if (value === undefined) return undefined
  const delta = DELTA.exec(value)
  if (delta !== null) return Number(delta[1]) * 1000
  const date = parseHttpDate(value, nowMs)
  return date === undefined ? undefined : Math.max(0, date - nowMs)
}
