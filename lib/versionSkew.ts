/**
 * Kubernetes' version skew policy as kubestead applies it
 * (https://kubernetes.io/releases/version-skew-policy/):
 *
 * - kubelet (and kube-proxy) never newer than kube-apiserver, and at most three minors older
 *   (since 1.28; two before). A pool whose kubelets are newer than the apiservers may be refused
 *   calls and features the apiserver does not have yet.
 * - kube-apiserver moves one minor per upgrade: 1.35 → 1.37 in one step skips the storage
 *   migrations and API removals 1.36 carries.
 * - kube-controller-manager, the scheduler and the cloud-controller-manager run the apiserver's
 *   minor (the AWS cloud-controller-manager and the Cluster Autoscaler support only their own
 *   minor: lib/config/addons.ts).
 *
 * Pure: the config reader, the change report (lib/plan/diff.ts) and the tests share it.
 */

/** How many minors a kubelet may lag the apiserver (Kubernetes ≥ 1.28). */
export const KUBELET_MAX_MINORS_BEHIND = 3;
/** How many minors the control plane may move in one change. */
export const CONTROL_PLANE_MAX_MINOR_STEP = 1;

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

/** The minor of a 1.x.y release, or undefined when it is not one. */
export function minorOf(version: string | undefined): number | undefined {
  const m = SEMVER.exec(version ?? "");
  return m && m[1] === "1" ? Number(m[2]) : undefined;
}

/** Order of two x.y.z releases: negative, zero or positive. */
export function compareReleases(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * Why a kubelet of `kubelet` may not talk to apiservers of `apiserver`, or undefined when it may.
 * Both must be valid 1.x.y releases (the caller reports malformed ones).
 */
export function kubeletSkewProblem(kubelet: string, apiserver: string): string | undefined {
  const k = minorOf(kubelet);
  const a = minorOf(apiserver);
  if (k === undefined || a === undefined) return undefined;
  if (compareReleases(kubelet, apiserver) > 0)
    return `must not be newer than the control plane's kubernetes.version ${apiserver}: a kubelet never runs ahead of the apiserver`;
  if (a - k > KUBELET_MAX_MINORS_BEHIND)
    return `must be at most ${KUBELET_MAX_MINORS_BEHIND} minors older than the control plane's kubernetes.version ${apiserver} (Kubernetes' version skew policy)`;
  return undefined;
}

/** Why moving the control plane from `from` to `to` in one change is refused, or undefined. */
export function controlPlaneStepProblem(from: string, to: string): string | undefined {
  const f = minorOf(from);
  const t = minorOf(to);
  if (f === undefined || t === undefined) return undefined;
  if (t - f > CONTROL_PLANE_MAX_MINOR_STEP)
    return `moves the control plane ${t - f} minors (${from} → ${to}): Kubernetes upgrades one minor at a time`;
  if (t < f)
    return `moves the control plane back a minor (${from} → ${to}): Kubernetes does not support downgrading a control plane's minor`;
  return undefined;
}
