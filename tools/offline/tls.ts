/**
 * Real keys and certificates for @pulumi/tls resources under the mock runtime: a real CA, leaf
 * certificates signed by it with the requested SANs and usages, real PEM. The offline plan thus
 * carries a PKI that real etcd and real TLS clients accept.
 */
import "reflect-metadata";
import { generateKeyPairSync, createPublicKey, createPrivateKey, webcrypto, randomBytes, createHash } from "node:crypto";
import * as x509 from "@peculiar/x509";

type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type State = Record<string, unknown>;
const ECDSA = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

const USAGE_BITS: Record<string, number> = {
  digital_signature: x509.KeyUsageFlags.digitalSignature,
  content_commitment: x509.KeyUsageFlags.nonRepudiation,
  key_encipherment: x509.KeyUsageFlags.keyEncipherment,
  data_encipherment: x509.KeyUsageFlags.dataEncipherment,
  key_agreement: x509.KeyUsageFlags.keyAgreement,
  cert_signing: x509.KeyUsageFlags.keyCertSign,
  crl_signing: x509.KeyUsageFlags.cRLSign,
};
const EKU: Record<string, string> = {
  server_auth: x509.ExtendedKeyUsage.serverAuth,
  client_auth: x509.ExtendedKeyUsage.clientAuth,
  code_signing: x509.ExtendedKeyUsage.codeSigning,
  email_protection: x509.ExtendedKeyUsage.emailProtection,
};

interface Subject {
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
  locality?: string;
  province?: string;
}

function subjectName(s: Subject | undefined): string {
  const parts: string[] = [];
  const esc = (v: string) => v.replace(/([,+"\\<>;=])/g, "\\$1");
  if (s?.country) parts.push(`C=${esc(s.country)}`);
  if (s?.province) parts.push(`ST=${esc(s.province)}`);
  if (s?.locality) parts.push(`L=${esc(s.locality)}`);
  if (s?.organization) parts.push(`O=${esc(s.organization)}`);
  if (s?.organizationalUnit) parts.push(`OU=${esc(s.organizationalUnit)}`);
  if (s?.commonName) parts.push(`CN=${esc(s.commonName)}`);
  return parts.join(", ");
}

async function importPrivate(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ type: "pkcs8", format: "der" });
  return webcrypto.subtle.importKey("pkcs8", der, ECDSA, false, ["sign"]) as Promise<CryptoKey>;
}

function keyAlgorithmOf(pem: string): string {
  const k = createPrivateKey(pem);
  return k.asymmetricKeyType === "ec" ? "ECDSA" : k.asymmetricKeyType === "rsa" ? "RSA" : "ED25519";
}

function sanExtension(dnsNames: string[], ipAddresses: string[]): x509.Extension[] {
  const names: x509.JsonGeneralName[] = [
    ...dnsNames.map((value) => ({ type: "dns" as const, value })),
    ...ipAddresses.map((value) => ({ type: "ip" as const, value })),
  ];
  return names.length ? [new x509.SubjectAlternativeNameExtension(names, false)] : [];
}

async function usageExtensions(uses: string[], isCa: boolean, publicKey: CryptoKey, issuerKey?: CryptoKey): Promise<x509.Extension[]> {
  const bits = uses.reduce((acc, u) => acc | (USAGE_BITS[u] ?? 0), 0);
  const ekus = uses.map((u) => EKU[u]).filter(Boolean);
  const ext: x509.Extension[] = [new x509.BasicConstraintsExtension(isCa, undefined, true)];
  if (bits) ext.push(new x509.KeyUsagesExtension(bits, true));
  if (ekus.length) ext.push(new x509.ExtendedKeyUsageExtension(ekus, false));
  ext.push(await x509.SubjectKeyIdentifierExtension.create(publicKey));
  if (issuerKey) ext.push(await x509.AuthorityKeyIdentifierExtension.create(issuerKey));
  return ext;
}

function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive
  return b.toString("hex");
}

function validity(hours: number, now: Date): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + hours * 3600 * 1000) };
}

async function publicCryptoKey(pem: string): Promise<CryptoKey> {
  const der = createPublicKey(pem).export({ type: "spki", format: "der" });
  return webcrypto.subtle.importKey("spki", der, ECDSA, true, ["verify"]) as Promise<CryptoKey>;
}

/** What the tls provider computes per type: unknown during a preview of a new resource. */
export const TLS_COMPUTED: Record<string, string[]> = {
  "tls:index/privateKey:PrivateKey": [
    "privateKeyPem",
    "privateKeyPemPkcs8",
    "publicKeyPem",
    "publicKeyFingerprintSha256",
    "privateKeyOpenssh",
    "publicKeyOpenssh",
    "publicKeyFingerprintMd5",
  ],
  "tls:index/selfSignedCert:SelfSignedCert": ["certPem", "validityStartTime", "validityEndTime", "readyForRenewal", "keyAlgorithm"],
  "tls:index/certRequest:CertRequest": ["certRequestPem", "keyAlgorithm"],
  "tls:index/locallySignedCert:LocallySignedCert": ["certPem", "validityStartTime", "validityEndTime", "readyForRenewal", "caKeyAlgorithm"],
};

export class TlsEmulator {
  constructor(private readonly now: () => Date = () => new Date()) {}

  handles(type: string): boolean {
    return type.startsWith("tls:index/");
  }

  async newResource(type: string, name: string, inputs: State): Promise<{ id: string; state: State }> {
    const id = createHash("sha256").update(`${type}::${name}`).digest("hex").slice(0, 40);
    switch (type) {
      case "tls:index/privateKey:PrivateKey":
        return { id, state: { ...inputs, ...this.privateKey(inputs) } };
      case "tls:index/selfSignedCert:SelfSignedCert":
        return { id, state: { ...inputs, ...(await this.selfSigned(inputs)) } };
      case "tls:index/certRequest:CertRequest":
        return { id, state: { ...inputs, ...(await this.certRequest(inputs)) } };
      case "tls:index/locallySignedCert:LocallySignedCert":
        return { id, state: { ...inputs, ...(await this.locallySigned(inputs)) } };
      default:
        throw new Error(`the offline TLS emulation has no model for ${type}`);
    }
  }

  private privateKey(inputs: State): State {
    if (inputs.algorithm !== "ECDSA" || (inputs.ecdsaCurve ?? "P224") !== "P256") {
      throw new Error(`offline TLS emulation supports ECDSA P256 keys (kubestead's choice); got ${inputs.algorithm}/${inputs.ecdsaCurve}`);
    }
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const spki = publicKey.export({ type: "spki", format: "der" });
    return {
      privateKeyPem: privateKey.export({ type: "sec1", format: "pem" }).toString(),
      privateKeyPemPkcs8: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
      publicKeyFingerprintSha256: `SHA256:${createHash("sha256").update(spki).digest("base64").replace(/=+$/, "")}`,
      privateKeyOpenssh: "",
      publicKeyOpenssh: "",
      publicKeyFingerprintMd5: "",
    };
  }

  private async selfSigned(inputs: State): Promise<State> {
    const keyPem = String(inputs.privateKeyPem);
    const signingKey = await importPrivate(keyPem);
    const publicKey = await publicCryptoKey(keyPem);
    const { notBefore, notAfter } = validity(Number(inputs.validityPeriodHours), this.now());
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: subjectName(inputs.subject as Subject),
      issuer: subjectName(inputs.subject as Subject),
      notBefore,
      notAfter,
      signingAlgorithm: ECDSA,
      publicKey,
      signingKey,
      extensions: [
        ...(await usageExtensions((inputs.allowedUses as string[]) ?? [], Boolean(inputs.isCaCertificate), publicKey, publicKey)),
        ...sanExtension((inputs.dnsNames as string[]) ?? [], (inputs.ipAddresses as string[]) ?? []),
      ],
    });
    return this.certOutputs(cert, inputs, keyAlgorithmOf(keyPem));
  }

  private async certRequest(inputs: State): Promise<State> {
    const keyPem = String(inputs.privateKeyPem);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: subjectName(inputs.subject as Subject),
      keys: { privateKey: await importPrivate(keyPem), publicKey: await publicCryptoKey(keyPem) },
      signingAlgorithm: ECDSA,
      extensions: sanExtension((inputs.dnsNames as string[]) ?? [], (inputs.ipAddresses as string[]) ?? []),
    });
    return { certRequestPem: csr.toString("pem") + "\n", keyAlgorithm: keyAlgorithmOf(keyPem) };
  }

  private async locallySigned(inputs: State): Promise<State> {
    const csr = new x509.Pkcs10CertificateRequest(String(inputs.certRequestPem));
    if (!(await csr.verify())) throw new Error("offline TLS emulation: certificate request signature does not verify");
    const ca = new x509.X509Certificate(String(inputs.caCertPem));
    const caKeyPem = String(inputs.caPrivateKeyPem);
    const caPublic = await publicCryptoKey(caKeyPem);
    const subjectPublic = await csr.publicKey.export(ECDSA, ["verify"]);
    const san = csr.extensions.find((e) => e.type === "2.5.29.17");
    const { notBefore, notAfter } = validity(Number(inputs.validityPeriodHours), this.now());
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: csr.subject,
      issuer: ca.subject,
      notBefore,
      notAfter,
      signingAlgorithm: ECDSA,
      publicKey: subjectPublic,
      signingKey: await importPrivate(caKeyPem),
      extensions: [
        ...(await usageExtensions((inputs.allowedUses as string[]) ?? [], Boolean(inputs.isCaCertificate), subjectPublic, caPublic)),
        ...(san ? [san] : []),
      ],
    });
    return { ...this.certOutputs(cert, inputs, keyAlgorithmOf(caKeyPem)), caKeyAlgorithm: keyAlgorithmOf(caKeyPem) };
  }

  private certOutputs(cert: x509.X509Certificate, inputs: State, keyAlgorithm: string): State {
    const early = Number(inputs.earlyRenewalHours ?? 0);
    return {
      certPem: cert.toString("pem") + "\n",
      validityStartTime: cert.notBefore.toISOString().replace(/\.\d{3}Z$/, "Z"),
      validityEndTime: cert.notAfter.toISOString().replace(/\.\d{3}Z$/, "Z"),
      readyForRenewal: cert.notAfter.getTime() - early * 3600 * 1000 <= this.now().getTime(),
      keyAlgorithm,
    };
  }
}
