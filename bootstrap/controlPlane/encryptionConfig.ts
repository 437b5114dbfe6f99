/**
 * Encryption at rest for Secrets (CIS 1.2.27/1.2.28).
 *
 * Provider: secretbox (XSalsa20-Poly1305). Of the providers CIS accepts (aescbc, kms, secretbox):
 * aescbc is weak to padding-oracle attacks and the Kubernetes docs no longer recommend it; kms v2
 * with AWS KMS is stronger still but needs a KMS plugin running beside every apiserver, a moving
 * part we do not ship. secretbox takes a 32-byte key, like aescbc, so moving to kms later is a
 * provider swap plus a rewrite of all secrets.
 *
 * Resources: secrets only. ConfigMaps are not meant to hold credentials; encrypting them costs CPU on
 * every read for no protection the design promises. Add more with `resources`.
 *
 * `identity` last: values written before encryption was turned on stay readable; new writes are
 * always encrypted with the first key. Rotation: put the new key first, keep the old one second
 * until every secret has been rewritten, then drop it.
 * https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/
 *
 * The output holds the key: callers ship it as a SecretFile, never as user data.
 */
import { stringify } from "yaml";
import type { Problem } from "../../lib/config/problems";
import { formatProblem } from "../../lib/config/problems";
import type { EncryptionKey } from "./types";

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

export function encryptionConfig(keys: EncryptionKey[], resources: string[] = ["secrets"]): object {
  const problems = encryptionKeyProblems(keys);
  if (problems.length > 0) {
    throw new Error(`invalid encryption keys:\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`);
  }
  return {
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "EncryptionConfiguration",
    resources: [
      {
        resources,
        providers: [{ secretbox: { keys: keys.map((k) => ({ name: k.name, secret: k.secret })) } }, { identity: {} }],
      },
    ],
  };
}

export function renderEncryptionConfig(keys: EncryptionKey[], resources?: string[]): string {
  return stringify(encryptionConfig(keys, resources), { lineWidth: 0 });
}
