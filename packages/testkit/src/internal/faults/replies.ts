/**
 * Rows of the fault table: answers.
 *
 * @internal
 */
import type { Echo, Redirect, Reply } from "../../Fault.js"
import type { Row } from "./table.js"

export const reply: Row<Reply> = {
  level: "wire",
  memory: (attempt, fault) => attempt.respond(fault),
  wire: (request, fault) => request.reply(fault.status, fault.headers, fault.body)
}

export const echo: Row<Echo> = {
  level: "wire",
  suspends: true, // reads a streamed request body
  memory: (attempt, fault) => attempt.echo(fault.status),
  wire: (request, fault) => request.reply(fault.status, { "content-type": "application/json" }, request.echoBody())
}

export const redirect: Row<Redirect> = {
  level: "wire",
  memory: (attempt, fault) =>
    attempt.respond({
      _tag: "Reply",
      status: fault.status,
      headers: { location: memoryLocation(attempt.url, fault) },
      body: new Uint8Array(0)
    }),
  wire: (request, fault) => request.reply(fault.status, { location: request.location(fault) }, new Uint8Array(0))
}

/** In memory a second origin is another host: `secondary.test`; the insecure origin is plain http. */
const memoryLocation = (url: URL, fault: Redirect): string => {
  const base = fault.origin === "same"
    ? url.origin
    : fault.origin === "secondary"
    ? `${url.protocol}//secondary.test`
    : `http://${url.host}`
  return new URL(fault.location, base).href
}
