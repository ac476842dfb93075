/**
 * How proxy urls given as text are read and shown.
 *
 * @internal
 */
import { Redact } from "@steadfast/core"

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i

/**
 * A proxy url as text: a bare `host:port` (or `user:password@host:port`) is
 * taken as `http://…`, as curl does. @internal
 */
export const withScheme = (input: string): string => SCHEME.test(input.trim()) ? input.trim() : `http://${input.trim()}`

/**
 * A proxy url given as text, with its password redacted. Redacting the text
 * itself is not enough: `user:password@host:port` is a valid url whose
 * scheme is the user name, with no password in it.
 *
 * @internal
 */
export const redact = (input: string): string => Redact.url(withScheme(input))
