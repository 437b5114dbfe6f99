/** kubestead:controlPlane.encryption, read on its own (lib/config/encryption.ts). */
import { DEFAULTS } from "../../../lib/config/defaults";
import { ENCRYPTION_DEFAULTS, readEncryption } from "../../../lib/config/encryption";
import { parseClusterConfig } from "../../../lib/config/parse";
import { rawOf, withChange } from "../../helpers/stackValues";
import { Reader } from "../../../lib/config/reader";

const read = (encryption: unknown) => {
  const r = new Reader("kubestead");
  const value = readEncryption(r, encryption === undefined ? {} : { encryption }, "controlPlane");
  return { value, problems: r.problems };
};

test("left out: the migrating stage, Secrets only, the pinned plugin", () => {
  expect(read(undefined)).toEqual({ value: ENCRYPTION_DEFAULTS, problems: [] });
  expect(ENCRYPTION_DEFAULTS).toEqual({
    stage: "migrating",
    resources: ["secrets"],
    kmsPluginImage: DEFAULTS.kmsPluginImage,
    kmsPluginVersion: DEFAULTS.kmsPluginVersion,
  });
});

test("every setting", () => {
  const value = {
    stage: "kms-only",
    resources: ["secrets", "configmaps"],
    kmsPluginImage: "123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/aws-encryption-provider",
    kmsPluginVersion: "v0.6.1",
  };
  expect(read(value)).toEqual({ value, problems: [] });
});

test("every problem at once, each naming the key and the fix", () => {
  const { problems } = read({ stage: "kms", resources: ["configmaps", "configmaps", "*.*"], kmsPluginImage: "repo/image:v1", extra: 1 });
  expect(problems.map((p) => [p.key, p.rule])).toEqual([
    ["kubestead:controlPlane.encryption.extra", "is not a known setting"],
    ["kubestead:controlPlane.encryption.stage", "must be one of secretbox, kms-read, migrating, kms-only"],
    ["kubestead:controlPlane.encryption.resources", expect.stringMatching(/^must name resources as the EncryptionConfiguration does/)],
    ["kubestead:controlPlane.encryption.resources", "must include secrets"],
    ["kubestead:controlPlane.encryption.resources", "must name each resource once"],
    ["kubestead:controlPlane.encryption.kmsPluginImage", "must be an image repository without tag or digest"],
  ]);
  expect(problems.every((p) => p.fix.length > 0)).toBe(true);
});

test("a resource not written as the EncryptionConfiguration names it, and a tag that is not one, each with its message", () => {
  const { problems } = read({ resources: ["secrets", "ConfigMaps", "*.apps"], kmsPluginVersion: "v0.6.1:latest" });
  expect(problems).toEqual([
    {
      key: "kubestead:controlPlane.encryption.resources",
      rule: "must name resources as the EncryptionConfiguration does (plural, lowercase; <plural>.<group> outside the core group; no wildcards)",
      got: "ConfigMaps",
      fix: "e.g. [secrets, configmaps]",
    },
    {
      key: "kubestead:controlPlane.encryption.resources",
      rule: "must name resources as the EncryptionConfiguration does (plural, lowercase; <plural>.<group> outside the core group; no wildcards)",
      got: "*.apps",
      fix: "e.g. [secrets, configmaps]",
    },
    {
      key: "kubestead:controlPlane.encryption.kmsPluginVersion",
      rule: "must be an image tag",
      got: "v0.6.1:latest",
      fix: `e.g. ${DEFAULTS.kmsPluginVersion}`,
    },
  ]);
});

test("the stack parser reads it under controlPlane", () => {
  const prod = parseClusterConfig(rawOf("prod"));
  expect(prod.controlPlane.encryption).toEqual(ENCRYPTION_DEFAULTS);
  const set = parseClusterConfig(withChange("prod", (v) => (v.controlPlane.encryption = { stage: "kms-read" })));
  expect(set.controlPlane.encryption.stage).toBe("kms-read");
});
