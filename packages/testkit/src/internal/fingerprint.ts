/**
 * A stable fingerprint of a secret, so a test can check which secret was sent
 * without the secret ever being printed.
 *
 * @internal
 */
import { createHash } from "node:crypto"

/** `sha256:` and the first 16 hex digits of the SHA-256 of `value` (UTF-8). @internal */
export const fingerprint = (value: string): string =>
  `sha256:${createHash("sha256").update(value, "utf8").digest("hex").slice(0, 16)}`
