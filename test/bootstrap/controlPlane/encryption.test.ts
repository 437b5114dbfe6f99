/**
 * Encryption at rest through KMS v2: the EncryptionConfiguration of each migration stage, checked
 * structurally (what kube-apiserver's validation refuses) and against the apiserver's ordering
 * rules (the first provider writes; a stored value is read by the provider whose prefix it
 * carries), and the KMS plugin static pod beside the apiserver.
 */
import { parse } from "yaml";
import {
  encryptionConfig,
  encryptionConfigProblems,
  KMS_TIMEOUT,
  renderEncryptionConfig,
} from "../../../bootstrap/controlPlane/encryptionConfig";
import { controlPlaneFiles } from "../../../bootstrap/controlPlane/files";
import {
  encryptionContextFlag,
  KMS_ENDPOINT,
  KMS_SOCKET,
  kmsPluginSpecProblems,
  renderKmsPluginManifest,
  renderKmsPluginWaitStep,
} from "../../../bootstrap/controlPlane/kmsPlugin";
import { MANIFEST } from "../../../bootstrap/controlPlane/paths";
import { controlPlaneSpecProblems } from "../../../bootstrap/controlPlane/validate";
import type { EncryptionSpec } from "../../../bootstrap/controlPlane/types";
import { cisContextFromFiles, evaluateControlPlane } from "../../../lib/cis/controlPlane";
import { EncryptionStage, ENCRYPTION_STAGES } from "../../../lib/config/encryption";
import { encryptionAtRestContext } from "../../../lib/iamNames";
import { commandOf, KEY_A, spec } from "./fixture";

const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const PLUGIN = {
  image: "registry.k8s.io/aws-encryption-provider/aws-encryption-provider",
  version: "v0.5.0",
  keyArn: KEY_ARN,
  region: "us-east-1",
};
const KEYS = [{ name: "key-1", secret: KEY_A }];

type Provider = Record<string, Record<string, unknown>>;
type Config = { resources: { resources: string[]; providers: Provider[] }[] };

const configOf = (stage: EncryptionStage, resources = ["secrets"]): Config =>
  parse(renderEncryptionConfig(stage === "kms-only" ? [] : KEYS, resources, stage)) as Config;

// --- The apiserver's rules, modelled: values carry the prefix of the provider that wrote them. ---

/** The prefix kube-apiserver stores before a value written by `p` (identity: none). */
function prefixOf(p: Provider): string {
  const [type] = Object.keys(p);
  switch (type) {
    case "identity":
      return "";
    case "kms":
      return `k8s:enc:kms:${p.kms.apiVersion}:${p.kms.name}:`;
    default:
      return `k8s:enc:${type}:v1:${(p[type].keys as { name: string }[])[0].name}:`;
  }
}

/** What a write of `resource` stores: the first provider of the entry that covers it. */
function write(cfg: Config, resource: string): string {
  const entry = cfg.resources.find((e) => e.resources.includes(resource));
  return entry ? prefixOf(entry.providers[0]) : "";
}

/** Whether a value stored with `prefix` is readable: some provider of the entry reads that prefix. */
function readable(cfg: Config, resource: string, prefix: string): boolean {
  const entry = cfg.resources.find((e) => e.resources.includes(resource));
  if (!entry) return prefix === "";
  return entry.providers.some((p) => {
    const [type] = Object.keys(p);
    if (type === "identity") return !prefix.startsWith("k8s:enc:");
    if (type === "kms") return prefix === prefixOf(p);
    return (p[type].keys as { name: string }[]).some((k) => prefix === `k8s:enc:${type}:v1:${k.name}:`);
  });
}

const PLAIN = "";
const SECRETBOX = "k8s:enc:secretbox:v1:key-1:";
const KMS = "k8s:enc:kms:v2:aws-encryption-provider:";

describe("the EncryptionConfiguration of each stage", () => {
  test("secretbox: the static key writes; identity reads what predates encryption", () => {
    expect(configOf("secretbox").resources[0].providers).toEqual([{ secretbox: { keys: KEYS } }, { identity: {} }]);
  });

  test("migrating: KMS v2 writes; the secretbox key and identity still read", () => {
    expect(configOf("migrating").resources[0].providers).toEqual([
      { kms: { apiVersion: "v2", name: "aws-encryption-provider", endpoint: KMS_ENDPOINT, timeout: KMS_TIMEOUT } },
      { secretbox: { keys: KEYS } },
      { identity: {} },
    ]);
    expect(KMS_ENDPOINT).toBe(`unix://${KMS_SOCKET}`);
  });

  test("kms-only: KMS v2 alone, and no key material left in the file", () => {
    const text = renderEncryptionConfig([], ["secrets"], "kms-only");
    expect((parse(text) as Config).resources[0].providers.map((p) => Object.keys(p)[0])).toEqual(["kms"]);
    expect(text).not.toMatch(/secret:/);
  });

  test("configmaps on request, in the same entry, through the same providers", () => {
    const cfg = configOf("migrating", ["secrets", "configmaps"]);
    expect(cfg.resources).toHaveLength(1);
    expect(cfg.resources[0].resources).toEqual(["secrets", "configmaps"]);
  });

  test.each(ENCRYPTION_STAGES)("%s: kube-apiserver's validation would load it", (stage) => {
    expect(encryptionConfigProblems(configOf(stage, ["secrets", "configmaps"]))).toEqual([]);
  });

  test.each(ENCRYPTION_STAGES)("%s: CIS 1.2.27/1.2.28 pass on the rendered files", (stage) => {
    const out = controlPlaneFiles(spec({ encryptionKeys: stage === "kms-only" ? [] : KEYS, encryption: { stage, kmsPlugin: PLUGIN } }));
    const secrets = out.secrets
      .filter((s) => out.secretContents[s.parameter] !== undefined)
      .map((s) => ({ path: s.path, content: out.secretContents[s.parameter] }));
    const results = evaluateControlPlane(out.manifests, cisContextFromFiles([...out.files, ...secrets]));
    const of = (id: string) => results.find((r) => r.id === id)!;
    expect(of("1.2.27").status).toBe("pass");
    expect(of("1.2.28")).toMatchObject({
      status: "pass",
      detail: `secrets encrypted with ${stage === "secretbox" || stage === "kms-read" ? "secretbox" : "kms"}`,
    });
    expect(results.filter((r) => r.status === "fail")).toEqual([]);
  });
});

describe("the migration, under the apiserver's ordering rules", () => {
  const [secretbox, kmsRead, migrating, kmsOnly] = ENCRYPTION_STAGES.map((s) => configOf(s));
  const stages = { secretbox, "kms-read": kmsRead, migrating, "kms-only": kmsOnly };

  /**
   * A rolling replacement runs apiservers of both stages side by side behind one load balancer:
   * what either one writes, both must read.
   */
  const rollSafe = (a: Config, b: Config) => readable(b, "secrets", write(a, "secrets")) && readable(a, "secrets", write(b, "secrets"));

  test("each stage writes with its first provider", () => {
    expect(ENCRYPTION_STAGES.map((s) => write(stages[s], "secrets"))).toEqual([SECRETBOX, SECRETBOX, KMS, KMS]);
  });

  test("kms-read: secretbox still writes, KMS already reads; what predates encryption stays readable", () => {
    expect(kmsRead.resources[0].providers.map((p) => Object.keys(p)[0])).toEqual(["secretbox", "kms", "identity"]);
    for (const stored of [PLAIN, SECRETBOX, KMS])
      expect({ stored, readable: readable(kmsRead, "secrets", stored) }).toEqual({ stored, readable: true });
  });

  test.each([
    ["secretbox", "kms-read"],
    ["kms-read", "migrating"],
    ["migrating", "kms-only"],
    // And back: kms-read is also the way out of migrating.
    ["migrating", "kms-read"],
    ["kms-only", "migrating"],
  ] as const)("%s → %s: safe to roll out node by node", (a, b) => {
    expect(rollSafe(stages[a], stages[b])).toBe(true);
  });

  test.each([
    ["secretbox", "migrating"],
    ["migrating", "secretbox"],
  ] as const)("%s → %s in one step is not: an apiserver of the first would fail to read what one of the second writes", (a, b) => {
    expect(rollSafe(stages[a], stages[b])).toBe(false);
  });

  test("secretbox → kms-read → migrating: everything stored before stays readable at every step", () => {
    for (const cfg of [kmsRead, migrating]) for (const stored of [PLAIN, SECRETBOX]) expect(readable(cfg, "secrets", stored)).toBe(true);
  });

  test("migrating → kms-only: only after the rewrite; a Secret still under secretbox (or plain) would be unreadable", () => {
    expect(readable(kmsOnly, "secrets", KMS)).toBe(true);
    expect(readable(kmsOnly, "secrets", SECRETBOX)).toBe(false);
    expect(readable(kmsOnly, "secrets", PLAIN)).toBe(false);
    // `kubectl get secrets -A -o json | kubectl replace -f -` reads each Secret and writes it back
    // unchanged: in the migrating stage the write goes through the first provider.
    const rewritten = [PLAIN, SECRETBOX].map((stored) => (readable(migrating, "secrets", stored) ? write(migrating, "secrets") : stored));
    expect(rewritten.every((p) => readable(kmsOnly, "secrets", p))).toBe(true);
  });

  test("configmaps added while migrating: the plain ones already stored stay readable through identity until rewritten", () => {
    const withConfigMaps = configOf("migrating", ["secrets", "configmaps"]);
    expect(readable(withConfigMaps, "configmaps", PLAIN)).toBe(true);
    expect(write(withConfigMaps, "configmaps")).toBe(KMS);
  });
});

describe("what kube-apiserver's validation refuses (controls)", () => {
  const base = () => JSON.parse(JSON.stringify(encryptionConfig(KEYS, ["secrets"], "migrating"))) as Config & Record<string, unknown>;
  const kms = (c: Config) => c.resources[0].providers[0].kms;
  test.each<[string, (c: Config & Record<string, unknown>) => void, RegExp]>([
    ["KMS v1 (disabled by default since 1.29)", (c) => (kms(c).apiVersion = "v1"), /KMS v1 is disabled/],
    ["a KMS v2 cachesize", (c) => (kms(c).cachesize = 1000), /cachesize is not supported/],
    ["a ':' in the KMS name", (c) => (kms(c).name = "aws:kms"), /must not contain ':'/],
    ["a TCP endpoint", (c) => (kms(c).endpoint = "tcp://127.0.0.1:8080"), /unix:\/\/ socket/],
    ["a zero timeout", (c) => (kms(c).timeout = "0s"), /positive duration/],
    ["two provider types in one element", (c) => (c.resources[0].providers[0].identity = {}), /exactly one of/],
    ["identity with settings", (c) => (c.resources[0].providers[2].identity = { x: 1 }), /takes no settings/],
    [
      "a 16-byte secretbox key",
      (c) => ((c.resources[0].providers[1].secretbox.keys as { secret: string }[])[0].secret = Buffer.alloc(16).toString("base64")),
      /32 bytes/,
    ],
    [
      "a resource listed twice",
      (c) => c.resources.push({ resources: ["secrets"], providers: [{ identity: {} }] }),
      /listed more than once/,
    ],
    ["no providers", (c) => (c.resources[0].providers = []), /at least one provider/],
    ["the wrong kind", (c) => (c.kind = "EncryptionConfig"), /want EncryptionConfiguration/],
  ])("%s", (_n, change, message) => {
    const c = base();
    change(c);
    expect(encryptionConfigProblems(c)).toEqual([expect.stringMatching(message)]);
  });

  test("problems never echo a key", () => {
    const c = base();
    (c.resources[0].providers[1].secretbox.keys as { secret: string }[])[0].secret = "c2hvcnQ=";
    expect(JSON.stringify(encryptionConfigProblems(c))).not.toContain("c2hvcnQ=");
  });
});

describe("the KMS plugin static pod", () => {
  type Pod = {
    metadata: { name: string; namespace: string };
    spec: {
      hostNetwork: boolean;
      priorityClassName: string;
      containers: {
        image: string;
        command: string[];
        livenessProbe: Record<string, unknown>;
        readinessProbe: { httpGet: Record<string, unknown> };
        securityContext: Record<string, unknown>;
        volumeMounts: { mountPath: string }[];
      }[];
      volumes: { hostPath: { path: string; type: string } }[];
    };
  };
  const pod = renderKmsPluginManifest({ ...PLUGIN, cluster: "prod" }) as Pod;
  const c = pod.spec.containers[0];

  test("upstream's flags: the key by ARN, its region, the socket, health on 127.0.0.1 only, the encryption context", () => {
    expect(c.command).toEqual([
      "/aws-encryption-provider",
      `--key=${KEY_ARN}`,
      "--region=us-east-1",
      "--listen=/var/run/kmsplugin/socket.sock",
      "--health-port=127.0.0.1:8083",
      "--encryption-context=kubestead:cluster=prod,kubestead:use=apiserver-encryption-at-rest",
    ]);
    expect(c.image).toBe(`${PLUGIN.image}:v0.5.0`);
  });

  test("the context it sends is the one the IAM conditions expect (lib/iam.ts)", () => {
    const sent = Object.fromEntries(
      encryptionContextFlag("prod")
        .split(",")
        .map((kv) => kv.split("=")),
    );
    expect(sent).toEqual(encryptionAtRestContext("prod"));
  });

  test("host network (no CNI yet; IMDS at hop limit 1), node-critical, its socket directory mounted", () => {
    expect(pod.metadata).toMatchObject({ name: "aws-encryption-provider", namespace: "kube-system" });
    expect(pod.spec).toMatchObject({ hostNetwork: true, priorityClassName: "system-node-critical" });
    expect(c.volumeMounts.map((m) => m.mountPath)).toEqual(["/var/run/kmsplugin"]);
    expect(pod.spec.volumes[0].hostPath).toEqual({ path: "/var/run/kmsplugin", type: "DirectoryOrCreate" });
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  });

  test("liveness only checks the process answers; readiness is the deep check through KMS", () => {
    expect(c.livenessProbe).toMatchObject({ tcpSocket: { host: "127.0.0.1", port: 8083 } });
    expect(c.readinessProbe.httpGet).toMatchObject({ host: "127.0.0.1", port: 8083, path: "/healthz" });
  });

  test.each([
    ["an alias instead of a key ARN", { keyArn: "arn:aws:kms:us-east-1:111122223333:alias/kubestead/prod" }, /alias can be pointed/],
    ["a key in another region", { region: "eu-west-1" }, /not in region eu-west-1/],
    ["a tagged image", { image: `${PLUGIN.image}:v1` }, /without tag or digest/],
    ["an empty tag", { version: "" }, /image tag/],
  ])("refuses %s", (_n, over, message) => {
    expect(kmsPluginSpecProblems({ ...PLUGIN, cluster: "prod", ...over })).toEqual([expect.stringMatching(message)]);
  });

  test("the boot waits for its socket and deep health, naming the key when it gives up", () => {
    const step = renderKmsPluginWaitStep(KEY_ARN);
    expect(step).toContain("[ -S /var/run/kmsplugin/socket.sock ]");
    expect(step).toContain("http://127.0.0.1:8083/healthz");
    expect(step).toContain(KEY_ARN);
    expect(step).not.toContain("${");
  });
});

describe("controlPlaneFiles with KMS", () => {
  const over = (e: Partial<EncryptionSpec>) => spec({ encryption: { stage: "migrating", kmsPlugin: PLUGIN, ...e } });
  const out = controlPlaneFiles(over({}));
  const apiServer = out.manifests.find((m) => (m as { metadata: { name: string } }).metadata.name === "kube-apiserver") as {
    spec: {
      containers: {
        volumeMounts: { mountPath: string }[];
        livenessProbe: { httpGet: { path: string } };
        startupProbe: { httpGet: { path: string } };
      }[];
    };
  };

  test("a fourth static pod, the plugin, beside the apiserver, with the same file mode as the others", () => {
    expect(out.manifests.map((m) => (m as { metadata: { name: string } }).metadata.name)).toEqual([
      "kube-apiserver",
      "kube-controller-manager",
      "kube-scheduler",
      "aws-encryption-provider",
    ]);
    expect(out.files.find((f) => f.path === MANIFEST.kmsPlugin)).toMatchObject({ mode: "0600" });
  });

  test("the apiserver mounts the socket directory and keeps kms-providers out of liveness (not readiness)", () => {
    const c = apiServer.spec.containers[0];
    expect(c.volumeMounts.map((m) => m.mountPath)).toContain("/var/run/kmsplugin");
    expect(c.livenessProbe.httpGet.path).toBe("/livez?exclude=kms-providers");
    expect(c.startupProbe.httpGet.path).toBe("/livez?exclude=kms-providers");
    expect(commandOf(apiServer)).toContain("--encryption-provider-config=/etc/kubernetes/encryption-config.yaml");
  });

  test("the encryption config it ships is the migrating stage's", () => {
    const [content] = Object.values(out.secretContents);
    expect((parse(content) as Config).resources[0].providers.map((p) => Object.keys(p)[0])).toEqual(["kms", "secretbox", "identity"]);
  });

  test("the secretbox stage renders no plugin and no socket mount (today's nodes, unchanged)", () => {
    const plain = controlPlaneFiles(spec());
    expect(plain.files.some((f) => f.path === MANIFEST.kmsPlugin)).toBe(false);
    expect(JSON.stringify(plain.manifests)).not.toContain("kmsplugin");
  });

  test("kms-only needs no secretbox key", () => {
    expect(controlPlaneSpecProblems(over({ stage: "kms-only" }))).toEqual([]);
    expect(controlPlaneSpecProblems({ ...over({ stage: "kms-only" }), encryptionKeys: [] })).toEqual([]);
    expect(controlPlaneSpecProblems({ ...over({ stage: "migrating" }), encryptionKeys: [] })).toEqual([
      expect.objectContaining({ key: "controlPlane.encryptionKeys", rule: "must hold at least one key" }),
    ]);
  });

  test("every problem at once: a KMS stage without a plugin, resources without secrets", () => {
    expect(controlPlaneSpecProblems(over({ kmsPlugin: undefined, resources: ["configmaps"] })).map((p) => p.key)).toEqual([
      "controlPlane.encryption.kmsPlugin",
      "controlPlane.encryption.resources",
    ]);
  });
});
