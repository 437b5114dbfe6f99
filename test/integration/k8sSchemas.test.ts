/**
 * Every Kubernetes object kubestead applies or runs — the objects of the stored add-on manifests and
 * the control-plane static pods — validated against the Kubernetes OpenAPI schemas
 * (kubernetes-models), on the real planned prod stack.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { Plan } from "../../lib/plan/types";
import { renderNodes } from "../../tools/render/nodes";
import { ofType, planStack } from "../helpers/plannedStack";

let plan: Plan;
beforeAll(async () => {
  plan = await planStack("prod");
}, 120_000);

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

function validate(objects: K8sObject[]): string[] {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kubestead-k8s-")), "objects.json");
  fs.writeFileSync(file, JSON.stringify(objects));
  const r = spawnSync(process.execPath, [path.join(__dirname, "../helpers/validateK8s.mjs"), file], {
    encoding: "utf8",
    cwd: path.resolve(__dirname, "../.."),
  });
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`validator failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

test("the validator catches an invalid object (control)", () => {
  const bad = { apiVersion: "v1", kind: "Service", metadata: { name: "x" }, spec: { ports: [{ port: "eighty" }] } };
  expect(validate([bad as K8sObject])).toEqual([expect.stringContaining("v1 Service x")]);
});

test("every object of every stored add-on manifest is schema-valid", () => {
  const objects = ofType(plan, "aws:s3/bucketObjectv2:BucketObjectv2")
    .filter((o) => (o.inputs.metadata as Record<string, string> | undefined)?.addon)
    .flatMap((o) => parseAllDocuments(String(o.inputs.content)).map((d) => d.toJS() as K8sObject));
  const kinds = new Set(objects.map((o) => o.kind));
  for (const k of [
    "DaemonSet",
    "Deployment",
    "Service",
    "ConfigMap",
    "ServiceAccount",
    "ClusterRole",
    "ClusterRoleBinding",
    "PodDisruptionBudget",
    "APIService",
    "CSIDriver",
  ]) {
    expect(kinds).toContain(k);
  }
  expect(validate(objects)).toEqual([]);
});

test("the control-plane static pods are schema-valid Pods", () => {
  const node = renderNodes(plan).find((n) => n.name === "controlplane-0")!;
  const pods = node.files.filter((f) => f.path.startsWith("/etc/kubernetes/manifests/")).map((f) => parse(f.content) as K8sObject);
  // The KMS plugin beside the apiserver: encryption at rest goes through KMS v2 by default.
  expect(pods.map((p) => p.metadata.name).sort()).toEqual([
    "aws-encryption-provider",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
  ]);
  expect(validate(pods)).toEqual([]);
});
