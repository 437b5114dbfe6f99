/**
 * Encryption at rest (CIS 1.2.27/1.2.28): the apiserver's EncryptionConfiguration.
 * https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/ and .../kms-provider/
 *
 * Providers, by stage (lib/config/encryption.ts; the apiserver writes with the first provider of a
 * resource's list and reads with whichever one's prefix the stored value carries):
 * - secretbox: secretbox (XSalsa20-Poly1305) with a static 32-byte key from SSM, identity last.
 *   Of the providers CIS accepts, aescbc is weak to padding-oracle attacks and no longer recommended.
 * - kms-read: secretbox still first, KMS v2 second: every apiserver can read what KMS will write
 *   before any of them writes with it (the apiservers of a rolling replacement run two stages).
 * - migrating: KMS v2 first, through the AWS encryption provider (kmsPlugin.ts), so every write is
 *   enveloped by a data key the key in AWS KMS wraps; the secretbox key and identity stay as read
 *   providers for what was written before, until every object has been rewritten.
 * - kms-only: KMS v2 alone. No static key on disk or in SSM decrypts anything any more.
 *
 * KMS v2, not v1: v1 is deprecated and disabled by default since 1.29 (feature gate KMSv1), and v2
 * calls KMS only when it rotates its data key instead of once per object.
 *
 * Resources: secrets by default; configmaps and others on request (`resources`). identity stays
 * last while migrating, so values written before a resource was added (in plain text) remain
 * readable until they are rewritten. Key rotation within secretbox: put the new key first, keep the
 * old one second until every secret has been rewritten, then drop it.
 *
 * The output may hold the secretbox key: callers ship it as a SecretFile, never as user data.
 */
import { stringify } from "yaml";
import type { EncryptionStage } from "../../lib/config/encryption";
import type { Problem } from "../../lib/config/problems";
import { formatProblem } from "../../lib/config/problems";
import { KMS_ENDPOINT, KMS_PROVIDER_NAME } from "./kmsPlugin";
import type { EncryptionKey } from "./types";

/**
 * How long the apiserver waits for one call to the plugin. KMS v2 calls KMS only to wrap a new
 * data-key seed or unwrap one it has not cached, so a slow call is rare; 10 s rides out an IMDS
 * credential refresh on top of a KMS round trip.
 */
export const KMS_TIMEOUT = "10s";

const KEY_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;

export function encryptionKeyProblems(keys: EncryptionKey[], key = "encryptionKeys"): Problem[] {
  const problems: Problem[] = [];
  if (!Array.isArray(keys) || keys.length === 0) {
    return [
      {
        key,
        rule: "must hold at least one key",
        got: keys,
        fix: "pass one key: base64 of 32 random bytes (head -c 32 /dev/urandom | base64)",
      },
    ];
  }
  const seen = new Set<string>();
  keys.forEach((k, i) => {
    if (!KEY_NAME.test(k.name)) {
      problems.push({
        key: `${key}[${i}].name`,
        rule: "must be 1–63 letters, digits, '.', '_' or '-'",
        got: k.name,
        fix: "name keys like key-2025-01",
      });
    } else if (seen.has(k.name)) {
      problems.push({
        key: `${key}[${i}].name`,
        rule: "must be unique",
        got: k.name,
        fix: "give every key its own name: the name is stored with each encrypted value",
      });
    }
    seen.add(k.name);
    const raw = /^[A-Za-z0-9+/]+={0,2}$/.test(k.secret ?? "") ? Buffer.from(k.secret, "base64") : undefined;
    if (!raw || raw.length !== 32) {
      problems.push({
        key: `${key}[${i}].secret`,
        rule: "must be base64 of exactly 32 bytes",
        got: "<redacted>",
        fix: "generate one with: head -c 32 /dev/urandom | base64",
      });
    }
  });
  return problems;
}

export function encryptionConfig(keys: EncryptionKey[], resources: string[] = ["secrets"], stage: EncryptionStage = "secretbox"): object {
  const problems = stage === "kms-only" ? [] : encryptionKeyProblems(keys);
  if (problems.length > 0) {
    throw new Error(`invalid encryption keys:\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`);
  }
  const kms = { kms: { apiVersion: "v2", name: KMS_PROVIDER_NAME, endpoint: KMS_ENDPOINT, timeout: KMS_TIMEOUT } };
  const secretbox = { secretbox: { keys: keys.map((k) => ({ name: k.name, secret: k.secret })) } };
  const identity = { identity: {} };
  const providers = ((): object[] => {
    switch (stage) {
      case "secretbox":
        return [secretbox, identity];
      case "kms-read":
        return [secretbox, kms, identity];
      case "migrating":
        return [kms, secretbox, identity];
      case "kms-only":
        return [kms];
      default: {
        const never: never = stage;
        throw new Error(`unknown encryption stage ${JSON.stringify(never)}`);
      }
    }
  })();
  const doc = {
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "EncryptionConfiguration",
    resources: [{ resources, providers }],
  };
  const invalid = encryptionConfigProblems(doc);
  if (invalid.length > 0)
    throw new Error(`the EncryptionConfiguration would be refused by kube-apiserver:\n${invalid.map((p) => `  - ${p}`).join("\n")}`);
  return doc;
}

export function renderEncryptionConfig(keys: EncryptionKey[], resources?: string[], stage?: EncryptionStage): string {
  return stringify(encryptionConfig(keys, resources, stage), { lineWidth: 0 });
}

const PROVIDER_TYPES = ["aescbc", "aesgcm", "secretbox", "identity", "kms"] as const;
const AES_KEY_BYTES: Record<string, number[]> = { aescbc: [16, 24, 32], aesgcm: [16, 24, 32], secretbox: [32] };

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Rec) : undefined);

/**
 * What kube-apiserver's validation of an EncryptionConfiguration (k8s.io/apiserver
 * pkg/apis/apiserver/validation) refuses, as one sentence each, for a parsed document; plus KMS v1,
 * which 1.29+ refuses while the KMSv1 feature gate is off (its default). Empty when it would load.
 * Secret values are never echoed.
 */
export function encryptionConfigProblems(doc: unknown): string[] {
  const out: string[] = [];
  const d = rec(doc);
  if (!d) return ["the document is not a mapping"];
  if (d.apiVersion !== "apiserver.config.k8s.io/v1")
    out.push(`apiVersion is ${JSON.stringify(d.apiVersion)}, want apiserver.config.k8s.io/v1`);
  if (d.kind !== "EncryptionConfiguration") out.push(`kind is ${JSON.stringify(d.kind)}, want EncryptionConfiguration`);
  const entries = Array.isArray(d.resources) ? d.resources : [];
  if (entries.length === 0) out.push("resources must hold at least one entry");
  const seenResources = new Set<string>();
  const kmsNames = new Set<string>();
  entries.forEach((raw, i) => {
    const at = `resources[${i}]`;
    const e = rec(raw);
    const names = Array.isArray(e?.resources) ? (e.resources as unknown[]) : [];
    if (names.length === 0) out.push(`${at}.resources must name at least one resource`);
    names.forEach((n, j) => {
      if (typeof n !== "string" || n === "" || n !== n.toLowerCase()) out.push(`${at}.resources[${j}] must be a lowercase resource name`);
      else if (seenResources.has(n)) out.push(`${at}.resources[${j}]: ${n} is listed more than once`);
      else seenResources.add(n);
    });
    const providers = Array.isArray(e?.providers) ? (e.providers as unknown[]) : [];
    if (providers.length === 0) out.push(`${at}.providers must hold at least one provider`);
    providers.forEach((praw, k) => {
      const pat = `${at}.providers[${k}]`;
      const p = rec(praw) ?? {};
      const types = Object.keys(p);
      if (types.length !== 1 || !(PROVIDER_TYPES as readonly string[]).includes(types[0])) {
        out.push(`${pat} must name exactly one of ${PROVIDER_TYPES.join(", ")} (got ${types.join(", ") || "none"})`);
        return;
      }
      const type = types[0];
      const cfg = rec(p[type]);
      if (type === "identity") {
        if (!cfg || Object.keys(cfg).length > 0) out.push(`${pat}.identity takes no settings: write identity: {}`);
        return;
      }
      if (type === "kms") {
        out.push(...kmsProblems(pat, cfg, kmsNames));
        return;
      }
      const keys = Array.isArray(cfg?.keys) ? (cfg.keys as unknown[]) : [];
      if (keys.length === 0) out.push(`${pat}.${type}.keys must hold at least one key`);
      const keyNames = new Set<string>();
      keys.forEach((kraw, m) => {
        const key = rec(kraw);
        const name = key?.name;
        if (typeof name !== "string" || name === "") out.push(`${pat}.${type}.keys[${m}].name is required`);
        else if (keyNames.has(name)) out.push(`${pat}.${type}.keys[${m}].name ${name} is used twice`);
        else keyNames.add(name);
        const secret = key?.secret;
        const bytes = typeof secret === "string" && /^[A-Za-z0-9+/]+={0,2}$/.test(secret) ? Buffer.from(secret, "base64").length : -1;
        if (!AES_KEY_BYTES[type].includes(bytes))
          out.push(`${pat}.${type}.keys[${m}].secret must be base64 of ${AES_KEY_BYTES[type].join(", ")} bytes`);
      });
    });
  });
  return out;
}

function kmsProblems(at: string, cfg: Rec | undefined, names: Set<string>): string[] {
  const out: string[] = [];
  if (!cfg) return [`${at}.kms needs name, endpoint and apiVersion`];
  const version = cfg.apiVersion ?? "v1";
  if (version !== "v2")
    out.push(`${at}.kms.apiVersion is ${JSON.stringify(version)}: KMS v1 is disabled by default since Kubernetes 1.29; use v2`);
  const name = cfg.name;
  if (typeof name !== "string" || name === "") out.push(`${at}.kms.name is required`);
  else if (name.includes(":")) out.push(`${at}.kms.name must not contain ':' (KMS v2 stores it in every object's prefix)`);
  else if (names.has(name)) out.push(`${at}.kms.name ${name} is used by another KMS provider`);
  else names.add(name);
  if (typeof cfg.endpoint !== "string" || !/^unix:\/\/\S+$/.test(cfg.endpoint))
    out.push(`${at}.kms.endpoint must be a unix:// socket (got ${JSON.stringify(cfg.endpoint)})`);
  if (cfg.cachesize !== undefined && version === "v2") out.push(`${at}.kms.cachesize is not supported by KMS v2`);
  if (
    cfg.timeout !== undefined &&
    !(typeof cfg.timeout === "string" && /^(\d+(\.\d+)?(ms|s|m|h))+$/.test(cfg.timeout) && !/^0+(\.0+)?[a-z]+$/.test(cfg.timeout))
  )
    out.push(`${at}.kms.timeout must be a positive duration such as 3s (got ${JSON.stringify(cfg.timeout)})`);
  return out;
}
