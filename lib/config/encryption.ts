/**
 * kubestead:controlPlane.encryption — how the apiserver encrypts Secrets (and more, on request) at
 * rest, and the stage of the move from the static secretbox key to KMS v2 (README, "Encryption at
 * rest"). A reader of its own, called from the controlPlane reader; the result fills
 * ControlPlaneConfig.encryption.
 */
import { DEFAULTS } from "./defaults";
import { Raw, Reader } from "./reader";

/**
 * - secretbox: the static key writes and reads (no KMS plugin runs);
 * - kms-read: the static key still writes, KMS v2 can already read: every apiserver of a cluster
 *   that runs secretbox today must reach this stage before any of them writes through KMS (a
 *   rolling replacement mixes the stages of neighbouring steps); also the way back from migrating;
 * - migrating: KMS v2 writes, the secretbox key and identity still read what was written before;
 * - kms-only: KMS v2 writes and reads, nothing else: only after every object was rewritten.
 *
 * A new cluster starts at migrating. An existing one steps secretbox → kms-read → migrating →
 * (rewrite every object) → kms-only, one `pulumi up` (one rolling replacement) per step.
 */
export const ENCRYPTION_STAGES = ["secretbox", "kms-read", "migrating", "kms-only"] as const;
export type EncryptionStage = (typeof ENCRYPTION_STAGES)[number];

export interface EncryptionAtRestConfig {
  /** Default migrating. */
  stage: EncryptionStage;
  /** Resources encrypted, e.g. ["secrets", "configmaps"]; always includes secrets. Default ["secrets"]. */
  resources: string[];
  /** The AWS encryption provider's image, without a tag. */
  kmsPluginImage: string;
  /** Its tag, e.g. v0.5.0. */
  kmsPluginVersion: string;
}

export const ENCRYPTION_DEFAULTS: EncryptionAtRestConfig = {
  stage: DEFAULTS.encryptionStage,
  resources: ["secrets"],
  kmsPluginImage: DEFAULTS.kmsPluginImage,
  kmsPluginVersion: DEFAULTS.kmsPluginVersion,
};

/** A resource as the EncryptionConfiguration names it: `secrets`, or `<plural>.<group>` for other groups. */
const RESOURCE = /^[a-z][a-z0-9]*(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
/** An image reference without tag or digest: registry host (optional) and path, lowercase. */
const IMAGE = /^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Reads `encryption` under the controlPlane mapping `c` (at `path`, normally "controlPlane").
 * Every problem is recorded on `r`; the defaults stand in for a missing or wrong value.
 */
export function readEncryption(r: Reader, c: Raw, path: string): EncryptionAtRestConfig {
  const p = `${path}.encryption`;
  const e = r.object(c.encryption, p);
  r.unknownKeys(e, p, ["stage", "resources", "kmsPluginImage", "kmsPluginVersion"]);
  const stage = r.oneOf(e, "stage", p, ENCRYPTION_DEFAULTS.stage, ENCRYPTION_STAGES);
  const resources = r.stringList(e, "resources", p, ENCRYPTION_DEFAULTS.resources);
  for (const res of resources) {
    // RESOURCE has no wildcard: `*.*` and `*.apps` are refused with the rest.
    if (!RESOURCE.test(res))
      r.problem(
        `${p}.resources`,
        "must name resources as the EncryptionConfiguration does (plural, lowercase; <plural>.<group> outside the core group; no wildcards)",
        res,
        "e.g. [secrets, configmaps]",
      );
  }
  if (!resources.includes("secrets"))
    r.problem(`${p}.resources`, "must include secrets", resources, "add secrets: the apiserver would store them in plain text otherwise");
  const dup = resources.filter((x, i) => resources.indexOf(x) !== i);
  if (dup.length > 0)
    r.problem(`${p}.resources`, "must name each resource once", dup, "remove the repeats (the apiserver refuses the file)");
  const kmsPluginImage = r.string(e, "kmsPluginImage", p, ENCRYPTION_DEFAULTS.kmsPluginImage, {
    re: IMAGE,
    rule: "must be an image repository without tag or digest",
    fix: `e.g. ${ENCRYPTION_DEFAULTS.kmsPluginImage}; put the tag in kmsPluginVersion`,
  });
  const kmsPluginVersion = r.string(e, "kmsPluginVersion", p, ENCRYPTION_DEFAULTS.kmsPluginVersion, {
    re: TAG,
    rule: "must be an image tag",
    fix: `e.g. ${ENCRYPTION_DEFAULTS.kmsPluginVersion}`,
  });
  return { stage, resources: [...new Set(resources)], kmsPluginImage, kmsPluginVersion };
}
