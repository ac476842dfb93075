/**
 * Every command docs/doctor.md shows, run as a reader would run it, against a
 * local FaultServer whose hosts and ports are swapped in for the page's:
 *
 * - the lines of its `sh` blocks: `npx steadfast …` in docs/ (a project that
 *   has @steadfast/node installed; npm is kept offline), `pnpm run …` at the
 *   repository's root. Each must pass its checks (exit 0).
 * - the `$ …` lines of its `text` blocks, in a directory holding the test
 *   CA as `ca.pem`, with the installed `steadfast` on the PATH. What the page
 *   shows after the command is compared with what it prints, timings, ports
 *   and certificate dates aside; a `…` line skips lines.
 *
 * it.live: child processes on real loopback sockets. The commands run the
 * built command (dist): the test builds @steadfast/node first, as
 * `pnpm run doctor` does.
 */
import { describe, expect, it } from "@effect/vitest"
import { Fault, FaultServer, Reply, Scenario } from "@steadfast/testkit"
import { Effect } from "effect"
import { execFile, execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { beforeAll } from "vitest"

const docsDir = path.resolve(__dirname, "..")
const root = path.resolve(docsDir, "..")
const page = fs.readFileSync(path.join(docsDir, "doctor.md"), "utf8")
const TOKEN = "doc-test-token-value"

const scenario = Scenario.make({
  "GET /health": Scenario.sequence([Reply.text(200, "ok")], { after: "repeat-last" }),
  "GET /me": Scenario.sequence([Reply.json(200, { me: "ok" })], { after: "repeat-last" }),
  "GET /busy": Scenario.sequence([Fault.status(503, { retryAfter: 2 })], { after: "repeat-last" }),
  "GET /": Scenario.sequence([Reply.text(200, "ok")], { after: "repeat-last" })
})

/** The page's hosts and ports, and what stands for them in the test. */
const hosts = (urls: FaultServer.Urls): Record<string, string> => {
  const hostPort = (url: string) => new URL(url).host
  return {
    // a verified https endpoint (the test CA is trusted through NODE_EXTRA_CA_CERTS for these)
    "api.example.com": `localhost:${new URL(urls.https).port}`,
    "127.0.0.1:36435": hostPort(urls.https),
    "127.0.0.1:38445": hostPort(urls.wrongHost),
    "127.0.0.1:40083": hostPort(urls.refused),
    "127.0.0.1:34499": hostPort(urls.http)
  }
}

const swap = (text: string, table: Record<string, string>) =>
  Object.entries(table).reduce((acc, [from, to]) => acc.split(from).join(to), text)

/** Without what differs from run to run: ports, timings, certificate dates. */
const normalize = (text: string) =>
  text
    .replace(/(127\.0\.0\.1|localhost):\d+/g, "$1:<port>")
    .replace(/\((first byte )?\d+(\.\d+)? ?ms\)/g, "($1<t>)")
    .replace(/\w{3} {1,2}\d{1,2} \d\d:\d\d:\d\d \d{4} GMT/g, "<date>")
    .replace(/\(\d+ days left\)/g, "(<n> days left)")

/** The environment of a reader without proxies or extra CAs (the commands set their own). */
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", npm_config_offline: "true" }
  for (const name of Object.keys(env)) {
    if (/^(https?_proxy|no_proxy|all_proxy|node_extra_ca_certs|node_tls_reject_unauthorized)$/i.test(name)) {
      delete env[name]
    }
  }
  return env
}

const sh = (command: string, options: { readonly cwd: string; readonly env: NodeJS.ProcessEnv }) =>
  Effect.async<{ readonly code: number; readonly output: string }>((resume) => {
    const child = execFile(
      "sh",
      ["-c", command],
      { ...options, timeout: 90_000 },
      (error, stdout, stderr) =>
        resume(Effect.succeed({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : -1,
          output: `${stdout}${stderr}`
        }))
    )
    return Effect.sync(() => child.kill())
  })

/** The commands of the page's `sh` blocks (comments dropped). */
const shCommands = Array.from(page.matchAll(/```sh\n([\s\S]*?)```/g), (m) => m[1]!)
  .flatMap((block) => block.split("\n"))
  .map((line) => line.replace(/\s+#.*$/, "").trim())
  .filter((line) => line !== "")

/** The `$ command` lines of the page's `text` blocks, with the output shown after them. */
const samples = Array.from(page.matchAll(/```text\n([\s\S]*?)```/g), (m) => m[1]!.trimEnd().split("\n"))
  .filter((lines) => lines[0]?.startsWith("$ "))
  .map(([first, ...shown]) => ({ command: first!.slice(2), shown }))

/** `shown` split at its `…` lines, each part found in `actual`, in order. */
const expectShown = (actual: string, shown: ReadonlyArray<string>) => {
  const lines = normalize(actual).split("\n")
  let from = 0
  const parts = shown.map(normalize).join("\n").split(/^…$/m).map((part) => part.replace(/^\n+|\n+$/g, "").split("\n"))
  for (const part of parts) {
    const at = lines.findIndex((_, i) => i >= from && part.every((line, j) => lines[i + j] === line))
    expect(at, `these lines, in order:\n${part.join("\n")}\n\nin:\n${lines.join("\n")}`).toBeGreaterThanOrEqual(0)
    from = at + part.length
  }
}

describe("docs/doctor.md: every command it shows", () => {
  beforeAll(() => {
    // what `pnpm run doctor` does first; the others run the same build through docs/node_modules/.bin
    execFileSync("pnpm", ["exec", "tsc", "-b", "packages/node"], { cwd: root, stdio: "inherit" })
  }, 120_000)

  it("shows commands (the page and this test agree on its shape)", () => {
    expect(shCommands.length).toBeGreaterThanOrEqual(3)
    expect(shCommands.some((c) => c.startsWith("pnpm run doctor "))).toBe(true)
    expect(shCommands.some((c) => c.startsWith("pnpm doctor"))).toBe(false)
    expect(samples.length).toBeGreaterThanOrEqual(4)
  })

  it.scopedLive("the sh blocks: each command passes its checks", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "steadfast-doctor-doc-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      fs.writeFileSync(path.join(dir, "ca.pem"), server.ca)
      const env = { ...cleanEnv(), NODE_EXTRA_CA_CERTS: path.join(dir, "ca.pem"), TOKEN }
      for (const command of shCommands) {
        const swapped = swap(command, hosts(server.urls))
        const result = yield* sh(swapped, { cwd: command.startsWith("pnpm ") ? root : docsDir, env })
        expect(result.code, `${command}\n${result.output}`).toBe(0)
        expect(result.output).toContain("all checks passed")
        expect(result.output).not.toContain(TOKEN)
      }
      // the header reached the server (recorded by name; the value is redacted in records)
      const me = (yield* server.attempts).filter((a) => a.route === "GET /me")
      expect(me.length).toBeGreaterThan(0)
      expect(me.every((a) => a.headers["authorization"] !== undefined)).toBe(true)
    }), 180_000)

  it.scopedLive("the sample output: each $ command prints what the page shows", () =>
    Effect.gen(function*() {
      const server = yield* FaultServer.make(scenario)
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "steadfast-doctor-doc-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      fs.writeFileSync(path.join(dir, "ca.pem"), server.ca)
      const env = {
        ...cleanEnv(),
        PATH: `${path.join(docsDir, "node_modules", ".bin")}:${process.env["PATH"]}`,
        TOKEN
      }
      for (const sample of samples) {
        const result = yield* sh(swap(sample.command, hosts(server.urls)), { cwd: dir, env })
        expect([0, 1, 2], `${sample.command}\n${result.output}`).toContain(result.code)
        expectShown(result.output, sample.shown.map((line) => swap(line, hosts(server.urls))))
        expect(result.output).not.toContain(TOKEN)
      }
    }), 120_000)
})
