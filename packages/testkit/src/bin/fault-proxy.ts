#!/usr/bin/env node
/**
 * `steadfast-fault-proxy`: fault proxies behind Toxiproxy's HTTP API, for
 * tests in any language (see `FaultProxy.startApi`).
 *
 *   steadfast-fault-proxy [--host 127.0.0.1] [--port 8474] [--config proxies.json] [--seed 0]
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import { parseArgs } from "node:util"
import { startApi } from "../internal/proxy/api.js"

const usage = "usage: steadfast-fault-proxy [--host 127.0.0.1] [--port 8474] [--config proxies.json] [--seed 0]"

const fail = (message: string): never => {
  process.stderr.write(`steadfast-fault-proxy: ${message}\n${usage}\n`)
  process.exit(2)
}

const main = async () => {
  let values: { host?: string; port?: string; config?: string; seed?: string; help?: boolean }
  try {
    values = parseArgs({
      options: {
        host: { type: "string" },
        port: { type: "string" },
        config: { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h" }
      }
    }).values
  } catch (error) {
    return fail((error as Error).message)
  }
  if (values.help === true) {
    process.stdout.write(`${usage}\n`)
    return
  }
  const port = values.port === undefined ? 8474 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port must be 0-65535 (got ${values.port})`)
  const seed = values.seed === undefined ? 0 : Number(values.seed)
  if (!Number.isInteger(seed)) return fail(`--seed must be an integer (got ${values.seed})`)
  let populate: ReadonlyArray<{ name: string; upstream: string; listen?: string; enabled?: boolean }> = []
  if (values.config !== undefined) {
    try {
      populate = JSON.parse(fs.readFileSync(values.config, "utf8"))
    } catch (error) {
      return fail(`cannot read --config ${values.config}: ${(error as Error).message}`)
    }
    if (!Array.isArray(populate)) return fail(`--config ${values.config} must hold a JSON array of proxies`)
  }
  const api = await startApi({ host: values.host ?? "127.0.0.1", port, populate, seed }).catch((error: Error) =>
    fail(error.message)
  )
  process.stdout.write(`steadfast-fault-proxy: Toxiproxy API on ${api.url}\n`)
  const stop = () => {
    void api.stop().then(() => process.exit(0))
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

void main()
