/**
 * A harness that runs code in a real headless Chromium: bundle a page entry
 * with esbuild for the browser, serve it (and the routes a test needs) on a
 * loopback port, open it in Debian's `/usr/bin/chromium` through
 * playwright-core, and collect what the page reports.
 *
 * A page reports with `report(value)` from `./page.js`; {@link runPage}
 * resolves with that value, or rejects with the page's uncaught error, or
 * when nothing is reported in time. Nothing leaves loopback: the page is
 * served from 127.0.0.1 and Chromium runs with its background networking off.
 *
 * ```ts
 * const bundled = await bundle(path.resolve("src/my.page.ts"))
 * const server = await serve({ bundle: bundled, routes: { "/hello": (_req, res) => res.end("hi") } })
 * const browser = await launch()
 * try {
 *   const result = await runPage(browser, server.url)
 * } finally {
 *   await browser.close()
 *   await server.close()
 * }
 * ```
 */
import * as esbuild from "esbuild"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { type BrowserContext, chromium } from "playwright-core"
import { checkInputs, type Line, lineOptions } from "./line.js"
import { REPORT_FUNCTION } from "./page.js"

/** Debian's Chromium. */
export const CHROMIUM = "/usr/bin/chromium"

/** The flags every run uses: headless, no sandbox (root in CI), nothing sent off the machine. */
export const CHROMIUM_FLAGS: ReadonlyArray<string> = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

/**
 * Makes sure `/usr/bin/chromium` exists: installs Debian's `chromium` with
 * apt-get when it is missing and this process runs as root; fails with a hint
 * otherwise.
 */
export const ensureChromium = (): string => {
  if (fs.existsSync(CHROMIUM)) return CHROMIUM
  if (process.getuid?.() !== 0) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`)
  }
  console.log("installing chromium (apt-get)")
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
  execFileSync("apt-get", ["update"], { stdio: "inherit", env })
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { stdio: "inherit", env })
  if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} is still missing`)
  return CHROMIUM
}

/** A bundled page entry: the code, its size and its size gzipped. */
export interface Bundle {
  readonly code: string
  readonly bytes: number
  readonly gzipBytes: number
}

/**
 * Bundles `entry` (a TypeScript or JavaScript file, or TypeScript source
 * whose imports resolve from `resolveDir`) for the browser, as one
 * minified ES module, resolving packages the way a browser bundler does
 * (`browser`, `import`, `default` conditions; no source condition) for the
 * Effect 3 line, or for `line: "effect4"` core's Effect 4 build (see
 * `./line.js`).
 */
export const bundle = async (
  entry: string | { readonly contents: string; readonly resolveDir: string },
  options: { readonly minify?: boolean; readonly line?: Line } = {}
): Promise<Bundle> => {
  const result = await esbuild.build({
    ...(typeof entry === "string"
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, loader: "ts" as const } }),
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: options.minify ?? true,
    legalComments: "none",
    logLevel: "silent",
    metafile: true,
    ...lineOptions(options.line ?? "effect3")
  })
  checkInputs(options.line ?? "effect3", Object.keys(result.metafile.inputs))
  const code = result.outputFiles[0]!.text
  const bytes = Buffer.byteLength(code)
  return { code, bytes, gzipBytes: zlib.gzipSync(code).byteLength }
}

/** A route's handler: plain node:http. */
export type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void

/** A running loopback server. */
export interface Served {
  /** `http://127.0.0.1:port` — the page is at `/`. */
  readonly url: string
  /** Requests received per path (the page and the bundle included). */
  readonly hits: (pathname: string) => number
  readonly close: () => Promise<void>
}

/**
 * Serves a page that loads `bundle` as a module at `/`, the bundle at
 * `/bundle.js`, and `routes` by exact path, on 127.0.0.1 (a free port).
 * Any other path is a 404. `close()` destroys open connections.
 */
export const serve = (options: {
  readonly bundle: Bundle
  readonly routes?: Readonly<Record<string, Handler>>
}): Promise<Served> => {
  const hits = new Map<string, number>()
  const page =
    `<!doctype html><meta charset="utf-8"><title>steadfast</title><script type="module" src="/bundle.js"></script>`
  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? "/", "http://127.0.0.1").pathname
    hits.set(pathname, (hits.get(pathname) ?? 0) + 1)
    if (pathname === "/") {
      response.writeHead(200, { "content-type": "text/html" }).end(page)
    } else if (pathname === "/bundle.js") {
      response.writeHead(200, { "content-type": "text/javascript" }).end(options.bundle.code)
    } else {
      const handler = options.routes?.[pathname]
      if (handler === undefined) response.writeHead(404).end()
      else handler(request, response)
    }
  })
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        hits: (pathname) => hits.get(pathname) ?? 0,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })
}

/** A browser session: one Chromium with a fresh profile, removed on close. */
export interface Browser {
  readonly context: BrowserContext
  readonly close: () => Promise<void>
}

/** Starts Chromium (see {@link CHROMIUM_FLAGS}) with a fresh `--user-data-dir`. */
export const launch = async (): Promise<Browser> => {
  const executablePath = ensureChromium()
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "steadfast-chromium-"))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    timeout: 60_000
  })
  return {
    context,
    close: async () => {
      await context.close()
      fs.rmSync(userDataDir, { recursive: true, force: true })
    }
  }
}

/**
 * Opens `url` in a new tab and resolves with what the page reports, rejects
 * with its first uncaught error, or after `timeoutMs` without a report. The
 * page's console lines are passed to `onConsole` (default: printed).
 */
export const runPage = async <A = unknown>(
  browser: Browser,
  url: string,
  options: { readonly timeoutMs?: number; readonly onConsole?: (line: string) => void } = {}
): Promise<A> => {
  const page = await browser.context.newPage()
  try {
    return await new Promise<A>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the page reported nothing within ${options.timeoutMs ?? 30_000} ms`)),
        options.timeoutMs ?? 30_000
      )
      const settle = (f: () => void) => {
        clearTimeout(timer)
        f()
      }
      page.on(
        "console",
        (message) => (options.onConsole ?? ((line) => console.log(`  [page] ${line}`)))(message.text())
      )
      page.on("pageerror", (error) => settle(() => reject(error)))
      void page.exposeFunction(REPORT_FUNCTION, (value: A) => settle(() => resolve(value)))
        .then(() => page.goto(url))
        .catch((error: unknown) => settle(() => reject(error)))
    })
  } finally {
    await page.close()
  }
}
