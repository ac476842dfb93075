/**
 * `Doctor.run` never fails: a redirect whose `Location` is not a url (here
 * an unclosed IPv6 bracket) is a finding in the report, not a defect that
 * ends the command without one.
 *
 * it.scopedLive: real sockets to a loopback server.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Doctor } from "../../src/index.js"
import { rawServer } from "../helpers.js"

describe("regression: the doctor and a Location that is not a url", () => {
  it.scopedLive("reported as a failure of the http step", () =>
    Effect.gen(function*() {
      const server = yield* rawServer((socket) =>
        socket.write(
          "HTTP/1.1 302 Found\r\nlocation: http://[::1/next?token=s3cr3t\r\ncontent-length: 0\r\n\r\n"
        )
      )
      const report = yield* Doctor.run({ url: `${server.url}/start`, proxy: "none" })
      expect(report.http.map((h) => h.status)).toEqual([302])
      expect(report.failures.map((f) => `${f.step}:${f._tag}`)).toEqual(["http:InvalidUrl"])
      expect(report.failures[0]?.explanation).toContain("not a url")
      expect(JSON.stringify(report)).not.toContain("s3cr3t")
      expect(report.ok).toBe(false)
    }))
})
