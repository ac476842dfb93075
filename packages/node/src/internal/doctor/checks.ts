/**
 * The connection doctor's checks (see `Doctor`).
 *
 * Timings are `performance.now()` differences: reported, never waited on.
 *
 * @internal
 */
import { Redact } from "@steadfast/core"
import * as Config from "@steadfast/core/line/Config"
import * as Duration from "@steadfast/core/line/Duration"
import * as Effect from "@steadfast/core/line/Effect"
import * as Clock from "effect/Clock"
import * as Option from "effect/Option"
import * as net from "node:net"
import * as tls from "node:tls"
import type * as Doctor from "../../Doctor.js"
import * as Proxy from "../../Proxy.js"
import * as ProxyUrl from "../proxy.js"
import { classify, DEFAULT_TIMEOUT, ms, type Where } from "./explain.js"
import { httpStep } from "./http.js"
import * as Outcome from "./outcome.js"
import {
  connectTcp,
  defaultLookup,
  handshake,
  name,
  readCa,
  StepTimeout,
  stripBrackets,
  withTimeout
} from "./probes.js"

type Failure = Doctor.Failure
type Step = Doctor.Step

// --- the steps ----------------------------------------------------------------

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
      const read = yield* Outcome.of(readCa(options.ca))
      if (Outcome.isFailed(read)) {
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
      ? Outcome.done<ReadonlyArray<Doctor.Address>>([{ address: host, family: net.isIP(host) }])
      : yield* Outcome.of(withTimeout(Effect.tryPromise({ try: () => lookup(host), catch: (e) => e }), timeout))
    const dnsReport: Doctor.Dns = {
      host,
      literal,
      addresses: Outcome.getOrElse(resolved, () => []),
      durationMs: literal ? 0 : performance.now() - dnsStart,
      proxy: proxyInfo !== undefined
    }
    if (Outcome.isFailed(resolved)) {
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
          const result = yield* Outcome.of(withTimeout(connectTcp(address, targetPort), timeout))
          const durationMs = performance.now() - start
          if (Outcome.isDone(result)) {
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
      const result = yield* Outcome.of(withTimeout(handshake(connected.address, port, servername, ca), timeout))
      const durationMs = performance.now() - start
      if (Outcome.isFailed(result)) {
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
    const hops = yield* httpStep({ url, options, proxyUrl, ca, timeout, where, failures, warnings })
    return report({ environment: environmentReport, dns: dnsReport, tcp, tls: tlsReport, http: hops }, shown)
  })
