/**
 * The shapes every Node error factory builds on: system errors (errno,
 * code, syscall, peer) with the classes and key order Node uses.
 */
import * as util from "node:util"

/**
 * A Node system error (libuv or c-ares): `errno`, `code`, `syscall`, and the
 * peer's `address`/`port` or the `hostname` looked up when there is one.
 *
 * @since 0.1.0
 */
export interface SystemError extends Error {
  readonly errno: number | undefined
  readonly code: string
  readonly syscall: string
  readonly address?: string
  readonly port?: number
  readonly hostname?: string
}

/**
 * What undici records about a socket in a `SocketError` (its `socket` field).
 *
 * @since 0.1.0
 */
export interface SocketInfo {
  readonly localAddress?: string | undefined
  readonly localPort?: number | undefined
  readonly remoteAddress?: string | undefined
  readonly remotePort?: number | undefined
  readonly remoteFamily?: string | undefined
  readonly timeout?: number | undefined
  readonly bytesWritten?: number | undefined
  readonly bytesRead?: number | undefined
}

/**
 * A peer: the address a connection went to, and its port.
 *
 * @since 0.1.0
 */
export interface Peer {
  readonly address: string
  readonly port: number
}

/** Gives a class the name Node's has (bundlers rename classes that shadow globals). */
export function named<C extends abstract new(...args: never) => unknown>(name: string, cls: C): C {
  Object.defineProperty(cls, "name", { value: name, configurable: true })
  return cls
}

// Node builds its errno errors with classes named `Error` that extend
// `Error` (`ExceptionWithHostPort`, `DNSException`, `UVException`), so
// `err.constructor.name` is "Error" and `String(err)` is "Error: …".
export const SysError = named("Error", class extends globalThis.Error {})

// Node's internal `NodeError` (ERR_* codes): an `Error` subclass whose
// `toString` renders `Error [CODE]: message`.
export const CodedError = named(
  "Error",
  class extends globalThis.Error {
    override toString(): string {
      return `${this.name} [${(this as unknown as { code: string }).code}]: ${this.message}`
    }
  }
)

// Node's `NodeAggregateError`: an `AggregateError` subclass with a `code`.
export const AggError = named("AggregateError", class extends globalThis.AggregateError {})

let errnoByCode: Map<string, number> | undefined

/**
 * The errno Node reports for a libuv code on this platform (`-111` for
 * `ECONNREFUSED` on Linux, `-61` on macOS), from libuv's own table.
 */
export const uvErrno = (code: string): number | undefined => {
  if (errnoByCode === undefined) {
    errnoByCode = new Map()
    for (const [errno, [name]] of util.getSystemErrorMap()) errnoByCode.set(name, errno)
  }
  return errnoByCode.get(code)
}

export const systemError = (
  message: string,
  fields: {
    readonly errno: number | undefined
    readonly code: string
    readonly syscall: string
    readonly address?: string
    readonly port?: number
    readonly hostname?: string
  }
): SystemError => {
  const error = new SysError(message) as unknown as Record<string, unknown>
  // Assigned one by one, in Node's order, so the keys enumerate as Node's do.
  error["errno"] = fields.errno
  error["code"] = fields.code
  error["syscall"] = fields.syscall
  if (fields.hostname !== undefined) error["hostname"] = fields.hostname
  if (fields.address !== undefined) error["address"] = fields.address
  if (fields.port !== undefined) error["port"] = fields.port
  return error as unknown as SystemError
}

export const withHostPort = (
  syscall: string,
  code: string,
  peer: { readonly address: string; readonly port?: number | undefined }
) =>
  systemError(
    `${syscall} ${code} ${peer.address}${peer.port === undefined || peer.port === 0 ? "" : `:${peer.port}`}`,
    {
      errno: uvErrno(code),
      code,
      syscall,
      address: peer.address,
      ...(peer.port === undefined || peer.port === 0 ? {} : { port: peer.port })
    }
  )
