/**
 * Rows of the fault table: what happens before a connection exists. On
 * sockets the FaultServer's undici interceptor realises them.
 *
 * @internal
 */
import * as Duration from "@steadfast/core/line/Duration"
import type { ConnectHang, ConnectLatency, DnsFailure, Refused, TlsFailure, Unreachable } from "../../Fault.js"
import * as NodeErrors from "../../NodeErrors.js"
import type { Row } from "./table.js"

export const dns: Row<DnsFailure> = {
  level: "connection",
  memory: (attempt, fault) =>
    attempt.fail(
      fault.temporary ? NodeErrors.dnsTemporary(attempt.url.hostname) : NodeErrors.notFound(attempt.url.hostname)
    ),
  // real DNS is out of reach in tests: an error of exactly Node's getaddrinfo shape
  connect: (request, fault) =>
    request.failWith(fault.temporary ? NodeErrors.dnsTemporary(request.host) : NodeErrors.notFound(request.host))
}

export const refused: Row<Refused> = {
  level: "connection",
  memory: (attempt) => attempt.fail(NodeErrors.refused(attempt.peer)),
  connect: (request) => request.refuse()
}

export const unreachable: Row<Unreachable> = {
  level: "connection",
  memory: (attempt) => attempt.fail(NodeErrors.networkUnreachable(attempt.peer)),
  connect: (request) => request.unreachable()
}

export const tls: Row<TlsFailure> = {
  level: "connection",
  memory: (attempt, fault) => {
    switch (fault.reason) {
      case "self-signed":
        return attempt.fail(NodeErrors.selfSigned())
      case "expired":
        return attempt.fail(NodeErrors.certExpired())
      case "hostname-mismatch":
        return attempt.fail(NodeErrors.altnameInvalid({ host: attempt.url.hostname, altnames: "DNS:mismatch.test" }))
      case "handshake":
        return attempt.fail(NodeErrors.handshake())
    }
  },
  connect: (request, fault) => request.tls(fault.reason)
}

export const connectLatency: Row<ConnectLatency> = {
  level: "connection",
  suspends: true,
  memory: (attempt, fault) => attempt.after(fault.delay, fault.then),
  connect: (request, fault) => request.delay(millis(fault.delay), fault.then)
}

export const connectHang: Row<ConnectHang> = {
  level: "connection",
  suspends: true,
  memory: (attempt) => attempt.hang(),
  connect: (request) => request.blackHole()
}

/** Milliseconds for a real timer (an infinite duration: the longest a timer can wait). */
export const millis = (d: Duration.Duration): number => {
  const ms = Duration.toMillis(d)
  return Number.isFinite(ms) ? Math.max(0, ms) : 2 ** 31 - 1
}
