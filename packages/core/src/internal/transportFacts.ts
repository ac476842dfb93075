/**
 * What a transport reports about an attempt, as plain data: the types the
 * decision function (`decide.ts`) reads. Public as `Transport.Phase`,
 * `Transport.Facts`, ... (the types documented there, their fields here);
 * kept here, with no Effect import, so the pure rules do not load the
 * transport module (and build on both Effect lines).
 */

/** See `Transport.Phase`. */
export type Phase = "queued" | "connecting" | "connected" | "written" | "headers" | "body"

/** See `Transport.phases`. */
export const phases: ReadonlyArray<Phase> = ["queued", "connecting", "connected", "written", "headers", "body"]

/** See `Transport.ProxyRoute`. */
export interface ProxyRoute {
  /** The proxy's url (redacted before it is shown anywhere). */
  readonly url: string
  readonly host: string
  readonly port: number
  /** A direct route may be taken when the proxy cannot be reached (the pool's `fallbackToDirect`). */
  readonly fallback: boolean
}

/** See `Transport.PoolState`. */
export interface PoolState {
  /** `scheme://host:port` */
  readonly origin: string
  /** Connections busy with a request. */
  readonly inUse: number
  /** The pool's bound on connections per origin (`Infinity`: none). */
  readonly limit: number
  /** Requests waiting for a connection, this one included. */
  readonly waiting: number
}

/** See `Transport.Facts`. */
export interface Facts {
  /** The last phase reached. */
  readonly phase: Phase
  /** The request went out on a connection that had carried a request before. */
  readonly reusedSocket: boolean
  /** Request bytes the transport saw go out, when it counts them. */
  readonly bytesWritten: number | undefined
  /** Response body bytes read. */
  readonly bytesRead: number
  /** The proxy used, `undefined` for a direct connection. */
  readonly proxy: ProxyRoute | undefined
  /** The pool's state, when the attempt was cut off while queued. */
  readonly pool: PoolState | undefined
  /**
   * The server said it did not process the request (an HTTP/2
   * `REFUSED_STREAM`): it may be sent again, whatever its method.
   */
  readonly unprocessed?: boolean | undefined
  /** What the attempt failed with, as the transport saw it. */
  readonly cause: unknown
}
