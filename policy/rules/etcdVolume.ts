/**
 * etcd data volumes hold the cluster state: encrypted at rest, and never deleted by a `pulumi up`
 * that replaces or removes them. The engine shows policies `protect` but not `retainOnDelete`, so
 * a retained volume says so with the tag kubestead.io/retain-on-delete=true (set by the component
 * from the same flag that sets the option).
 */
import { TAG, tagsOf } from "./graph";
import { asBool, isUnknown } from "./unknown";

export function etcdVolumeProblems(props: Record<string, unknown>, protect: boolean): string[] {
  const out: string[] = [];
  if (!isUnknown(props.encrypted) && asBool(props.encrypted) !== true) {
    out.push("etcd data volume is not encrypted; set encrypted: true (and a KMS key).");
  }
  if (!protect && tagsOf(props)[TAG.retain] !== "true") {
    out.push(
      `etcd data volume is neither protected nor retained; register it with protect: true, or retainOnDelete: true plus the tag ${TAG.retain}=true.`,
    );
  }
  return out;
}
