/** The add-on set as the control plane stores it: labelled manifests, checksums, inventory, names. */
import { createHash } from "node:crypto";
import { parseAllDocuments } from "yaml";
import { PRUNE_TYPES } from "../../../bootstrap/addons/applier";
import {
  ADDON_LABEL,
  Addon,
  addonNames,
  clusterAddons,
  MIN_APISERVER_MARK,
  renderChecksums,
  renderInventory,
  storedManifests,
} from "../../../bootstrap/addons/manifests";
import { parseClusterConfig } from "../../../lib/config/parse";
import { AddonsConfig } from "../../../lib/config/types";
import { rawStackConfig, stackConfig } from "../../../tools/offline/stackFile";
import { ROOT } from "../../helpers/plannedStack";

const config = parseClusterConfig(rawStackConfig(stackConfig(ROOT, "prod"), "prod"));
const render = (addons: AddonsConfig = config.addons) =>
  clusterAddons({
    cluster: config.name,
    region: config.region,
    kubernetes: config.kubernetes,
    addons,
    apiServerHost: "api.kubestead-prod.kubestead.internal",
    vpcCidrs: ["10.0.0.0/16"],
    podRoleArns: {
      "cluster-autoscaler": "arn:aws:iam::123456789012:role/kubestead-prod-us-east-1-cluster-autoscaler",
      "ebs-csi-driver": "arn:aws:iam::123456789012:role/kubestead-prod-us-east-1-ebs-csi-driver",
      "node-termination": "arn:aws:iam::123456789012:role/kubestead-prod-us-east-1-node-termination",
    },
    nodeTerminationQueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/kubestead-prod-node-termination",
  });
const all = render({ ...config.addons, metricsServer: true, clusterAutoscaler: true, ebsCsiDriver: true });

test.each([
  [false, false, false],
  [true, false, false],
  [true, true, true],
  [false, true, false],
])("addonNames() is what clusterAddons() renders (metrics %s, autoscaler %s, EBS %s)", (metricsServer, clusterAutoscaler, ebsCsiDriver) => {
  const x = { ...config.addons, metricsServer, clusterAutoscaler, ebsCsiDriver };
  expect(render(x).map((a) => a.name)).toEqual(addonNames(x));
});

test("every stored object carries its add-on's label; files are numbered in apply order", () => {
  const stored = storedManifests(all);
  expect(stored.map((m) => m.file)).toEqual(all.map((a, i) => `${String(i).padStart(2, "0")}-${a.name}.yaml`));
  for (const m of stored) {
    const docs = parseAllDocuments(m.content).map((d) => d.toJS());
    expect(docs.length).toBe(m.objects.length);
    for (const o of docs) expect(o.metadata.labels[ADDON_LABEL]).toBe(m.addon);
  }
});

test("manifests are byte-stable and hold no YAML anchors, no Secret and no key material", () => {
  const a = storedManifests(all);
  expect(storedManifests(render({ ...config.addons, metricsServer: true, clusterAutoscaler: true, ebsCsiDriver: true }))).toEqual(a);
  for (const m of a) {
    expect(m.content).not.toMatch(/(^|\s)[&*]a\d+\b/m);
    expect(m.content).not.toMatch(/^kind: Secret$/m);
    expect(m.content).not.toContain("PRIVATE KEY");
  }
});

test("SHA256SUMS and the inventory are what sha256sum -c and the prune step read", () => {
  const stored = storedManifests(all);
  const sums = renderChecksums(stored).trimEnd().split("\n");
  expect(sums).toHaveLength(stored.length + 1);
  expect(sums[0]).toBe(`${stored[0].sha256}  ${stored[0].file}`);
  // The inventory is covered too: prune never runs against an inventory from another snapshot.
  expect(sums[stored.length]).toMatch(/^[a-f0-9]{64} {2}inventory\.txt$/);
  const inventory = renderInventory(stored).trimEnd().split("\n");
  expect(inventory).toEqual([...inventory].sort());
  expect(inventory).toContain("apps/v1|DaemonSet|kube-system|aws-cloud-controller-manager");
  expect(inventory).toContain("rbac.authorization.k8s.io/v1|ClusterRole||system:cloud-controller-manager");
});

test("version-tied add-ons carry their minimum apiserver minor in the header, which SHA256SUMS covers", () => {
  const stored = storedManifests(all);
  const minor = (v: string) => v.split(".").slice(0, 2).join(".");
  const want: Record<string, string> = {
    "kube-proxy": minor(config.kubernetes.version),
    "cloud-controller-manager": minor(config.addons.cloudControllerManagerVersion),
    "cluster-autoscaler": minor(config.addons.clusterAutoscalerVersion),
  };
  expect(want["kube-proxy"]).toMatch(/^1\.\d+$/);
  const sums = renderChecksums(stored).trimEnd().split("\n");
  for (const m of stored) {
    // What the applier's sed reads: mark lines before the first document.
    const header = m.content.slice(0, m.content.indexOf("---\n"));
    const marks = header.split("\n").filter((l) => l.startsWith(`${MIN_APISERVER_MARK} `));
    expect([m.addon, marks]).toEqual([m.addon, want[m.addon] === undefined ? [] : [`${MIN_APISERVER_MARK} ${want[m.addon]}`]]);
    expect(m.minApiServer).toBe(want[m.addon]);
    expect(m.content).toMatch(/^# kubestead add-on /);
    expect(sums).toContain(`${createHash("sha256").update(m.content).digest("hex")}  ${m.file}`);
  }
  expect(MIN_APISERVER_MARK).toBe("# kubestead:min-apiserver");
  const ccm = all.find((a) => a.name === "cloud-controller-manager")!;
  expect(() => storedManifests([{ ...ccm, minApiServer: "1.36.2" }])).toThrow(/minApiServer "1.36.2" must be a minor like 1.36/);
});

test("prune looks at every kind an add-on renders (else a retired object of that kind would stay forever)", () => {
  const plural = (kind: string) =>
    (kind.endsWith("s") ? `${kind}es` : kind.endsWith("y") ? `${kind.slice(0, -1)}ies` : `${kind}s`).toLowerCase();
  const types = new Set<string>();
  for (const a of all)
    for (const o of a.objects) {
      const group = o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "";
      types.add(group ? `${plural(o.kind)}.${group}` : plural(o.kind));
    }
  // Namespaces are never pruned: deleting one deletes everything in it.
  types.delete("namespaces");
  expect([...types].filter((t) => !PRUNE_TYPES.includes(t))).toEqual([]);
});

test("an object rendered by two add-ons, or an add-on listed twice, is refused", () => {
  const ccm = all.find((a) => a.name === "cloud-controller-manager")!;
  const twin: Addon = { name: "twin", version: "1.0.0", objects: [ccm.objects[0]] };
  expect(() => storedManifests([ccm, twin])).toThrow(/rendered by both cloud-controller-manager and twin: one owner per object/);
  expect(() => storedManifests([ccm, ccm])).toThrow(/listed twice/);
});
