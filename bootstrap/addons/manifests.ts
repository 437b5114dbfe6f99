/**
 * The cluster's add-ons as the control plane stores and applies them: one multi-document YAML
 * manifest per add-on, in apply order, each object labelled with the add-on it belongs to (the
 * applier prunes by that label), plus a SHA256SUMS index the applier verifies before applying and
 * an inventory of every object it may keep. An add-on built per Kubernetes minor names, in its
 * file's header, the oldest apiserver minor it may run against (MIN_APISERVER_MARK).
 *
 * Everything here is public: the bootstrap token Secret is not part of it (control-plane nodes
 * fetch it from SSM and apply it beside these; see applier.ts).
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { ciliumObjects } from "./cilium";
import { cloudControllerManagerObjects } from "./cloudControllerManager";
import { clusterAdminsObjects } from "./clusterAdmins";
import { clusterAutoscalerObjects } from "./clusterAutoscaler";
import { corednsObjects } from "./coredns";
import { csrApproverObjects } from "./csrApprover";
import { ebsCsiObjects } from "./ebsCsi";
import { kubeProxyObjects } from "./kubeProxy";
import { metricsServerObjects } from "./metricsServer";
import { nodeBootstrapRbac } from "./nodeBootstrap";
import { nodeTerminationHandlerObjects } from "./nodeTerminationHandler";
import { K8sObject } from "./objects";
import type { AddonsConfig, KubernetesConfig } from "../../lib/config/types";

/** Every object the applier applies carries this label; its value is the add-on's name. */
export const ADDON_LABEL = "kubestead.io/addon";

export interface Addon {
  /** Lowercase name, also the manifest's file name. */
  name: string;
  /** The release it renders (what a reviewer sees change in the plan report). */
  version: string;
  objects: K8sObject[];
  /**
   * The oldest kube-apiserver minor this release may talk to, e.g. "1.36", for an add-on built per
   * Kubernetes minor; unset when any supported apiserver will do. The applier holds the file while
   * a control-plane node runs an older minor (an upgrade rolling through the control plane):
   * https://kubernetes.io/releases/version-skew-policy/ (kube-proxy, cloud-controller-manager).
   */
  minApiServer?: string;
}

/** Header line that carries Addon.minApiServer in the stored file, for the applier's sed. */
export const MIN_APISERVER_MARK = "# kubestead:min-apiserver";

/** "1.36.2" → "1.36". */
export function minorOf(version: string): string {
  const m = /^(\d+)\.(\d+)\.\d+$/.exec(version);
  if (!m) throw new Error(`add-on release ${JSON.stringify(version)} must be like 1.36.2 to name its Kubernetes minor`);
  return `${m[1]}.${m[2]}`;
}

export interface AddonSetArgs {
  cluster: string;
  region: string;
  kubernetes: KubernetesConfig;
  addons: AddonsConfig;
  /** The API's stable name (api.<cluster domain>): what pods that start before Services reach. */
  apiServerHost: string;
  /** Every IPv4 block of the VPC, the primary first: where nodes' addresses may lie (csrApprover.ts). */
  vpcCidrs: string[];
  /**
   * IAM role ARN per add-on that calls AWS (podRoles.ts addonPodRoles), e.g.
   * { "cluster-autoscaler": "arn:aws:iam::123456789012:role/…" }; its pods assume it by web identity.
   */
  podRoleArns: Record<string, string>;
  /** Render the kubeadm:cluster-admins binding (controlPlane.clusterAdminsBinding; default true). */
  clusterAdminsBinding?: boolean;
  /** The node termination queue's URL (lib/nodeTermination.ts queueUrl); required with addons.nodeTerminationHandler. */
  nodeTerminationQueueUrl?: string;
  /** What the EBS CSI driver's StorageClass encrypts with (EbsCsiArgs.volumeKmsKeyId): the cluster key's alias ARN. */
  volumeKmsKeyId?: string;
}

/** The names clusterAddons() renders for this config, known before any resource exists. */
export function addonNames(x: AddonsConfig): string[] {
  return [
    "node-bootstrap",
    "cluster-admins",
    "cloud-controller-manager",
    "kube-proxy",
    "cilium",
    "coredns",
    "csr-approver",
    ...(x.metricsServer ? ["metrics-server"] : []),
    ...(x.clusterAutoscaler ? ["cluster-autoscaler"] : []),
    ...(x.ebsCsiDriver ? ["ebs-csi-driver"] : []),
    ...(x.nodeTerminationHandler ? [NODE_TERMINATION_ADDON] : []),
  ];
}

/**
 * The add-ons in apply order. Order is for readable logs only: each add-on waits for what it needs
 * inside the cluster (the bring-up solver in lib/bringup proves nothing waits in a circle).
 */
export function clusterAddons(a: AddonSetArgs): Addon[] {
  const k = a.kubernetes;
  const x = a.addons;
  const list: Addon[] = [
    { name: "node-bootstrap", version: k.version, objects: nodeBootstrapRbac() },
    {
      name: "cluster-admins",
      version: k.version,
      objects: clusterAdminsObjects({ clusterAdminsBinding: a.clusterAdminsBinding }),
    },
    {
      name: "cloud-controller-manager",
      version: x.cloudControllerManagerVersion,
      // One release line per Kubernetes minor; a controller must not be newer than the apiserver.
      minApiServer: minorOf(x.cloudControllerManagerVersion),
      objects: cloudControllerManagerObjects({
        version: x.cloudControllerManagerVersion,
        clusterName: a.cluster,
        podCidr: k.podCidr,
        region: a.region,
      }),
    },
    {
      name: "kube-proxy",
      version: k.version,
      minApiServer: minorOf(k.version),
      objects: kubeProxyObjects({
        kubernetesVersion: k.version,
        podCidr: k.podCidr,
        apiServerUrl: `https://${a.apiServerHost}:6443`,
        mode: k.proxyMode,
      }),
    },
    {
      name: "cilium",
      version: x.ciliumVersion,
      objects: ciliumObjects({ version: x.ciliumVersion, clusterName: a.cluster, apiServerHost: a.apiServerHost, apiServerPort: 6443 }),
    },
    {
      name: "coredns",
      version: x.corednsVersion,
      objects: corednsObjects({ version: x.corednsVersion, clusterDnsIp: k.clusterDnsIp, clusterDomain: k.clusterDomain }),
    },
    {
      name: "csr-approver",
      version: x.csrApproverVersion,
      objects: csrApproverObjects({ version: x.csrApproverVersion, region: a.region, vpcCidrs: a.vpcCidrs }),
    },
  ];
  if (x.metricsServer)
    list.push({
      name: "metrics-server",
      version: x.metricsServerVersion,
      objects: metricsServerObjects({ version: x.metricsServerVersion }),
    });
  if (x.clusterAutoscaler)
    list.push({
      name: "cluster-autoscaler",
      version: x.clusterAutoscalerVersion,
      // Built per Kubernetes minor against that minor's APIs, like the cloud-controller-manager.
      minApiServer: minorOf(x.clusterAutoscalerVersion),
      objects: clusterAutoscalerObjects({
        version: x.clusterAutoscalerVersion,
        clusterName: a.cluster,
        region: a.region,
        roleArn: a.podRoleArns["cluster-autoscaler"],
      }),
    });
  if (x.ebsCsiDriver)
    list.push({
      name: "ebs-csi-driver",
      version: x.ebsCsiDriverVersion,
      objects: ebsCsiObjects({
        version: x.ebsCsiDriverVersion,
        clusterName: a.cluster,
        region: a.region,
        controllerRoleArn: a.podRoleArns["ebs-csi-driver"],
        volumeKmsKeyId: a.volumeKmsKeyId,
      }),
    });
  if (x.nodeTerminationHandler)
    list.push({
      name: NODE_TERMINATION_ADDON,
      version: x.nodeTerminationHandlerVersion,
      objects: nodeTerminationHandlerObjects({
        version: x.nodeTerminationHandlerVersion,
        clusterName: a.cluster,
        region: a.region,
        queueUrl: a.nodeTerminationQueueUrl ?? "",
        roleArn: a.podRoleArns[NODE_TERMINATION_ADDON],
      }),
    });
  return list;
}

/** The drainer's add-on name, also its pod role's (podRoles.ts). */
export const NODE_TERMINATION_ADDON = "node-termination";

/** One stored file of the add-on store. */
export interface StoredManifest {
  /** File name under the store's prefix and under ADDON_DIR on the node: NN-<addon>.yaml. */
  file: string;
  addon: string;
  version: string;
  /** Addon.minApiServer, also in the content's header (so SHA256SUMS covers it). */
  minApiServer?: string;
  content: string;
  sha256: string;
  /** Objects it holds, as objectRef() lines (namespace empty when cluster-scoped). */
  objects: string[];
}

export const sha256Hex = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

/**
 * apiVersion|kind|namespace|name, the identity the applier compares when pruning. "|" because it
 * can't occur in any of the four, and a non-blank separator keeps bash's `read` from merging the
 * empty namespace field of a cluster-scoped object.
 */
export function objectRef(o: K8sObject): string {
  return [o.apiVersion, o.kind, o.metadata.namespace ?? "", o.metadata.name].join("|");
}

function labelled(o: K8sObject, addon: string): K8sObject {
  return { ...o, metadata: { ...o.metadata, labels: { ...(o.metadata.labels ?? {}), [ADDON_LABEL]: addon } } };
}

/** Multi-document YAML, one document per object, byte-stable. */
export function renderManifest(addon: Addon): string {
  const header =
    `# kubestead add-on ${addon.name} ${addon.version}. Rendered by bootstrap/addons; applied by the control plane.\n` +
    (addon.minApiServer === undefined ? "" : `${MIN_APISERVER_MARK} ${addon.minApiServer}\n`);
  // No anchors: an object reused within a document (labels) is written out in full each time.
  return (
    header + addon.objects.map((o) => `---\n${stringify(labelled(o, addon.name), { lineWidth: 0, aliasDuplicateObjects: false })}`).join("")
  );
}

export function storedManifests(addons: Addon[]): StoredManifest[] {
  const names = new Set<string>();
  const refs = new Map<string, string>();
  return addons.map((addon, i) => {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(addon.name))
      throw new Error(`add-on name ${JSON.stringify(addon.name)} must be a DNS label`);
    if (names.has(addon.name)) throw new Error(`add-on ${addon.name} is listed twice: each add-on has one manifest`);
    names.add(addon.name);
    // The applier compares it as MAJOR.MINOR and holds the file on anything else.
    if (addon.minApiServer !== undefined && !/^\d+\.\d+$/.test(addon.minApiServer))
      throw new Error(`add-on ${addon.name}: minApiServer ${JSON.stringify(addon.minApiServer)} must be a minor like 1.36`);
    for (const o of addon.objects) {
      const ref = objectRef(o);
      const owner = refs.get(ref);
      if (owner !== undefined)
        throw new Error(`${ref.replace(/\|/g, " ")} is rendered by both ${owner} and ${addon.name}: one owner per object`);
      refs.set(ref, addon.name);
    }
    const content = renderManifest(addon);
    return {
      file: `${String(i).padStart(2, "0")}-${addon.name}.yaml`,
      addon: addon.name,
      version: addon.version,
      ...(addon.minApiServer === undefined ? {} : { minApiServer: addon.minApiServer }),
      content,
      sha256: sha256Hex(content),
      objects: addon.objects.map(objectRef),
    };
  });
}

/**
 * `sha256sum -c` input over every manifest and the inventory: the applier applies only what it
 * lists and refuses a store whose files don't match (e.g. one read while `pulumi up` writes it).
 */
export function renderChecksums(m: StoredManifest[]): string {
  const inventory = renderInventory(m);
  return [...m.map((x) => `${x.sha256}  ${x.file}\n`), `${sha256Hex(inventory)}  ${INVENTORY_FILE}\n`].join("");
}

/** Every object the stored manifests hold: what prune keeps. Sorted, one ref a line. */
export function renderInventory(m: StoredManifest[]): string {
  return [...m.flatMap((x) => x.objects)]
    .sort()
    .map((r) => `${r}\n`)
    .join("");
}

export const CHECKSUMS_FILE = "SHA256SUMS";
export const INVENTORY_FILE = "inventory.txt";
