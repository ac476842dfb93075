/**
 * Errors built without a stack trace. A simulated failure's stack would only
 * show the testkit's internals, and capturing it is most of the cost of
 * building an error (7 µs of 7.4 for an `ECONNRESET`; a chaos run builds two
 * per failed attempt).
 *
 * @internal
 */

/** Runs `f` with stack traces off. @internal */
export const withoutStack = <A>(f: () => A): A => {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return f()
  } finally {
    Error.stackTraceLimit = limit
  }
}
