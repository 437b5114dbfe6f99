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

describe("the shapes each setting takes", () => {
  const ok = (encryption: Record<string, unknown>) => expect(read(encryption).problems).toEqual([]);
  const refused = (encryption: Record<string, unknown>, key: string) =>
    expect(read(encryption).problems.map((p) => p.key)).toEqual([`kubestead:controlPlane.encryption.${key}`]);

  it.each([
    ["secrets", "configmaps"],
    ["secrets", "deployments.apps"],
    ["secrets", "crontabs.x.example.com"],
  ])("takes the resources %p", (...resources) => ok({ resources }));

  it.each(["secrets!", "Secrets.apps", "secrets.", "secrets.-apps"])("refuses the resource %p", (res) =>
    refused({ resources: ["secrets", res] }, "resources"),
  );

  it.each([
    "aws-encryption-provider",
    "busybox",
    "localhost:5000/kms/plugin",
    "registry.k8s.io/kms/aws-encryption-provider",
    "xn--80ak6aa92e.example/kms/aws-encryption-provider",
  ])("takes the image %p", (kmsPluginImage) => ok({ kmsPluginImage }));

  it.each(["_kms/plugin", "kms/plugin:v1", "kms//plugin", "kms/plugin-", "Kms/plugin"])("refuses the image %p", (kmsPluginImage) =>
    refused({ kmsPluginImage }, "kmsPluginImage"),
  );

  it.each(["v0.6.1", "latest", "_build-1", "a".repeat(128)])("takes the tag %p", (kmsPluginVersion) => ok({ kmsPluginVersion }));

  it.each([".v1", "-v1", "v1+build", "a".repeat(129)])("refuses the tag %p", (kmsPluginVersion) =>
    refused({ kmsPluginVersion }, "kmsPluginVersion"),
  );
});
