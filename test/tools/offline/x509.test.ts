import { createPrivateKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { decodeOid, integer, oid, read, time, unpem } from "../../../tools/offline/der";
import { TlsEmulator } from "../../../tools/offline/tls";
import { certificateSubject, parseRequest } from "../../../tools/offline/x509";

const NOW = new Date("2026-11-27T12:00:00Z");
const tls = new TlsEmulator(() => NOW);
const key = async () =>
  (await tls.newResource("tls:index/privateKey:PrivateKey", `k${Math.random()}`, { algorithm: "ECDSA", ecdsaCurve: "P256" })).state;

describe("DER", () => {
  test.each([
    [0, "020100"],
    [127, "02017f"],
    [128, "02020080"],
    [256, "02020100"],
  ])("INTEGER %i", (n, hex) => expect(integer(n).toString("hex")).toBe(hex));
  test("OIDs round-trip, including multi-byte arcs", () => {
    for (const o of ["1.2.840.10045.4.3.2", "2.5.29.17", "1.3.6.1.5.5.7.3.1"]) expect(decodeOid(read(oid(o)).content)).toBe(o);
  });
  test("UTCTime before 2050, GeneralizedTime after", () => {
    expect(time(new Date("2036-01-02T03:04:05Z")).toString("latin1").slice(2)).toBe("360102030405Z");
    expect(time(new Date("2051-01-02T03:04:05Z"))[0]).toBe(0x18);
  });
});

describe("the TLS emulation", () => {
  test("a CA and a leaf that chains to it, with the requested SANs, usages and validity", async () => {
    const caKey = await key();
    const ca = (
      await tls.newResource("tls:index/selfSignedCert:SelfSignedCert", "ca", {
        privateKeyPem: caKey.privateKeyPem,
        subject: { commonName: "etcd-ca", organization: "acme" },
        isCaCertificate: true,
        validityPeriodHours: 87600,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
      })
    ).state;
    const leafKey = await key();
    const csr = (
      await tls.newResource("tls:index/certRequest:CertRequest", "csr", {
        privateKeyPem: leafKey.privateKeyPem,
        subject: { commonName: "etcd-0" },
        dnsNames: ["etcd-0.example.internal"],
        ipAddresses: ["10.0.0.4", "127.0.0.1"],
      })
    ).state;
    const leaf = (
      await tls.newResource("tls:index/locallySignedCert:LocallySignedCert", "leaf", {
        certRequestPem: csr.certRequestPem,
        caCertPem: ca.certPem,
        caPrivateKeyPem: caKey.privateKeyPem,
        validityPeriodHours: 24,
        earlyRenewalHours: 48,
        allowedUses: ["digital_signature", "server_auth", "client_auth"],
      })
    ).state;
    const caCert = new X509Certificate(String(ca.certPem));
    const cert = new X509Certificate(String(leaf.certPem));
    expect(caCert.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.issuer).toBe(caCert.subject);
    expect(cert.subjectAltName).toBe("DNS:etcd-0.example.internal, IP Address:10.0.0.4, IP Address:127.0.0.1");
    expect(cert.keyUsage?.sort()).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
    expect(cert.checkPrivateKey(createPrivateKey(String(leafKey.privateKeyPem)))).toBe(true);
    expect(leaf.validityEndTime).toBe("2026-11-28T12:00:00Z");
    expect(leaf.readyForRenewal).toBe(true);
    expect(certificateSubject(String(ca.certPem)).equals(certificateSubject(String(ca.certPem)))).toBe(true);
  });

  test("a request whose signature does not verify is refused", async () => {
    const k = await key();
    const csr = String(
      (
        await tls.newResource("tls:index/certRequest:CertRequest", "c", {
          privateKeyPem: k.privateKeyPem,
          subject: { commonName: "node-a" },
        })
      ).state.certRequestPem,
    );
    expect(parseRequest(csr).subject.includes(Buffer.from("node-a"))).toBe(true);
    const der = unpem(csr);
    // Same structure, another name: the signature no longer covers what the request says.
    const tampered = Buffer.from(der);
    tampered[der.indexOf(Buffer.from("node-a")) + 5] = "b".charCodeAt(0);
    const text = `-----BEGIN CERTIFICATE REQUEST-----\n${tampered.toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(() => parseRequest(text)).toThrow(/does not verify/);
  });

  test("only ECDSA P-256 keys", async () => {
    await expect(tls.newResource("tls:index/privateKey:PrivateKey", "rsa", { algorithm: "RSA", rsaBits: 2048 })).rejects.toThrow(
      /ECDSA P256/,
    );
    expect(generateKeyPairSync).toBeDefined();
  });
});
