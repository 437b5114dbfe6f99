/**
 * Real keys and certificates for @pulumi/tls resources under the mock runtime: a real CA, leaf
 * certificates signed by it with the requested SANs and usages, real PEM. The offline plan thus
 * carries a PKI that real etcd and real TLS clients accept. Keys are ECDSA P-256 (kubestead's
 * only algorithm); certificates are built by ./x509.ts on Node's own crypto.
 */
import { createHash, createPrivateKey, generateKeyPairSync, KeyObject, randomBytes } from "node:crypto";
import { certificate, certificateSubject, certificationRequest, name, parseRequest, sanExtension, spkiOf, Subject } from "./x509";

type State = Record<string, unknown>;

function keyAlgorithmOf(key: KeyObject): string {
  const t = key.asymmetricKeyType;
  return t === "ec" ? "ECDSA" : t === "rsa" ? "RSA" : "ED25519";
}

function serial(): Buffer {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive
  return b;
}

function validity(hours: number, now: Date): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + hours * 3600 * 1000) };
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

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
  /**
   * Keys by PEM, with their public key (DER SubjectPublicKeyInfo): a key made here is used again by
   * its CSR and, for a CA, by every certificate it signs, and parsing PEM through OpenSSL costs
   * more than signing with the parsed key.
   */
  private readonly keys = new Map<string, { key: KeyObject; spki: Buffer }>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  private key(pem: string): { key: KeyObject; spki: Buffer } {
    let k = this.keys.get(pem);
    if (!k) {
      const key = createPrivateKey(pem);
      k = { key, spki: spkiOf(key) };
      this.keys.set(pem, k);
    }
    return k;
  }

  handles(type: string): boolean {
    return type.startsWith("tls:index/");
  }

  async newResource(type: string, name: string, inputs: State): Promise<{ id: string; state: State }> {
    const id = createHash("sha256").update(`${type}::${name}`).digest("hex").slice(0, 40);
    switch (type) {
      case "tls:index/privateKey:PrivateKey":
        return { id, state: { ...inputs, ...this.privateKey(inputs) } };
      case "tls:index/selfSignedCert:SelfSignedCert":
        return { id, state: { ...inputs, ...this.selfSigned(inputs) } };
      case "tls:index/certRequest:CertRequest":
        return { id, state: { ...inputs, ...this.certRequest(inputs) } };
      case "tls:index/locallySignedCert:LocallySignedCert":
        return { id, state: { ...inputs, ...this.locallySigned(inputs) } };
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
    const privateKeyPem = privateKey.export({ type: "sec1", format: "pem" }).toString();
    const privateKeyPemPkcs8 = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const entry = { key: privateKey, spki };
    this.keys.set(privateKeyPem, entry).set(privateKeyPemPkcs8, entry);
    return {
      privateKeyPem,
      privateKeyPemPkcs8,
      publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
      publicKeyFingerprintSha256: `SHA256:${createHash("sha256").update(spki).digest("base64").replace(/=+$/, "")}`,
      privateKeyOpenssh: "",
      publicKeyOpenssh: "",
      publicKeyFingerprintMd5: "",
    };
  }

  private selfSigned(inputs: State): State {
    const { key, spki } = this.key(String(inputs.privateKeyPem));
    const subject = name(inputs.subject as Subject);
    const { notBefore, notAfter } = validity(Number(inputs.validityPeriodHours), this.now());
    const certPem = certificate({
      serial: serial(),
      issuer: subject,
      subject,
      notBefore,
      notAfter,
      subjectSpki: spki,
      issuerSpki: spki,
      isCa: Boolean(inputs.isCaCertificate),
      allowedUses: list(inputs.allowedUses),
      san: sanExtension(list(inputs.dnsNames), list(inputs.ipAddresses)),
      signingKey: key,
    });
    return this.certOutputs(certPem, notBefore, notAfter, inputs, keyAlgorithmOf(key));
  }

  private certRequest(inputs: State): State {
    const { key, spki } = this.key(String(inputs.privateKeyPem));
    const pem = certificationRequest(
      name(inputs.subject as Subject),
      key,
      sanExtension(list(inputs.dnsNames), list(inputs.ipAddresses)),
      spki,
    );
    return { certRequestPem: pem, keyAlgorithm: keyAlgorithmOf(key) };
  }

  private locallySigned(inputs: State): State {
    const request = parseRequest(String(inputs.certRequestPem));
    const { key: caKey, spki: caSpki } = this.key(String(inputs.caPrivateKeyPem));
    const { notBefore, notAfter } = validity(Number(inputs.validityPeriodHours), this.now());
    const certPem = certificate({
      serial: serial(),
      issuer: certificateSubject(String(inputs.caCertPem)),
      subject: request.subject,
      notBefore,
      notAfter,
      subjectSpki: request.spki,
      issuerSpki: caSpki,
      isCa: Boolean(inputs.isCaCertificate),
      allowedUses: list(inputs.allowedUses),
      san: request.san,
      signingKey: caKey,
    });
    return {
      ...this.certOutputs(certPem, notBefore, notAfter, inputs, keyAlgorithmOf(caKey)),
      caKeyAlgorithm: keyAlgorithmOf(caKey),
    };
  }

  private certOutputs(certPem: string, notBefore: Date, notAfter: Date, inputs: State, keyAlgorithm: string): State {
    const early = Number(inputs.earlyRenewalHours ?? 0);
    const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
    return {
      certPem,
      validityStartTime: rfc3339(notBefore),
      validityEndTime: rfc3339(notAfter),
      readyForRenewal: notAfter.getTime() - early * 3600 * 1000 <= this.now().getTime(),
      keyAlgorithm,
    };
  }
}
