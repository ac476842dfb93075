/**
 * The connection doctor's checks (see `Doctor`).
 *
 * Timings are `performance.now()` differences: reported, never waited on.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpMethod from "@effect/platform/HttpMethod"
import { Client, Redact, Redirects, RetryAfter, Timeouts } from "@steadfast/core"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as dns from "node:dns"
import * as fs from "node:fs/promises"
import * as net from "node:net"
import * as tls from "node:tls"
import type * as Doctor from "../../Doctor.js"
import * as NodeClient from "../../NodeClient.js"
import * as Proxy from "../../Proxy.js"
import * as ProxyUrl from "../proxy.js"
import { classify, DEFAULT_TIMEOUT, describe, ms, statusFix, USER_AGENT, type Where } from "./explain.js"

type Failure = Doctor.Failure
type Step = Doctor.Step

// --- the steps ----------------------------------------------------------------

const lowerCaseKeys = (headers: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))

const stripBrackets = (host: string) => host.startsWith("[") ? host.slice(1, -1) : host

const defaultLookup = (hostname: string): Promise<ReadonlyArray<Doctor.Address>> =>
  dns.promises.lookup(hostname, { all: true, verbatim: true })

class StepTimeout {
  readonly _tag = "StepTimeout"
}

const withTimeout = <A>(effect: Effect.Effect<A, unknown>, timeout: Duration.Duration) =>
  Effect.timeoutFail(effect, { duration: timeout, onTimeout: () => new StepTimeout() })

const connectTcp = (address: string, port: number): Effect.Effect<net.Socket, unknown> =>
  Effect.async<net.Socket, unknown>((resume) => {
    const socket = net.connect({ host: address, port })
    socket.once("connect", () => resume(Effect.succeed(socket)))
    socket.once("error", (error) => resume(Effect.fail(error)))
    return Effect.sync(() => socket.destroy())
  })

interface Handshake {
  readonly socket: tls.TLSSocket
}

const handshake = (
  address: string,
  port: number,
  servername: string | undefined,
  ca: string | undefined
): Effect.Effect<Handshake, unknown> =>
  Effect.async<Handshake, unknown>((resume) => {
    // rejectUnauthorized: false to finish the handshake and report on the
    // certificate whatever the verdict; nothing is sent on this socket
    const socket = tls.connect({
      host: address,
      port,
      ...(servername === undefined ? {} : { servername }),
      ...(ca === undefined ? {} : { ca }),
      rejectUnauthorized: false,
      ALPNProtocols: ["http/1.1"]
    })
    socket.once("secureConnect", () => resume(Effect.succeed({ socket })))
    socket.once("error", (error) => resume(Effect.fail(error)))
    return Effect.sync(() => socket.destroy())
  })

const name = (entity: Record<string, unknown> | undefined): string | undefined => {
  if (entity === undefined) return undefined
  const parts = ["CN", "O", "OU", "C"].flatMap((k) => entity[k] === undefined ? [] : [`${k}=${String(entity[k])}`])
  return parts.length === 0 ? undefined : parts.join(", ")
}

const readCa = (ca: string): Effect.Effect<string, Failure> =>
  ca.includes("-----BEGIN ") ? Effect.succeed(ca) : Effect.tryPromise({
    try: () => fs.readFile(ca, "utf8"),
    catch: (cause): Failure => ({
      step: "tls",
      _tag: "InvalidPoolOptions",
      code: (cause as { code?: string }).code,
      explanation: `The CA file ${ca} cannot be read.`,
      fix: "Give the path of a PEM file (or PEM text) to --ca."
    })
  })

const environment = Config.all({
  proxies: Proxy.environment,
  allProxy: Config.option(Config.string("ALL_PROXY")),
  allProxyLower: Config.option(Config.string("all_proxy")),
  rejectUnauthorized: Config.option(Config.string("NODE_TLS_REJECT_UNAUTHORIZED")),
  extraCa: Config.option(Config.string("NODE_EXTRA_CA_CERTS"))
})

/** @internal */
export const run = (options: Doctor.Options): Effect.Effect<Doctor.Report> =>
  Effect.gen(function*() {
    const failures: Array<Failure> = []
    const warnings: Array<string> = []
    const skipped: Array<Step> = []
    const timeout = options.timeout === undefined ? DEFAULT_TIMEOUT : Duration.decode(options.timeout)
    const timeoutMs = Duration.toMillis(timeout)
    const report = (
      parts: Partial<Pick<Doctor.Report, "environment" | "dns" | "tls" | "tcp" | "http">>,
      url: string
    ): Doctor.Report => ({
      url,
      ok: failures.length === 0,
      environment: parts.environment,
      dns: parts.dns,
      tcp: parts.tcp ?? [],
      tls: parts.tls,
      http: parts.http ?? [],
      skipped,
      failures,
      warnings
    })

    // -- the url
    let url: URL
    try {
      url = new URL(options.url)
    } catch {
      failures.push({
        step: "url",
        _tag: "InvalidUrl",
        explanation: `${Redact.url(options.url)} cannot be parsed as a url.`,
        fix: "Give an absolute http:// or https:// url."
      })
      skipped.push("dns", "tcp", "tls", "http")
      return report({}, Redact.url(options.url))
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      // `user:password@host` without a scheme parses as a url whose scheme is
      // the user name, and which has no password: redact the authority it is
      // meant to be
      const schemeless = !options.url.includes("://")
      const shown = schemeless ? ProxyUrl.redact(options.url).replace(/^http:\/\//, "") : Redact.url(url)
      failures.push({
        step: "url",
        _tag: "InvalidUrl",
        explanation: schemeless
          ? `${shown} has no scheme.`
          : `The scheme ${url.protocol} is not http: or https:.`,
        fix: "Give an absolute http:// or https:// url."
      })
      skipped.push("dns", "tcp", "tls", "http")
      return report({}, shown)
    }
    const shown = Redact.url(url)
    const https = url.protocol === "https:"
    // TLS does not apply to http urls: never listed as skipped for them
    const skip = (...steps: Array<Step>) => skipped.push(...steps.filter((step) => step !== "tls" || https))
    const port = Number(url.port) || (https ? 443 : 80)

    // -- the environment
    const env = yield* Effect.orElseSucceed(environment, () => ({
      proxies: { httpProxy: undefined, httpsProxy: undefined, noProxy: undefined },
      allProxy: Option.none<string>(),
      allProxyLower: Option.none<string>(),
      rejectUnauthorized: Option.none<string>(),
      extraCa: Option.none<string>()
    }))
    const variables: Record<string, string> = {}
    if (env.proxies.httpProxy !== undefined) variables["HTTP_PROXY"] = ProxyUrl.redact(env.proxies.httpProxy)
    if (env.proxies.httpsProxy !== undefined) variables["HTTPS_PROXY"] = ProxyUrl.redact(env.proxies.httpsProxy)
    if (env.proxies.noProxy !== undefined) variables["NO_PROXY"] = env.proxies.noProxy
    const allProxy = Option.orElse(env.allProxyLower, () => env.allProxy)
    const notes: Array<string> = []
    if (Option.isSome(allProxy)) {
      variables["ALL_PROXY"] = ProxyUrl.redact(allProxy.value)
      notes.push("ALL_PROXY is set: steadfast (like undici) does not read it; set HTTP_PROXY / HTTPS_PROXY.")
    }
    if (Option.isSome(env.rejectUnauthorized) && env.rejectUnauthorized.value.trim() === "0") {
      notes.push(
        "NODE_TLS_REJECT_UNAUTHORIZED=0 is set: other Node code in this process skips certificate checks; steadfast does not."
      )
    }
    if (Option.isSome(env.extraCa)) notes.push(`NODE_EXTRA_CA_CERTS=${env.extraCa.value} adds CAs to Node's roots.`)

    let proxyUrl: URL | undefined
    let proxySource: Doctor.Environment["proxySource"] = "none"
    const proxyOption = options.proxy ?? "env"
    if (proxyOption !== "none" && proxyOption !== "env") {
      const parsed = Proxy.parseUrl(proxyOption)
      if (typeof parsed === "string") {
        failures.push({
          step: "environment",
          _tag: "InvalidPoolOptions",
          explanation: `The proxy ${parsed}.`,
          fix: "Give --proxy as http://[user:pass@]host:port."
        })
        skip("dns", "tcp", "tls", "http")
        return report({}, shown)
      }
      proxyUrl = parsed
      proxySource = "option"
    } else if (proxyOption === "env") {
      const settings = Proxy.settings({ url: "env" }, env.proxies)
      if (typeof settings === "string") {
        failures.push({
          step: "environment",
          _tag: "InvalidPoolOptions",
          explanation: `The proxy variable is unusable: ${settings}.`,
          fix: "Fix HTTP_PROXY / HTTPS_PROXY (http://[user:pass@]host:port), or bypass it with --proxy none."
        })
        skip("dns", "tcp", "tls", "http")
        return report({}, shown)
      }
      proxyUrl = Proxy.select(settings, url)
      if (proxyUrl !== undefined) proxySource = "environment"
    }
    const proxyInfo = proxyUrl === undefined ? undefined : Proxy.info(proxyUrl)
    const environmentReport: Doctor.Environment = {
      variables,
      proxy: proxyInfo?.url,
      proxySource,
      notes
    }

    let ca: string | undefined
    if (options.ca !== undefined) {
      const read = yield* Effect.either(readCa(options.ca))
      if (Either.isLeft(read)) {
        failures.push(read.left)
        skip("dns", "tcp", "tls", "http")
        return report({ environment: environmentReport }, shown)
      }
      ca = read.right
    }

    // -- DNS (of the proxy when there is one)
    const host = proxyInfo?.host ?? stripBrackets(url.hostname)
    const targetPort = proxyInfo?.port ?? port
    const where: Where = { host, port: targetPort, timeoutMs, proxy: proxyInfo?.url }
    const literal = net.isIP(host) !== 0
    const lookup = options.lookup ?? defaultLookup
    const dnsStart = performance.now()
    const resolved = literal
      ? Either.right<ReadonlyArray<Doctor.Address>>([{ address: host, family: net.isIP(host) }])
      : yield* Effect.either(withTimeout(Effect.tryPromise({ try: () => lookup(host), catch: (e) => e }), timeout))
    const dnsReport: Doctor.Dns = {
      host,
      literal,
      addresses: Either.getOrElse(resolved, () => []),
      durationMs: literal ? 0 : performance.now() - dnsStart,
      proxy: proxyInfo !== undefined
    }
    if (Either.isLeft(resolved)) {
      const error = resolved.left
      failures.push(
        error instanceof StepTimeout
          ? {
            step: "dns",
            _tag: "DnsError",
            code: "ETIMEOUT",
            explanation: `The DNS lookup of ${host} got no answer within ${ms(timeoutMs)}.`,
            fix: "Check this machine's resolver (/etc/resolv.conf) and network."
          }
          : classify("dns", error, url, where, "connect")
      )
      skip("tcp", "tls", "http")
      return report({ environment: environmentReport, dns: dnsReport }, shown)
    }
    if (dnsReport.addresses.length === 0) {
      failures.push({
        step: "dns",
        _tag: "DnsError",
        code: "ENODATA",
        explanation: `The DNS lookup of ${host} returned no address.`,
        fix: "Check the host name's records (A, AAAA) and which DNS server this machine uses."
      })
      skip("tcp", "tls", "http")
      return report({ environment: environmentReport, dns: dnsReport }, shown)
    }

    // -- TCP, to every address at once: the step's timeout bounds the step
    const hostPort = (address: string) => `${address.includes(":") ? `[${address}]` : address}:${targetPort}`
    const tcp: Array<Doctor.Connection> = yield* Effect.forEach(
      dnsReport.addresses,
      ({ address }) =>
        Effect.gen(function*() {
          const start = performance.now()
          const result = yield* Effect.either(withTimeout(connectTcp(address, targetPort), timeout))
          const durationMs = performance.now() - start
          if (Either.isRight(result)) {
            result.right.destroy()
            return { address, port: targetPort, ok: true, durationMs }
          }
          const failure: Failure = result.left instanceof StepTimeout
            ? {
              step: "tcp",
              _tag: "ConnectTimeout",
              explanation: `No answer from ${proxyInfo === undefined ? "" : "the proxy at "}${
                hostPort(address)
              } within ${ms(timeoutMs)}: packets are dropped.`,
              fix:
                "A firewall or security group drops the traffic, or the host is down; raise --timeout for a slow link."
            }
            : classify("tcp", result.left, url, { ...where, host: address }, "connect")
          return { address, port: targetPort, ok: false, durationMs, failure }
        }),
      { concurrency: "unbounded" }
    )
    const connected = tcp.find((c) => c.ok)
    if (connected === undefined) {
      for (const c of tcp) if (c.failure !== undefined) failures.push(c.failure)
      skip("tls", "http")
      return report({ environment: environmentReport, dns: dnsReport, tcp }, shown)
    }
    for (const c of tcp) {
      if (!c.ok) warnings.push(`${hostPort(c.address)} did not connect (${c.failure?._tag}), ${connected.address} did.`)
    }

    // -- TLS (direct connections only: through a proxy the request checks it)
    let tlsReport: Doctor.Tls | undefined
    if (https && proxyInfo === undefined) {
      const servername = net.isIP(stripBrackets(url.hostname)) === 0 ? url.hostname : undefined
      const start = performance.now()
      const result = yield* Effect.either(withTimeout(handshake(connected.address, port, servername, ca), timeout))
      const durationMs = performance.now() - start
      if (Either.isLeft(result)) {
        failures.push(
          result.left instanceof StepTimeout
            ? {
              step: "tls",
              _tag: "ConnectTimeout",
              explanation: `TCP connected, but the TLS handshake did not finish within ${ms(timeoutMs)}.`,
              fix: "The port may not speak TLS (try http://), or something in between holds the handshake."
            }
            : classify("tls", result.left, url, { ...where, host: stripBrackets(url.hostname) }, "connect")
        )
        skip("http")
        return report({ environment: environmentReport, dns: dnsReport, tcp }, shown)
      }
      const socket = result.right.socket
      const cert = socket.getPeerCertificate()
      const now = yield* Clock.currentTimeMillis
      const validTo = cert.valid_to === undefined ? undefined : Date.parse(cert.valid_to)
      const altNames = (cert.subjectaltname ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")
      const hostname = stripBrackets(url.hostname)
      const identity = tls.checkServerIdentity(hostname, cert)
      const authError = socket.authorizationError as unknown
      const trustError = socket.authorized
        ? undefined
        : typeof authError === "string"
        ? authError
        : (authError as { code?: string } | null)?.code ?? String(authError)
      const chainTrusted = trustError === undefined || trustError === "ERR_TLS_CERT_ALTNAME_INVALID"
      tlsReport = {
        address: connected.address,
        durationMs,
        protocol: socket.getProtocol() ?? undefined,
        cipher: socket.getCipher()?.name,
        subject: name(cert.subject as unknown as Record<string, unknown>),
        issuer: name(cert.issuer as unknown as Record<string, unknown>),
        validFrom: cert.valid_from,
        validTo: cert.valid_to,
        daysLeft: validTo === undefined || Number.isNaN(validTo)
          ? undefined
          : Math.floor((validTo - now) / 86_400_000),
        altNames,
        hostnameMatches: identity === undefined,
        trusted: chainTrusted,
        trustError: chainTrusted ? undefined : trustError
      }
      socket.destroy()
      const code = !chainTrusted ? trustError : identity !== undefined ? "ERR_TLS_CERT_ALTNAME_INVALID" : undefined
      if (code !== undefined) {
        const failure = classify("tls", Object.assign(new Error(code), { code }), url, {
          ...where,
          host: hostname
        }, "connect")
        failures.push(
          failure.reason === "hostname-mismatch"
            ? {
              ...failure,
              explanation: `The server's certificate does not name ${hostname}; it names ${
                altNames.length === 0 ? "no alternative names" : altNames.join(", ")
              }.`
            }
            : failure.reason === "expired" && cert.valid_to !== undefined
            ? {
              ...failure,
              explanation: `The server's certificate is not valid now (valid ${cert.valid_from} to ${cert.valid_to}).`
            }
            : failure
        )
        skip("http")
        return report({ environment: environmentReport, dns: dnsReport, tcp, tls: tlsReport }, shown)
      }
      if (tlsReport.daysLeft !== undefined && tlsReport.daysLeft < 14) {
        warnings.push(`The certificate expires in ${tlsReport.daysLeft} days (${cert.valid_to}).`)
      }
    }

    // -- HTTP, through steadfast's own client
    const hops: Array<Doctor.Hop> = []
    const logged: Array<string> = []
    const capture = Logger.make(({ message }) => {
      logged.push(Array.isArray(message) ? message.join(" ") : String(message))
    })
    const layer = NodeClient.layer({
      proxy: proxyUrl === undefined ? { url: "none" } : { url: proxyUrl },
      ...(ca === undefined ? {} : { tls: { ca } }),
      retry: { retries: 0 },
      redirects: { follow: false },
      isFailure: () => false,
      timeouts: { connect: timeout, response: timeout, bodyIdle: timeout, deadline: Timeouts.off },
      spans: false,
      metrics: false,
      pool: { drainTimeout: "100 millis", statsInterval: Duration.infinity }
    })
    const maxRedirects = options.maxRedirects ?? 10
    const http = Effect.gen(function*() {
      const client = yield* Client.Client
      let current = url
      let method: HttpMethod.HttpMethod = options.method ?? "GET"
      let headers: Record<string, string> = lowerCaseKeys(options.headers ?? {})
      const chain: Array<string> = [Redact.url(current)]
      for (let hop = 0;; hop++) {
        const start = performance.now()
        const result = yield* Effect.either(
          client.execute(
            HttpClientRequest.make(method)(current).pipe(
              HttpClientRequest.setHeaders({ "user-agent": USER_AGENT, ...headers })
            )
          )
        )
        const ttfbMs = performance.now() - start
        if (Either.isLeft(result)) {
          failures.push(describe("http", result.left, { ...where, host: stripBrackets(current.hostname) }))
          return
        }
        const response = result.right
        const location = response.headers["location"]
        const retryAfter = response.headers["retry-after"]
        const now = yield* Clock.currentTimeMillis
        const retryAfterMs = RetryAfter.parse(retryAfter, now)
        // a Location that is not a url is reported, not thrown
        let next: URL | undefined
        try {
          next = location === undefined ? undefined : new URL(location, current)
        } catch {
          next = undefined
        }
        hops.push({
          method,
          url: Redact.url(current),
          headers: Object.keys(headers),
          status: response.status,
          ttfbMs,
          ...(location === undefined ? {} : { location: Redact.url(next ?? location) }),
          ...(retryAfter === undefined ? {} : { retryAfter }),
          ...(retryAfterMs === undefined ? {} : { retryAfterMs })
        })
        if ([301, 302, 303, 307, 308].includes(response.status) && location !== undefined) {
          if (next === undefined) {
            failures.push({
              step: "http",
              _tag: "InvalidUrl",
              explanation: `The server redirects (${response.status}) to ${
                Redact.url(location)
              }, which is not a url: steadfast does not follow it and returns the ${response.status} as it is.`,
              fix: "Fix the Location header on the server."
            })
            return
          }
          chain.push(Redact.url(next))
          if (hop >= maxRedirects) {
            failures.push({
              step: "http",
              _tag: "TooManyRedirects",
              explanation: `More than ${maxRedirects} redirects: ${chain.join(" -> ")}.`,
              fix: "Fix the redirect rules on the server (a loop, or a chain too long)."
            })
            return
          }
          if (current.protocol === "https:" && next.protocol === "http:") {
            failures.push({
              step: "http",
              _tag: "RedirectBlocked",
              explanation: `A redirect to ${
                Redact.url(next)
              } would send the request without TLS; steadfast does not follow it.`,
              fix: "Make the server redirect to https; allow downgrades in code only if clear text is acceptable."
            })
            return
          }
          if (next.protocol !== "http:" && next.protocol !== "https:") {
            failures.push({
              step: "http",
              _tag: "RedirectBlocked",
              explanation: `A redirect to ${Redact.url(next)} leaves http(s); steadfast does not follow it.`,
              fix: "Make the server redirect to an http(s) url."
            })
            return
          }
          // as steadfast's redirects do: 303, and 301/302 after a POST, turn into a GET;
          // credentials stay with the origin they were given for
          if (response.status === 303 || (method === "POST" && (response.status === 301 || response.status === 302))) {
            method = "GET"
          }
          if (next.origin !== current.origin) {
            const dropped = Object.keys(headers).filter((name) => Redirects.defaults.sensitiveHeaders.has(name))
            if (dropped.length > 0) {
              warnings.push(
                `${dropped.join(", ")} not sent to ${next.origin} (a redirect to another origin drops credentials).`
              )
              headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !dropped.includes(name)))
            }
          }
          current = next
          continue
        }
        if (response.status >= 400) {
          failures.push({
            step: "http",
            _tag: "StatusError",
            explanation: `The server answered ${response.status}${
              retryAfter === undefined ? "" : ` with Retry-After: ${retryAfter}`
            }.`,
            fix: statusFix(response.status, retryAfterMs)
          })
        }
        return
      }
    })
    const outcome = yield* Effect.either(
      Effect.scoped(Effect.provide(http, layer)).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, capture)))
    )
    if (Either.isLeft(outcome)) {
      failures.push({
        step: "http",
        _tag: outcome.left._tag,
        explanation: outcome.left.message,
        fix: "Fix the option named above."
      })
    }
    for (const line of logged) warnings.push(line)
    return report({ environment: environmentReport, dns: dnsReport, tcp, tls: tlsReport, http: hops }, shown)
  })
