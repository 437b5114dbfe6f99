/**
 * What every node the plan would boot has on disk after boot: the files cloud-init writes from
 * the launch template's user data (exactly as sent to EC2), plus the secrets the boot script
 * fetches from SSM (taken from the planned SecureString parameters), and on control-plane nodes
 * the add-on manifests the applier downloads from the add-on store. Pure over a Plan.
 */
import { parse } from "yaml";
import { ADDON_DIR } from "../../bootstrap/addons/applier";
import { decodeUserData } from "../../bootstrap/cloudInit";
import { ADDON_PREFIX, NODE_FILE_PREFIX } from "../../components/addonStore";
import { SECRETS_MANIFEST_PATH } from "../../bootstrap/types";
import { launchTemplateOf } from "../../lib/plan/launchTemplate";
import { Plan, PlanResource } from "../../lib/plan/types";

export interface RenderedFile {
  path: string;
  content: string;
  mode: string;
  /** userdata: written by cloud-init; ssm: fetched at boot; s3: the add-on store, fetched by the applier. */
  source: "userdata" | "ssm" | "s3";
}

export interface RenderedNode {
  name: string;
  role: string;
  /** The auto scaling group the node belongs to, and that group's minimum size. */
  group: string;
  minSize: number;
  /** The #cloud-config document as EC2 receives it (decoded). */
  userData: string;
  files: RenderedFile[];
}

type Tags = { key: string; value: string }[];

function tag(asg: PlanResource, key: string): string | undefined {
  return ((asg.inputs.tags as Tags | undefined) ?? []).find((t) => t.key === key)?.value;
}

export function renderNodes(plan: Plan): RenderedNode[] {
  const parameters = new Map<string, string>();
  const addonFiles: RenderedFile[] = [];
  for (const r of plan.resources) {
    if (r.type === "aws:ssm/parameter:Parameter") parameters.set(String(r.inputs.name), String(r.inputs.value));
    const key = String(r.inputs.key ?? "");
    if (r.type === "aws:s3/bucketObjectv2:BucketObjectv2" && key.startsWith(ADDON_PREFIX)) {
      addonFiles.push({
        path: `${ADDON_DIR}/${key.slice(ADDON_PREFIX.length)}`,
        content: String(r.inputs.content),
        mode: "0600",
        source: "s3",
      });
    }
    // Node files the boot step fetches from the store, at the path their metadata names.
    const meta = r.inputs.metadata as Record<string, string> | undefined;
    if (r.type === "aws:s3/bucketObjectv2:BucketObjectv2" && key.startsWith(NODE_FILE_PREFIX) && meta?.path) {
      addonFiles.push({ path: meta.path, content: String(r.inputs.content), mode: meta.mode, source: "s3" });
    }
  }
  const nodes: RenderedNode[] = [];
  for (const asg of plan.resources.filter((r) => r.type === "aws:autoscaling/group:Group")) {
    const role = tag(asg, "kubestead.io/role");
    if (!role) continue;
    const lt = launchTemplateOf(plan, asg);
    if (!lt) throw new Error(`auto scaling group ${asg.name} has no launch template in the plan`);
    const userData = decodeUserData(String(lt.inputs.userData));
    const doc = parse(userData.replace(/^#cloud-config\n/, "")) as {
      write_files?: { path: string; content: string; permissions: string }[];
    };
    const files: RenderedFile[] = (doc.write_files ?? []).map((f) => ({
      path: f.path,
      content: f.content,
      mode: f.permissions,
      source: "userdata" as const,
    }));
    const manifest = files.find((f) => f.path === SECRETS_MANIFEST_PATH)?.content ?? "";
    for (const line of manifest.split("\n").filter(Boolean)) {
      const [parameter, path, mode] = line.split("\t");
      const value = parameters.get(parameter);
      if (value === undefined) throw new Error(`node secret ${path} comes from SSM parameter ${parameter}, which the plan does not create`);
      files.push({ path, content: value, mode, source: "ssm" });
    }
    if (role === "controlplane") files.push(...addonFiles.sort((a, b) => a.path.localeCompare(b.path)));
    const names = nodeNames(asg, role);
    const group = String(asg.inputs.name ?? asg.name);
    const minSize = Number(asg.inputs.minSize ?? 0);
    for (const name of names) nodes.push({ name, role, group, minSize, userData, files });
  }
  return nodes.sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
}

function nodeNames(asg: PlanResource, role: string): string[] {
  const count = Math.max(1, Number(asg.inputs.desiredCapacity ?? asg.inputs.minSize ?? 1));
  switch (role) {
    case "etcd":
      return [`etcd-${tag(asg, "kubestead.io/member") ?? "0"}`];
    case "controlplane":
      return Array.from({ length: count }, (_, i) => `controlplane-${i}`);
    case "worker": {
      const pool = tag(asg, "kubestead.io/pool") ?? asg.name;
      return Array.from({ length: count }, (_, i) => `${pool}-${i}`);
    }
    default:
      return [`${role}-0`];
  }
}
