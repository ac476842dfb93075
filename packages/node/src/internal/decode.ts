/**
 * Compressed response bodies: which `Content-Encoding`s the node transport
 * undoes, and the streaming decoder between the exchange's raw body and the
 * reader.
 *
 * - Asked for with `Accept-Encoding: gzip, deflate, br` (exchange.ts), unless
 *   the request sets its own.
 * - Codings are undone in the reverse of the order the header lists them
 *   (`Content-Encoding: gzip, br` was gzipped, then brotli'd). `x-gzip` is
 *   gzip; `identity` is nothing. `deflate` is zlib-wrapped (RFC 9110 §8.4.1.2)
 *   but some servers send raw deflate: the first byte tells them apart.
 * - At most {@link MAX_CODINGS} codings: undici's fetch, curl
 *   (CVE-2022-32206) and urllib3 (GHSA-gm62-xv2j-4w53) all stop at 5, so a
 *   response `fetch` reads, this transport reads too; a longer chain is a
 *   `DecodeError` before any zlib object is made. (Each layer costs CPU, not
 *   memory: the stages are piped with backpressure.)
 * - A coding we do not know (`zstd`, `compress`, a typo): the body is handed
 *   over as it came, headers untouched, as fetch, got and urllib3 do; the
 *   caller sees `Content-Encoding` and can decode it.
 * - Strict: a corrupt or truncated stream is a failure (`DecodeError`), not
 *   the bytes decoded so far (fetch and curl finish leniently). HTTP framing
 *   already caught a cut connection, so a truncated stream here is the
 *   server's bug, and silently short data is worse than an error. An empty
 *   body decodes to an empty body.
 * - Memory: the decoded bytes go to the reader as zlib makes them (16 KiB at
 *   a time); when the reader stops (the size limit) every stage is destroyed
 *   and the socket dropped, so a zip bomb costs about the limit. The raw side
 *   keeps undici's flow control: undici is paused while the first stage's
 *   input buffer is full.
 *
 * @internal
 */
import { Classify } from "@steadfast/core"
import { Transform, type TransformCallback } from "node:stream"
import * as zlib from "node:zlib"

/** What the transport asks for. @internal */
export const ACCEPT_ENCODING = "gzip, deflate, br"

/**
 * The request's headers (none of them `accept-encoding`) plus ours, as a
 * plain object for undici. Copied key by key: a spread of the platform's
 * `Headers` (an object with its own prototype) takes V8's slow path, about
 * 1 µs against 0.1 µs for this loop on the bench machine.
 *
 * @internal
 */
export const withAcceptEncoding = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  const names = Object.keys(headers)
  for (let i = 0; i < names.length; i++) out[names[i]!] = headers[names[i]!]!
  out["accept-encoding"] = ACCEPT_ENCODING
  return out
}

/** The longest chain of content codings decoded. @internal */
export const MAX_CODINGS = 5

/** A coding we undo. @internal */
export type Coding = "gzip" | "deflate" | "br"

/** What to do with a body, from its `Content-Encoding`. @internal */
export type Plan =
  /** Nothing to undo: the body as it came. */
  | { readonly _tag: "none" }
  /** Undo these, in this order. */
  | { readonly _tag: "decode"; readonly codings: ReadonlyArray<Coding> }
  /** A coding we do not know: the body as it came, headers untouched. */
  | { readonly _tag: "unknown"; readonly coding: string }
  /** More codings than {@link MAX_CODINGS}. */
  | { readonly _tag: "tooMany"; readonly codings: ReadonlyArray<string> }

const NONE: Plan = { _tag: "none" }

const known = (coding: string): Coding | undefined =>
  coding === "gzip" || coding === "x-gzip"
    ? "gzip"
    : coding === "deflate"
    ? "deflate"
    : coding === "br"
    ? "br"
    : undefined

/**
 * The plan for a `Content-Encoding` header (as undici parsed it: a string,
 * or an array when repeated). Pure.
 *
 * @internal
 */
export const plan = (header: string | ReadonlyArray<string> | undefined): Plan => {
  if (header === undefined) return NONE
  const listed = (typeof header === "string" ? header : header.join(","))
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity")
  if (listed.length === 0) return NONE
  if (listed.length > MAX_CODINGS) return { _tag: "tooMany", codings: listed }
  const codings: Array<Coding> = []
  for (let i = listed.length - 1; i >= 0; i--) {
    const coding = known(listed[i]!)
    if (coding === undefined) return { _tag: "unknown", coding: listed[i]! }
    codings.push(coding)
  }
  return { _tag: "decode", codings }
}

/** The error a body fails with when it does not decode (classified as `DecodeError`). @internal */
export class ContentDecodingError extends Error {
  readonly code = Classify.CONTENT_DECODING_FAILED
  constructor(message: string, readonly coding: string | undefined, options?: { readonly cause?: unknown }) {
    super(message, options)
    this.name = "ContentDecodingError"
  }
}

/** The error for a chain longer than {@link MAX_CODINGS}. @internal */
export const tooManyCodings = (codings: ReadonlyArray<string>): ContentDecodingError =>
  new ContentDecodingError(
    `the response lists ${codings.length} content codings (${
      codings.join(", ")
    }), more than the ${MAX_CODINGS} decoded`,
    undefined
  )

const describe = (coding: Coding, error: unknown): ContentDecodingError => {
  const detail = (error as { readonly message?: unknown } | null)?.message
  return new ContentDecodingError(
    `the body is not valid ${coding === "br" ? "brotli" : coding} (Content-Encoding: ${coding}): ${
      typeof detail === "string" && detail !== "" ? detail : "corrupt stream"
    }`,
    coding,
    { cause: error }
  )
}

/**
 * Each stage's buffers (its raw input waiting for zlib, its output waiting
 * for the reader): 16 KiB, said here rather than left to Node's default,
 * which is 16 KiB up to Node 20 and 64 KiB from Node 22. zlib's streams pass
 * stream options on to their `Transform`.
 */
const buffering = { highWaterMark: 16 * 1024 }

/**
 * `deflate` as servers send it: zlib-wrapped (a first byte whose low nibble
 * is 8, the deflate method) or raw.
 */
class Inflate extends Transform {
  private inner: zlib.Inflate | zlib.InflateRaw | undefined = undefined

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.inner === undefined) {
      if (chunk.length === 0) return callback()
      const inner = (chunk[0]! & 0x0f) === 0x08
        ? zlib.createInflate(buffering as zlib.ZlibOptions)
        : zlib.createInflateRaw(buffering as zlib.ZlibOptions)
      inner.on("data", (out: Buffer) => {
        // the inner stream's backpressure: wait until this one's reader took what it has
        if (!this.push(out)) inner.pause()
      })
      inner.on("error", (error) => this.destroy(error))
      this.inner = inner
    }
    this.inner.write(chunk, callback)
  }

  override _read(size: number): void {
    this.inner?.resume()
    super._read(size)
  }

  override _flush(callback: TransformCallback): void {
    const inner = this.inner
    if (inner === undefined) return callback()
    inner.once("end", () => callback())
    inner.end()
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    this.inner?.destroy()
    callback(error)
  }
}

const stage = (coding: Coding): Transform =>
  coding === "gzip"
    ? zlib.createGunzip(buffering as zlib.ZlibOptions)
    : coding === "br"
    ? zlib.createBrotliDecompress(buffering as zlib.BrotliOptions)
    : new Inflate(buffering)

/** Where the raw body comes from (the exchange). @internal */
export interface Source {
  /** Delivers the raw body to `sink` (see `Exchange.subscribe`). */
  readonly subscribe: (sink: Sink) => boolean
  /** The sink stops listening; the rest of the body is cut off with its socket. */
  readonly unsubscribe: (sink: Sink) => void
  /** Stop reading the socket (flow control), and go on. */
  readonly pause: () => void
  readonly resume: () => void
  /** Drop the rest of the body and its socket. */
  readonly abandon: () => void
}

/** Where bytes go: `chunk` returns false to stop. @internal */
export interface Sink {
  readonly chunk: (chunk: Uint8Array) => boolean
  readonly end: () => void
  readonly fail: (cause: unknown) => void
}

/**
 * One body being decoded: raw chunks from the source go through the zlib
 * stages (made at the first raw byte: an empty body makes none), decoded
 * chunks go to `out` as they come. `out.chunk` returning false stops it all
 * (then `out.end`); a stage that fails ends it with `out.fail` and a
 * {@link ContentDecodingError}; a failure of the raw body is passed on as it is.
 *
 * @internal
 */
export class Decoding {
  private stages: ReadonlyArray<Transform> | undefined = undefined
  private over = false
  private readonly raw: Sink

  constructor(
    private readonly source: Source,
    private readonly codings: ReadonlyArray<Coding>,
    private readonly out: Sink
  ) {
    this.raw = {
      chunk: (chunk) => {
        if (this.over) return false
        if (chunk.length === 0) return true
        const input = (this.stages ??= this.build())[0]!
        if (!input.write(chunk)) {
          this.source.pause()
          input.once("drain", () => this.source.resume())
        }
        return !this.over
      },
      end: () => {
        if (this.over) return
        const stages = this.stages
        if (stages === undefined) {
          // an empty body with a Content-Encoding is an empty body (zlib would call it truncated)
          this.over = true
          this.out.end()
        } else stages[0]!.end()
      },
      fail: (cause) => {
        if (this.over) return
        this.over = true
        this.destroy()
        this.out.fail(cause)
      }
    }
  }

  private build(): ReadonlyArray<Transform> {
    const stages = this.codings.map(stage)
    for (let i = 0; i < stages.length; i++) {
      const current = stages[i]!
      const coding = this.codings[i]!
      current.on("error", (error) => this.fail(describe(coding, error)))
      if (i + 1 < stages.length) current.pipe(stages[i + 1]!)
    }
    const output = stages[stages.length - 1]!
    output.on("data", (chunk: Buffer) => {
      if (this.over) return
      if (!this.out.chunk(chunk)) {
        this.stop()
        this.out.end()
      }
    })
    output.on("end", () => {
      if (this.over) return
      this.over = true
      this.out.end()
    })
    return stages
  }

  /** Starts feeding the raw body in. */
  start(): void {
    this.source.subscribe(this.raw)
  }

  /** Holds the decoded output back (a slow reader), and lets it go on. */
  pause(): void {
    this.stages?.[this.stages.length - 1]!.pause()
  }

  resume(): void {
    if (!this.over) this.stages?.[this.stages.length - 1]!.resume()
  }

  private fail(error: ContentDecodingError): void {
    if (this.over) return
    this.over = true
    this.source.unsubscribe(this.raw)
    this.source.abandon()
    this.destroy()
    this.out.fail(error)
  }

  /** The reader has what it wants, or went away: every stage and the rest of the body are dropped. */
  stop(): void {
    if (this.over) return
    this.over = true
    this.source.unsubscribe(this.raw)
    this.source.abandon()
    this.destroy()
  }

  private destroy(): void {
    const stages = this.stages
    if (stages !== undefined) { for (const s of stages) s.destroy() }
  }
}
