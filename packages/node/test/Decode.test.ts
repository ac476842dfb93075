/**
 * The decoder of compressed bodies (internal/decode.ts) without sockets: the
 * plan read from `Content-Encoding` (a property over generated headers, fixed
 * seed), and the streaming decoder over a raw source that honours its flow
 * control, counting the raw bytes it took and the decoded bytes it made.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "@steadfast/core/line/Effect"
import * as fc from "effect/FastCheck"
import * as zlib from "node:zlib"
import { type Coding, Decoding, MAX_CODINGS, plan, type Sink, type Source } from "../src/internal/decode.js"

const MIB = 1024 * 1024

/** A raw body delivered chunk by chunk, one chunk per macrotask, pausing when told to. */
const sourceOf = (chunks: ReadonlyArray<Buffer>) => {
  let sink: Sink | undefined
  let paused = false
  let index = 0
  const state = { fed: 0, abandoned: false, ended: false }
  const pump = () => {
    if (sink === undefined || paused) return
    if (index >= chunks.length) {
      const done = sink
      sink = undefined
      state.ended = true
      done.end()
      return
    }
    const chunk = chunks[index++]!
    state.fed += chunk.length
    if (!sink.chunk(chunk)) {
      sink = undefined
      state.abandoned = true
      return
    }
    setImmediate(pump)
  }
  const source: Source = {
    subscribe: (s) => {
      sink = s
      setImmediate(pump)
      return true
    },
    unsubscribe: (s) => {
      if (sink === s) {
        sink = undefined
        state.abandoned = true
      }
    },
    pause: () => {
      paused = true
    },
    resume: () => {
      paused = false
      setImmediate(pump)
    },
    abandon: () => {
      if (sink !== undefined) state.abandoned = true
      sink = undefined
    }
  }
  return { source, state }
}

/** Runs a decoding to its end: the decoded bytes, or the failure; `limit` stops it like the size limit does. */
const decodeAll = (chunks: ReadonlyArray<Buffer>, codings: ReadonlyArray<Coding>, limit = Infinity) =>
  Effect.async<{ decoded: number; bytes: Buffer; fed: number; abandoned: boolean }, unknown>((resume) => {
    const { source, state } = sourceOf(chunks)
    const parts: Array<Buffer> = []
    let decoded = 0
    new Decoding(source, codings, {
      chunk: (chunk) => {
        decoded += chunk.length
        if (decoded > limit) return false
        parts.push(Buffer.from(chunk))
        return true
      },
      end: () =>
        resume(Effect.succeed({ decoded, bytes: Buffer.concat(parts), fed: state.fed, abandoned: state.abandoned })),
      fail: (cause) => resume(Effect.fail(cause))
    }).start()
  })

const split = (buffer: Buffer, size: number): Array<Buffer> => {
  const out: Array<Buffer> = []
  for (let i = 0; i < buffer.length; i += size) out.push(buffer.subarray(i, i + size))
  return out
}

const encode: Record<Coding, (b: Buffer) => Buffer> = {
  gzip: (b) => zlib.gzipSync(b),
  deflate: (b) => zlib.deflateSync(b),
  br: (b) => zlib.brotliCompressSync(b)
}

describe("decode.plan", () => {
  it("reads codings case-insensitively, drops identity, undoes them last first", () => {
    expect(plan(undefined)).toEqual({ _tag: "none" })
    expect(plan("identity")).toEqual({ _tag: "none" })
    expect(plan(" GZIP ")).toEqual({ _tag: "decode", codings: ["gzip"] })
    expect(plan("x-gzip")).toEqual({ _tag: "decode", codings: ["gzip"] })
    expect(plan("deflate, br")).toEqual({ _tag: "decode", codings: ["br", "deflate"] })
    expect(plan(["gzip", "br"])).toEqual({ _tag: "decode", codings: ["br", "gzip"] })
    expect(plan("gzip, zstd")).toEqual({ _tag: "unknown", coding: "zstd" })
    expect(plan("gzip,gzip,gzip,gzip,gzip,gzip")._tag).toBe("tooMany")
  })

  it("property: any list of known codings is undone in reverse, capped at MAX_CODINGS", () => {
    const coding = fc.constantFrom("gzip", "x-gzip", "deflate", "br", "identity", "GZip", " br ")
    fc.assert(
      fc.property(fc.array(coding, { maxLength: 8 }), fc.boolean(), (listed, repeated) => {
        const header = repeated ? listed : listed.join(", ")
        const kept = listed.map((c) => c.trim().toLowerCase()).filter((c) => c !== "identity")
        const result = plan(header)
        if (kept.length === 0) expect(result).toEqual({ _tag: "none" })
        else if (kept.length > MAX_CODINGS) expect(result._tag).toBe("tooMany")
        else expect(result).toEqual({ _tag: "decode", codings: kept.map((c) => c === "x-gzip" ? "gzip" : c).reverse() })
      }),
      { seed: 1313, numRuns: 300 }
    )
  })
})

describe("decode.Decoding", () => {
  const text = Buffer.from("steadfast ".repeat(5000))

  it.live("decodes gzip, zlib and raw deflate, brotli and a chain, in chunks of any size", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, Buffer, ReadonlyArray<Coding>]> = [
        ["gzip", encode.gzip(text), ["gzip"]],
        ["deflate", encode.deflate(text), ["deflate"]],
        ["raw deflate", zlib.deflateRawSync(text), ["deflate"]],
        ["br", encode.br(text), ["br"]],
        ["gzip then br", encode.br(encode.gzip(text)), ["br", "gzip"]]
      ]
      for (const [name, body, codings] of cases) {
        for (const size of [1, 7, 1024, body.length]) {
          const result = yield* decodeAll(split(body, size), codings)
          expect(result.bytes.equals(text), `${name} in chunks of ${size}`).toBe(true)
        }
      }
    }))

  it.live("a 1 GiB gzip bomb: stopped at 4 MiB, it took a few KiB of raw body and made no more output", () =>
    Effect.gen(function*() {
      const member = zlib.gzipSync(Buffer.alloc(MIB))
      const bomb = Array.from({ length: 1024 }, () => member)
      const result = yield* decodeAll(bomb, ["gzip"], 4 * MIB)
      expect(result.abandoned).toBe(true)
      // output stops with the chunk that passed the limit (zlib makes 16 KiB at a time)
      expect(result.decoded).toBeLessThanOrEqual(4 * MIB + 64 * 1024)
      // the input side waited for zlib: of the ~1 MB of raw body, only what made those 4 MiB (and a buffer) was read
      expect(result.fed).toBeLessThan(64 * 1024)
    }))

  it.live("a corrupt stream fails with a ContentDecodingError naming the coding, and the body is dropped", () =>
    Effect.gen(function*() {
      const cause = yield* Effect.flip(decodeAll([Buffer.from("not gzip"), Buffer.alloc(100)], ["gzip"]))
      expect(cause).toMatchObject({ name: "ContentDecodingError", code: "ERR_STEADFAST_CONTENT_DECODING" })
      expect((cause as Error).message).toMatch(/not valid gzip .*incorrect header check/)
    }))
})
