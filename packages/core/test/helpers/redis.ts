/**
 * A real `redis-server` for tests: started on 127.0.0.1 on a free port by
 * the test's scope (or by hand), killed when the scope closes. Nothing is
 * persisted. `.ci/run` installs Debian's redis-server when it is missing.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as net from "node:net"

/** Whether `redis-server` can be run on this machine. */
export const available: boolean = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0

/**
 * Whether the Redis tests run: wherever redis-server is installed, and always
 * in CI (where a missing redis-server then fails them loudly instead of
 * skipping them).
 */
export const enabled: boolean = available || process.env["CI"] !== undefined

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

const launch = (port: number): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--loglevel",
      "warning"
    ], { stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`redis-server did not start on port ${port}: ${output}`))
    }, 10_000)
    const ready = () => {
      const socket = net.connect(port, "127.0.0.1")
      socket.once("connect", () => {
        socket.write("PING\r\n")
      })
      socket.once("data", (data) => {
        socket.destroy()
        if (data.toString().startsWith("+PONG")) {
          clearTimeout(timer)
          resolve(child)
        } else setTimeout(ready, 20)
      })
      socket.once("error", () => {
        socket.destroy()
        setTimeout(ready, 20)
      })
    }
    child.stdout!.on("data", (d: Buffer) => void (output += d.toString()))
    child.stderr!.on("data", (d: Buffer) => void (output += d.toString()))
    child.once("error", (e) => {
      clearTimeout(timer)
      reject(new Error(`redis-server could not be started (apt-get install -y redis-server): ${e.message}`))
    })
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with ${code}: ${output}`))
    })
    ready()
  })

const stop = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGKILL")
  })

/** A running redis-server (or one killed by the test, to be started again on the same port). */
export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Kills the server at once (SIGKILL), as a crash would. */
  readonly kill: Effect.Effect<void>
  /** Starts it again on the same port, empty. */
  readonly restart: Effect.Effect<void>
}

/** Starts a redis-server; the scope kills it. */
export const start: Effect.Effect<RedisServer, never, Scope.Scope> = Effect.gen(function*() {
  const port = yield* Effect.promise(freePort)
  let child = yield* Effect.acquireRelease(Effect.promise(() => launch(port)), (c) => Effect.promise(() => stop(c)))
  yield* Effect.addFinalizer(() => Effect.promise(() => stop(child)))
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill: Effect.promise(() => stop(child)),
    restart: Effect.promise(async () => {
      await stop(child)
      child = await launch(port)
    })
  }
})

/** Starts a redis-server outside of Effect (for setup hooks); call the result to stop it. */
export const startPlain = async (): Promise<{ readonly url: string; readonly stop: () => Promise<void> }> => {
  const port = await freePort()
  const child = await launch(port)
  return { url: `redis://127.0.0.1:${port}`, stop: () => stop(child) }
}
