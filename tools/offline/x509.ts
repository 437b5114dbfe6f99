/**
 * X.509 certificates and PKCS#10 requests for ECDSA P-256 keys, built with Node's crypto (keys,
 * SHA-256/ECDSA signatures) and the DER helpers: the profile kubestead's PKI uses — subject and
 * SANs, key usage, extended key usage, basic constraints, subject and authority key identifiers.
 */
import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, verify } from "node:crypto";
import {
  bitString,
  bool,
  children,
  decodeOid,
  explicit,
  implicit,
  integer,
  octets,
  oid,
  pem,
  printable,
  read,
  seq,
  set,
  time,
  tlv,
  unpem,
  utf8,
} from "./der";

const ECDSA_SHA256 = "1.2.840.10045.4.3.2";
const EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const OID = {
  subjectKeyId: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyId: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
};
const KEY_USAGE_BITS: Record<string, number> = {
  digital_signature: 0,
  content_commitment: 1,
  key_encipherment: 2,
  data_encipherment: 3,
  key_agreement: 4,
  cert_signing: 5,
  crl_signing: 6,
};
const EXT_KEY_USAGE: Record<string, string> = {
  server_auth: "1.3.6.1.5.5.7.3.1",
  client_auth: "1.3.6.1.5.5.7.3.2",
  code_signing: "1.3.6.1.5.5.7.3.3",
  email_protection: "1.3.6.1.5.5.7.3.4",
};

export interface Subject {
  commonName?: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
  locality?: string;
  province?: string;
}

/** Name ::= RDNSequence, one attribute per RDN, in the conventional C, ST, L, O, OU, CN order. */
export function name(s: Subject | undefined): Buffer {
  const rdn = (id: string, value: Buffer) => set(seq(oid(id), value));
  const parts: Buffer[] = [];
  if (s?.country) parts.push(rdn("2.5.4.6", printable(s.country)));
  if (s?.province) parts.push(rdn("2.5.4.8", utf8(s.province)));
  if (s?.locality) parts.push(rdn("2.5.4.7", utf8(s.locality)));
  if (s?.organization) parts.push(rdn("2.5.4.10", utf8(s.organization)));
  if (s?.organizationalUnit) parts.push(rdn("2.5.4.11", utf8(s.organizationalUnit)));
  if (s?.commonName) parts.push(rdn("2.5.4.3", utf8(s.commonName)));
  return seq(...parts);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

function ipBytes(ip: string): Buffer {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`offline TLS emulation supports IPv4 SANs only (got ${JSON.stringify(ip)})`);
  }
  return Buffer.from(parts);
}

export function sanExtension(dnsNames: string[], ipAddresses: string[]): Buffer | undefined {
  if (dnsNames.length + ipAddresses.length === 0) return undefined;
  return extension(
    OID.subjectAltName,
    false,
    seq(...dnsNames.map((d) => implicit(2, Buffer.from(d, "ascii"))), ...ipAddresses.map((ip) => implicit(7, ipBytes(ip)))),
  );
}

function keyUsageBits(uses: string[]): Buffer | undefined {
  const bits = uses.map((u) => KEY_USAGE_BITS[u]).filter((b): b is number => b !== undefined);
  if (bits.length === 0) return undefined;
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[Math.floor(b / 8)] |= 0x80 >> (b % 8);
  return bitString(bytes, 7 - (highest % 8));
}

/** The subjectPublicKey bits of a SubjectPublicKeyInfo, for key identifiers. */
function publicKeyBits(spki: Buffer): Buffer {
  const [, bits] = children(read(spki));
  return bits.content.subarray(1);
}

export function keyIdentifier(spki: Buffer): Buffer {
  return createHash("sha1").update(publicKeyBits(spki)).digest();
}

export function spkiOf(key: KeyObject): Buffer {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return pub.export({ type: "spki", format: "der" });
}

function signed(body: Buffer, key: KeyObject): Buffer {
  return seq(body, seq(oid(ECDSA_SHA256)), bitString(sign("sha256", body, key)));
}

export interface CertificateSpec {
  serial: Buffer;
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  subjectSpki: Buffer;
  issuerSpki: Buffer;
  isCa: boolean;
  allowedUses: string[];
  /** A complete subjectAltName extension (from sanExtension or a request). */
  san?: Buffer;
  signingKey: KeyObject;
}

export function certificate(spec: CertificateSpec): string {
  const ekus = spec.allowedUses.map((u) => EXT_KEY_USAGE[u]).filter(Boolean);
  const ku = keyUsageBits(spec.allowedUses);
  const extensions = [
    extension(OID.basicConstraints, true, spec.isCa ? seq(bool(true)) : seq()),
    ...(ku ? [extension(OID.keyUsage, true, ku)] : []),
    ...(ekus.length ? [extension(OID.extKeyUsage, false, seq(...ekus.map(oid)))] : []),
    extension(OID.subjectKeyId, false, octets(keyIdentifier(spec.subjectSpki))),
    extension(OID.authorityKeyId, false, seq(implicit(0, keyIdentifier(spec.issuerSpki)))),
    ...(spec.san ? [spec.san] : []),
  ];
  const tbs = seq(
    explicit(0, integer(2)),
    integer(spec.serial),
    seq(oid(ECDSA_SHA256)),
    spec.issuer,
    seq(time(spec.notBefore), time(spec.notAfter)),
    spec.subject,
    spec.subjectSpki,
    explicit(3, seq(...extensions)),
  );
  return pem("CERTIFICATE", signed(tbs, spec.signingKey));
}

export function certificationRequest(subject: Buffer, key: KeyObject, san: Buffer | undefined, spki: Buffer = spkiOf(key)): string {
  const attributes = san ? [seq(oid(EXTENSION_REQUEST), set(seq(san)))] : [];
  // attributes [0] IMPLICIT SET OF Attribute: constructed context tag 0.
  const info = seq(integer(0), subject, spki, tlv(0xa0, Buffer.concat(attributes)));
  return pem("CERTIFICATE REQUEST", signed(info, key));
}

export interface ParsedRequest {
  subject: Buffer;
  spki: Buffer;
  san?: Buffer;
}

/** Reads a request made by certificationRequest and checks its signature. */
export function parseRequest(text: string): ParsedRequest {
  const [info, , sig] = children(read(unpem(text)));
  const [, subject, spki, attrs] = children(info);
  const publicKey = createPublicKey({ key: spki.raw, format: "der", type: "spki" });
  if (!verify("sha256", info.raw, publicKey, sig.content.subarray(1))) {
    throw new Error("offline TLS emulation: certificate request signature does not verify");
  }
  let san: Buffer | undefined;
  for (const attr of attrs ? children(attrs) : []) {
    const [type, values] = children(attr);
    if (decodeOid(type.content) !== EXTENSION_REQUEST) continue;
    const [exts] = children(values);
    san = children(exts).find((e) => decodeOid(children(e)[0].content) === OID.subjectAltName)?.raw;
  }
  return { subject: subject.raw, spki: spki.raw, san };
}

/** The subject Name of a certificate, byte for byte (a leaf's issuer must equal it). */
export function certificateSubject(text: string): Buffer {
  const [tbs] = children(read(unpem(text)));
  const fields = children(tbs);
  const offset = fields[0].tag === 0xa0 ? 1 : 0;
  return fields[offset + 4].raw;
}

export function privateKey(pemText: string): KeyObject {
  return createPrivateKey(pemText);
}
