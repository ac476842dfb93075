/**
 * SSRF through the base url (the class of axios CVE-2025-27152): a client
 * built with a `baseUrl` and credentials must not send them to another
 * host when the path it is given is really an absolute url in disguise.
 * Two loopback servers: the base, and "another origin" (another port); the
 * other one must receive nothing.
 *
 * it.scopedLive: real sockets.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { buildClient, type Head, ok, rawServer } from "../helpers.js"

const recording = () =>
  Effect.gen(function*() {
    const heads: Array<Head> = []
    const server = yield* rawServer((socket, head) => {
      heads.push(head)
      ok(socket)
    })
    return { server, heads }
  })

const SECRET = "Bearer s3cr3t-base-token"

describe("regression: a client with a baseUrl talks to its base origin only", () => {
  it.scopedLive("absolute urls in disguise are refused; the other origin receives nothing", () =>
    Effect.gen(function*() {
      const base = yield* recording()
      const other = yield* recording()
      const { client } = yield* buildClient({ baseUrl: `${base.server.url}/api/`, retry: { retries: 0 } })
      const host = `127.0.0.1:${other.server.port}`
      const disguises = [
        `http://${host}/x`,
        `HTTP://${host}/x`,
        `//${host}/x`,
        `\\\\${host}\\x`,
        `/\\${host}/x`,
        `  http://${host}/x`,
        `\thttp://${host}/x`,
        `ht\ttp://${host}/x`,
        `http://127.0.0.1:${base.server.port}@${host}/x`,
        `http:\\\\${host}/x`
      ]
      for (const url of disguises) {
        const request = HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("authorization", SECRET))
        const error = yield* Effect.flip(client.text(request))
        expect(error._tag, url).toBe("InvalidUrl")
        expect(error.message).toContain("allowAbsoluteUrls")
      }
      expect(other.server.connections()).toBe(0)
      expect(base.server.connections()).toBe(0)

      // and a path goes to the base, credentials and all
      const request = HttpClientRequest.get("/users/1").pipe(HttpClientRequest.setHeader("authorization", SECRET))
      expect(yield* client.text(request)).toBe("ok")
      expect(base.heads.map((h) => [h.path, h.headers["authorization"]])).toEqual([["/api/users/1", SECRET]])
      expect(other.server.connections()).toBe(0)
    }))

  it.scopedLive("paths cannot climb above the base path", () =>
    Effect.gen(function*() {
      const base = yield* recording()
      const { client } = yield* buildClient({ baseUrl: `${base.server.url}/api/v1`, retry: { retries: 0 } })
      for (const path of ["../admin", "../../admin", "%2e%2e/admin", "..%2fadmin", "/v1/../../admin"]) {
        const error = yield* Effect.flip(client.text(HttpClientRequest.get(path)))
        expect(error._tag, path).toBe("InvalidUrl")
        expect(error.message).toContain("leaves the base path")
      }
      expect(base.server.requests()).toBe(0)
      expect(yield* client.text(HttpClientRequest.get("users"))).toBe("ok")
      expect(base.heads.map((h) => h.path)).toEqual(["/api/v1/users"])
    }))

  it.scopedLive("allowAbsoluteUrls: other origins are reached, without the client's credentials", () =>
    Effect.gen(function*() {
      const base = yield* recording()
      const other = yield* recording()
      const { client } = yield* buildClient({
        baseUrl: base.server.url,
        allowAbsoluteUrls: true,
        retry: { retries: 0 },
        redirects: { sensitiveHeaders: ["x-api-key"] }
      })
      const request = (url: string) =>
        HttpClientRequest.get(url).pipe(
          HttpClientRequest.setHeaders({ authorization: SECRET, cookie: "session=abc", "x-api-key": "k3y", "x-n": "1" })
        )
      expect(yield* client.text(request(`${other.server.url}/x`))).toBe("ok")
      expect(yield* client.text(request("/y"))).toBe("ok")
      expect(other.heads.map((h) => [h.path, h.headers["authorization"], h.headers["cookie"], h.headers["x-api-key"]]))
        .toEqual([["/x", undefined, undefined, undefined]])
      expect(other.heads[0]!.headers["x-n"]).toBe("1")
      expect(base.heads.map((h) => [h.path, h.headers["authorization"], h.headers["x-api-key"]])).toEqual([
        ["/y", SECRET, "k3y"]
      ])
    }))
})
