/**
 * kubestead:tags — tags on every taggable resource. AWS refuses keys starting with `aws:`, keys
 * over 128 characters and values over 256 (EC2, S3 and IAM share these limits); the cluster's own
 * tags are set by the program and may not be overridden.
 */
import { NAMESPACE } from "./patterns";
import { Raw, Reader } from "./reader";

/** Tag keys the program sets itself (lib/tags.ts). */
const RESERVED_PREFIXES = ["kubernetes.io/cluster/", "kubestead.io/"];

export function readTags(r: Reader, v: Raw): Record<string, string> {
  const tags = r.stringMap(v, "tags", "", true);
  for (const [k, value] of Object.entries(tags)) {
    const where = `tags.${k}`;
    if (k.toLowerCase().startsWith("aws:")) {
      r.problem(
        where,
        "must not start with aws: (AWS reserves that prefix and refuses the tag)",
        k,
        "drop the aws: prefix, e.g. use the name after it",
      );
    } else if (k.length === 0 || k.length > 128) {
      r.problem(where, "must be a tag key of 1 to 128 characters", k, "shorten the key");
    } else if (RESERVED_PREFIXES.some((p) => k.startsWith(p))) {
      r.problem(
        where,
        `must not use ${RESERVED_PREFIXES.join(" or ")}: the program sets those tags itself`,
        k,
        "use a key of your own, e.g. team or cost-center",
      );
    }
    if (value.length > 256)
      r.problem(where, "must have a value of at most 256 characters", value, `shorten the value of ${NAMESPACE}:${where}`);
  }
  return tags;
}
