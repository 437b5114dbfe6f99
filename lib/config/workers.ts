/** kubestead:workers — the worker pools. */
import { kubeletMaySetLabel, labelValueRule, NODE_ROLE_LABEL, qualifiedNameRule } from "../k8sNames";
import { KUBELET_SHA256, knownChecksum } from "../releases";
import { kubeletSkewProblem } from "../versionSkew";
import { readInstanceTypes } from "./instanceTypes";
import { TAINT_EFFECTS } from "./patterns";
import { Raw, Reader } from "./reader";
import { Taint, WorkerPoolConfig } from "./types";

/**
 * `kubernetesVersion` is the control plane's (kubernetes.version): a pool's kubelets default to
 * it and may be pinned older, never newer (lib/versionSkew.ts).
 */
export function readWorkers(r: Reader, raw: unknown, zones: string[], kubernetesVersion: string): WorkerPoolConfig[] {
  if (raw === undefined) raw = [{ name: "general" }];
  if (!Array.isArray(raw)) {
    r.problem("workers", "must be a list of worker pools", raw, "write kubestead:workers as a YAML list of pools, each with a name");
    return [];
  }
  const names = new Set<string>();
  return raw.map((item, i) => {
    const p = `workers[${i}]`;
    const w = r.object(item, p);
    r.unknownKeys(w, p, [
      "name",
      "minSize",
      "maxSize",
      "desiredCapacity",
      "instanceTypes",
      "rootVolumeGiB",
      "spot",
      "labels",
      "taints",
      "zones",
      "minHealthyPercentage",
      "metadataHopLimit",
      "kubernetesVersion",
      "kubeletSha256",
    ]);
    const name = r.string(w, "name", p, undefined, {
      re: /^[a-z]([a-z0-9-]{0,20}[a-z0-9])?$/,
      rule: "must be a lowercase DNS label of at most 22 characters",
      fix: "use lowercase letters, digits and dashes, e.g. general",
    });
    if (names.has(name)) r.problem(`${p}.name`, "must be unique among pools", name, "give each pool its own name");
    // Pool ASGs are named <cluster>-<pool>, beside <cluster>-controlplane and <cluster>-etcd-<i>.
    if (["etcd", "controlplane", "workers"].includes(name) || /^etcd-\d+$/.test(name)) {
      r.problem(
        `${p}.name`,
        "must not be a node-role name (etcd, etcd-<i>, controlplane, workers)",
        name,
        "pick another name, e.g. general",
      );
    }
    names.add(name);
    const minSize = r.int(w, "minSize", p, 1, 0, 5000);
    const maxSize = r.int(w, "maxSize", p, Math.max(3, minSize), 0, 5000);
    const desiredCapacity = r.int(w, "desiredCapacity", p, minSize, 0, 5000);
    if (minSize > maxSize) {
      r.problem(`${p}.minSize`, `must not exceed maxSize (${maxSize})`, minSize, "lower minSize or raise maxSize");
    } else if (desiredCapacity < minSize || desiredCapacity > maxSize) {
      r.problem(
        `${p}.desiredCapacity`,
        `must lie within [minSize, maxSize] = [${minSize}, ${maxSize}]`,
        desiredCapacity,
        "set desiredCapacity between minSize and maxSize",
      );
    }
    const instanceTypes = r.stringList(w, "instanceTypes", p, ["m7i.large"]);
    if (instanceTypes.length === 0)
      r.problem(`${p}.instanceTypes`, "must list at least one instance type", instanceTypes, "list e.g. [m7i.large]");
    const arch = readInstanceTypes(r, `${p}.instanceTypes`, instanceTypes, true);
    const rootVolumeGiB = r.int(w, "rootVolumeGiB", p, 50, 20, 16384);
    let spot;
    if (w.spot !== undefined) {
      const s = r.object(w.spot, `${p}.spot`);
      r.unknownKeys(s, `${p}.spot`, ["onDemandBase", "onDemandPercentageAboveBase"]);
      spot = {
        onDemandBase: r.int(s, "onDemandBase", `${p}.spot`, 0, 0, 5000),
        onDemandPercentageAboveBase: r.int(s, "onDemandPercentageAboveBase", `${p}.spot`, 0, 0, 100),
      };
    }
    const labels = readLabels(r, w, p);
    const taints = readTaints(r, w.taints, `${p}.taints`);
    const poolZones = r.stringList(w, "zones", p, zones);
    if (poolZones.length === 0)
      r.problem(`${p}.zones`, "must list at least one zone", poolZones, "leave it unset to span every cluster zone");
    for (const z of poolZones)
      if (zones.length && !zones.includes(z))
        r.problem(`${p}.zones`, `must be among kubestead:zones (${zones.join(", ")})`, z, "pick zones from kubestead:zones");
    const minHealthyPercentage = r.int(w, "minHealthyPercentage", p, 90, 0, 100);
    const metadataHopLimit = r.int(w, "metadataHopLimit", p, 1, 1, 64);
    if (metadataHopLimit > 1 && metadataHopLimit <= 64) {
      r.problem(
        `${p}.metadataHopLimit`,
        "must be 1: above 1, every pod on the pool's nodes reaches IMDS and acts as the worker node role",
        metadataHopLimit,
        "remove it; pods that need AWS get their own IAM role through the cluster's service-account issuer (README: Pods and AWS credentials)",
      );
    }
    const kubelet = readPoolKubelet(r, w, p, r.failed(`${p}.instanceTypes`) ? undefined : arch, kubernetesVersion);
    return {
      name,
      ...kubelet,
      minSize,
      maxSize,
      desiredCapacity,
      instanceTypes,
      arch,
      rootVolumeGiB,
      spot,
      labels,
      taints,
      zones: poolZones,
      minHealthyPercentage,
      metadataHopLimit,
    };
  });
}

/**
 * The pool's kubelet release: the control plane's unless pinned, as an upgrade holds the pools
 * back while the control plane moves (README: Upgrades). A pinned release other than the control
 * plane's brings its own kubelet checksum: the table's, or `kubeletSha256`.
 */
function readPoolKubelet(
  r: Reader,
  w: Raw,
  p: string,
  arch: WorkerPoolConfig["arch"] | undefined,
  controlPlane: string,
): Pick<WorkerPoolConfig, "kubernetesVersion" | "kubeletSha256"> {
  const version = r.string(w, "kubernetesVersion", p, controlPlane, {
    re: /^\d+\.\d+\.\d+$/,
    rule: "must be a Kubernetes release like 1.35.8 (no leading v)",
    fix: "pin the release the pool runs now, or leave it out to follow kubernetes.version",
  });
  const given = w.kubeletSha256;
  if (given !== undefined && (typeof given !== "string" || !/^[0-9a-f]{64}$/.test(given)))
    r.problem(
      `${p}.kubeletSha256`,
      "must be a sha256: 64 lowercase hex digits",
      given,
      "copy the checksum the release publishes for the kubelet",
    );
  if (r.failed(`${p}.kubernetesVersion`, "kubernetes.version") || version === controlPlane) {
    if (given !== undefined && version === controlPlane && !r.failed(`${p}.kubeletSha256`))
      r.problem(
        `${p}.kubeletSha256`,
        "applies only to a pool pinned to a release other than kubernetes.version",
        given,
        "remove it; the control plane's release takes its checksum from kubestead:checksums",
      );
    return { kubernetesVersion: version };
  }
  const skew = kubeletSkewProblem(version, controlPlane);
  if (skew) {
    r.problem(
      `${p}.kubernetesVersion`,
      skew,
      version,
      `pin the pool at ${controlPlane} or older, or leave it out to follow kubernetes.version`,
    );
    return { kubernetesVersion: version };
  }
  const known = arch ? knownChecksum(KUBELET_SHA256, arch, version) : undefined;
  const sha = typeof given === "string" ? given : known;
  if (!sha && arch && given === undefined) {
    r.problem(
      `${p}.kubernetesVersion`,
      `has no known checksum for kubelet v${version} linux/${arch}: nodes download only what they can verify`,
      version,
      `pin a release with a known ${arch} kubelet checksum (${Object.keys(KUBELET_SHA256[arch]).join(", ") || "none"}), or set ${r.key(`${p}.kubeletSha256`)} from the release's published checksum`,
    );
  }
  return { kubernetesVersion: version, kubeletSha256: sha ?? "" };
}

/**
 * Node labels as the kubelet registers them. Values may be YAML booleans or numbers (`gpu: true`):
 * Kubernetes label values are text, so they are taken as written.
 */
function readLabels(r: Reader, w: Raw, p: string): Record<string, string> {
  const labels = r.stringMap(w, "labels", p, true);
  for (const [k, value] of Object.entries(labels)) {
    const where = `${p}.labels.${k}`;
    const keyRule = qualifiedNameRule(k);
    if (keyRule) {
      r.problem(where, `key ${keyRule}`, k, "rename the label, e.g. example.com/tier");
      continue;
    }
    if (k === NODE_ROLE_LABEL) {
      r.problem(where, "is set by kubestead itself (worker or control-plane)", k, "use a label of your own, e.g. example.com/tier");
    } else if (!kubeletMaySetLabel(k)) {
      r.problem(
        where,
        "must not be a kubernetes.io or k8s.io label the kubelet may not set on itself (NodeRestriction refuses it and the node never registers)",
        k,
        "use your own prefix, e.g. example.com/pool, or node.kubernetes.io/…",
      );
    }
    const valueRule = labelValueRule(value);
    if (valueRule) r.problem(where, `value ${valueRule}`, value, "shorten the value or replace spaces and other characters with '-'");
  }
  return labels;
}

/** Taints as `--register-with-taints` takes them; the same key and effect twice is refused, as the API does. */
export function readTaints(r: Reader, raw: unknown, p: string): Taint[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    r.problem(p, "must be a list of {key, value, effect}", raw, "write taints as a YAML list");
    return [];
  }
  const seen = new Set<string>();
  return raw.map((t, i) => {
    const q = `${p}[${i}]`;
    const o = r.object(t, q);
    r.unknownKeys(o, q, ["key", "value", "effect"]);
    const key = r.string(o, "key", q);
    if (key) {
      const keyRule = qualifiedNameRule(key);
      if (keyRule) r.problem(`${q}.key`, keyRule, key, "use a key like example.com/dedicated");
    }
    let value: string | undefined;
    if (typeof o.value === "boolean" || typeof o.value === "number") value = String(o.value);
    else if (o.value !== undefined && o.value !== null) value = r.string(o, "value", q);
    if (value !== undefined) {
      const valueRule = labelValueRule(value);
      if (valueRule) r.problem(`${q}.value`, valueRule, value, "shorten the value or replace spaces and other characters with '-'");
    }
    const effect = r.oneOf(o, "effect", q, "NoSchedule", TAINT_EFFECTS);
    if (seen.has(`${key}:${effect}`)) {
      r.problem(`${q}`, `must not repeat key ${key} with effect ${effect}`, { key, effect }, "keep one taint per key and effect");
    }
    seen.add(`${key}:${effect}`);
    return value === undefined ? { key, effect } : { key, value, effect };
  });
}
