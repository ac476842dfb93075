/**
 * Connection failures: refused, reset, unreachable, timed out, closed early.
 */
import { errors as undici } from "undici"
import { AggError, type Peer, type SocketInfo, type SystemError, systemError, uvErrno, withHostPort } from "./system.js"
/**
 * `connect ECONNREFUSED <address>:<port>`: nothing listens there.
 *
 * @since 0.1.0
 */
export const refused = (peer: Peer): SystemError => withHostPort("connect", "ECONNREFUSED", peer)

/**
 * `read ECONNRESET`: the peer reset the connection (RST), before the
 * response or while the body was read.
 *
 * @since 0.1.0
 */
export const reset = (syscall: "read" | "write" = "read"): SystemError =>
  systemError(`${syscall} ECONNRESET`, { errno: uvErrno("ECONNRESET"), code: "ECONNRESET", syscall })

/**
 * `write EPIPE`: writing to a connection the peer already closed.
 *
 * @since 0.1.0
 */
export const brokenPipe = (): SystemError =>
  systemError("write EPIPE", { errno: uvErrno("EPIPE"), code: "EPIPE", syscall: "write" })

/**
 * `connect ENETUNREACH <address>:<port>`: no route to that network (an IPv6
 * address without IPv6 connectivity, a VPN down).
 *
 * @since 0.1.0
 */
export const networkUnreachable = (peer: Peer): SystemError => withHostPort("connect", "ENETUNREACH", peer)

/**
 * `connect EHOSTUNREACH <address>:<port>`: no route to that host.
 *
 * @since 0.1.0
 */
export const hostUnreachable = (peer: Peer): SystemError => withHostPort("connect", "EHOSTUNREACH", peer)

/**
 * `connect EHOSTDOWN <address>:<port>`: the host is down.
 *
 * @since 0.1.0
 */
export const hostDown = (peer: Peer): SystemError => withHostPort("connect", "EHOSTDOWN", peer)

/**
 * `EADDRNOTAVAIL`: the address cannot be used from here. With `syscall:
 * "connect"` (the default) the peer could not be reached from any local
 * address; with `"bind"` the local address asked for is not on this machine
 * (`bind EADDRNOTAVAIL 192.0.2.1`, no port).
 *
 * @since 0.1.0
 */
export const addressNotAvailable = (
  peer: { readonly address: string; readonly port?: number | undefined },
  syscall: "connect" | "bind" = "connect"
): SystemError => withHostPort(syscall, "EADDRNOTAVAIL", peer)

/**
 * `connect ETIMEDOUT <address>:<port>`: the kernel (or Node's
 * happy-eyeballs attempt timer) gave up connecting.
 *
 * @since 0.1.0
 */
export const timedOut = (peer: Peer): SystemError => withHostPort("connect", "ETIMEDOUT", peer)

/**
 * What Node's happy-eyeballs (`autoSelectFamily`, on by default since Node
 * 20) raises when every address of a name failed: an `AggregateError` with
 * an empty message, the per-address errors in `errors`, and the first one's
 * `code` (a name resolving to `::1` and `127.0.0.1` with nothing listening
 * gives one with `code: "ECONNREFUSED"`).
 *
 * @since 0.1.0
 */
export const allAddressesFailed = (
  errors: ReadonlyArray<SystemError>
): AggregateError & { readonly code: string | undefined } => {
  const error = new AggError([...errors]) as AggregateError & { code: string | undefined }
  error.code = errors[0]?.code
  return error
}

/**
 * undici's `SocketError: other side closed` (`UND_ERR_SOCKET`): the peer
 * closed the connection cleanly (FIN) before the response was complete —
 * before any byte, or in the middle of a body that promised more. `socket`
 * describes the connection as undici saw it.
 *
 * @since 0.1.0
 */
export const otherSideClosed = (socket: SocketInfo | null = defaultSocketInfo): undici.SocketError =>
  new (undici.SocketError as unknown as new(message: string, socket: SocketInfo | null) => undici.SocketError)(
    "other side closed",
    socket === null ? null : { ...defaultSocketInfo, ...socket }
  )

const defaultSocketInfo: SocketInfo = {
  localAddress: "127.0.0.1",
  localPort: 50000,
  remoteAddress: "127.0.0.1",
  remotePort: 80,
  remoteFamily: "IPv4",
  timeout: undefined,
  bytesWritten: 0,
  bytesRead: 0
}
