/**
 * Checks shared by the add-on object tests: find an object, validate objects against the
 * Kubernetes OpenAPI schemas (test/helpers/validateK8s.mjs in a child Node, as the schemas are
 * ESM-only), and ask what the rendered RBAC lets a ServiceAccount do.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { K8sObject } from "../../bootstrap/addons/objects";

/** The object of that kind (and name); throws when absent so a test fails at the lookup. */
export function find(objs: K8sObject[], kind: string, name?: string): any {
  const o = objs.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind}${name ? ` ${name}` : ""} among ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(", ")}`);
  return o;
}

/** kind/namespace/name of each object, "-" for cluster-scoped. */
export const refs = (objs: K8sObject[]): string[] => objs.map((o) => `${o.kind}/${o.metadata.namespace ?? "-"}/${o.metadata.name}`);

/** Schema problems of the objects; [] when every one is valid. */
export function schemaProblems(objects: K8sObject[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubestead-k8s-"));
  const file = path.join(dir, "objects.json");
  fs.writeFileSync(file, JSON.stringify(objects));
  const r = spawnSync(process.execPath, [path.join(__dirname, "validateK8s.mjs"), file], {
    encoding: "utf8",
    cwd: path.resolve(__dirname, "../.."),
  });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`validator failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

export interface Access {
  /** API group, "" for core. */
  group: string;
  /** Resource, with /subresource. */
  resource: string;
  verb: string;
  /** Namespace of the object; absent for cluster-scoped resources. */
  namespace?: string;
  /** Object name, when the request names one. */
  name?: string;
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}

const has = (list: string[] | undefined, v: string) => !!list && (list.includes(v) || list.includes("*"));

function ruleAllows(r: Rule, a: Access): boolean {
  if (!has(r.apiGroups, a.group) || !has(r.resources, a.resource) || !has(r.verbs, a.verb)) return false;
  if (!r.resourceNames?.length) return true;
  return a.name !== undefined && r.resourceNames.includes(a.name);
}

/**
 * Whether the roles and bindings among `objs` let ServiceAccount `sa` (in kube-system unless given
 * as ns/name) perform `a`. Only roles rendered in `objs` count; built-in roles do not.
 */
export function can(objs: K8sObject[], sa: string, a: Access): boolean {
  const [saNs, saName] = sa.includes("/") ? sa.split("/") : ["kube-system", sa];
  const role = (kind: string, name: string, ns?: string) =>
    objs.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns) as { rules?: Rule[] } | undefined;
  return objs.some((b: any) => {
    if (b.kind !== "ClusterRoleBinding" && b.kind !== "RoleBinding") return false;
    if (!b.subjects?.some((s: any) => s.kind === "ServiceAccount" && s.name === saName && s.namespace === saNs)) return false;
    // A RoleBinding grants only inside its own namespace.
    if (b.kind === "RoleBinding" && b.metadata.namespace !== a.namespace) return false;
    const r = b.roleRef.kind === "Role" ? role("Role", b.roleRef.name, b.metadata.namespace) : role("ClusterRole", b.roleRef.name);
    return (r?.rules ?? []).some((rule) => ruleAllows(rule, a));
  });
}

/** The pod template spec of a Deployment or DaemonSet. */
export const podSpec = (workload: any): any => workload.spec.template.spec;
