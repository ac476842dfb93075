/**
 * In-process generation of the testkit's certificates with `@peculiar/x509`
 * over Node's WebCrypto (ECDSA P-256: key generation and signing take a few
 * milliseconds, and Node's TLS accepts it).
 *
 * `@peculiar/x509` v2 needs a Reflect metadata polyfill before it is
 * evaluated (its DI container, tsyringe, throws otherwise). Both are loaded
 * here with dynamic `import()`, polyfill first, so the polyfill is installed
 * only in processes that actually generate certificates, and importing
 * `@steadfast/testkit` alone has no global side effect.
 */
import { webcrypto } from "node:crypto"
import * as net from "node:net"
import type { CertificateSet, KeyPairPem } from "../../Certificates.js"

type X509 = typeof import("@peculiar/x509")

const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const
const DAY = 24 * 60 * 60 * 1000

const loadX509 = async (): Promise<X509> => {
  await import("reflect-metadata")
  return await import("@peculiar/x509")
}

const serial = (): string => {
  const bytes = webcrypto.getRandomValues(new Uint8Array(12))
  bytes[0] = bytes[0]! & 0x7f | 0x01 // positive and non-zero
  return Buffer.from(bytes).toString("hex")
}

const newKeys = (): Promise<webcrypto.CryptoKeyPair> =>
  webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]) as Promise<webcrypto.CryptoKeyPair>

const keyPem = async (x509: X509, key: webcrypto.CryptoKey): Promise<string> =>
  x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY")

const sanFor = (x509: X509, names: ReadonlyArray<string>) =>
  new x509.SubjectAlternativeNameExtension(
    names.map((name) => net.isIP(name) ? { type: "ip" as const, value: name } : { type: "dns" as const, value: name })
  )

const generateSet = async (): Promise<CertificateSet> => {
  const x509 = await loadX509()
  const crypto = webcrypto
  // wall time on purpose: TLS stacks check validity against the real clock, not an Effect clock
  const now = Date.now()

  const caKeys = await newKeys()
  const caName = "CN=steadfast testkit CA, O=steadfast testkit"
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: caName,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    keys: caKeys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto)
    ]
  }, crypto)

  const leaf = async (options: {
    readonly cn: string
    readonly names: ReadonlyArray<string>
    readonly notBefore: number
    readonly notAfter: number
    readonly selfSigned: boolean
  }): Promise<KeyPairPem> => {
    const keys = await newKeys()
    const extensions = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      sanFor(x509, options.names),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto)
    ]
    const cert = options.selfSigned
      ? await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serial(),
        name: `CN=${options.cn}`,
        notBefore: new Date(options.notBefore),
        notAfter: new Date(options.notAfter),
        keys,
        signingAlgorithm: algorithm,
        extensions
      }, crypto)
      : await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${options.cn}`,
        issuer: ca.subject,
        notBefore: new Date(options.notBefore),
        notAfter: new Date(options.notAfter),
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: algorithm,
        extensions: [...extensions, await x509.AuthorityKeyIdentifierExtension.create(ca, false, crypto)]
      }, crypto)
    return { cert: cert.toString("pem"), key: await keyPem(x509, keys.privateKey) }
  }

  const valid = { notBefore: now - DAY, notAfter: now + 825 * DAY }
  const [localhost, selfSigned, expired, wrongHost] = await Promise.all([
    leaf({ cn: "localhost", names: ["localhost", "127.0.0.1"], ...valid, selfSigned: false }),
    leaf({ cn: "localhost", names: ["localhost", "127.0.0.1"], ...valid, selfSigned: true }),
    leaf({
      cn: "localhost",
      names: ["localhost", "127.0.0.1"],
      notBefore: now - 60 * DAY,
      notAfter: now - 30 * DAY,
      selfSigned: false
    }),
    leaf({ cn: "wrong.example", names: ["wrong.example"], ...valid, selfSigned: false })
  ])
  return {
    ca: { cert: ca.toString("pem"), key: await keyPem(x509, caKeys.privateKey) },
    localhost,
    selfSigned,
    expired,
    wrongHost
  }
}

let cached: Promise<CertificateSet> | undefined

/** The per-process set: generated on first use, then shared. */
export const generate = (): Promise<CertificateSet> => {
  if (cached === undefined) {
    cached = generateSet()
    // a failed generation is not cached, so a later call can try again
    cached.catch(() => {
      cached = undefined
    })
  }
  return cached
}
