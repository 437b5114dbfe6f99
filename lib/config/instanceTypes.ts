/**
 * Instance types checked against the dated table (lib/aws/instanceTypes.ts): unknown names are
 * refused with the nearest known ones; each node role gets the architecture of its types.
 */
import { archFamilyName, Arch } from "../arch";
import { INSTANCE_TYPES, INSTANCE_TYPES_AS_OF, instanceTypeInfo } from "../aws/instanceTypes";
import { didYouMean } from "../suggest";
import { NAMESPACE } from "./patterns";
import { Reader } from "./reader";

/**
 * Checks every type at `path` (one key for a single type, `path[i]` for a list) and returns the
 * role's architecture: the first known type's, with any type of another architecture refused.
 */
export function readInstanceTypes(r: Reader, path: string, types: string[], list: boolean): Arch {
  let arch: Arch | undefined;
  types.forEach((t, i) => {
    const where = list ? `${path}[${i}]` : path;
    const info = instanceTypeInfo(t);
    if (!info) {
      const hint = didYouMean(t, Object.keys(INSTANCE_TYPES));
      r.problem(
        where,
        `must be an EC2 instance type kubestead knows (table of ${INSTANCE_TYPES_AS_OF})`,
        t,
        hint
          ? `${hint} (a newer type can be added to lib/aws/instanceTypes.ts)`
          : "use a type such as m7i.large, c7i.xlarge or r7i.large (a newer type can be added to lib/aws/instanceTypes.ts)",
      );
      return;
    }
    if (arch === undefined) arch = info.arch;
    else if (info.arch !== arch) {
      r.problem(
        where,
        `must have the architecture of ${NAMESPACE}:${list ? `${path}[0]` : path} (${archFamilyName(arch)}): one node group boots one image`,
        t,
        `list only ${arch} types in this pool, or move ${t} to a pool of its own`,
      );
    }
  });
  return arch ?? "amd64";
}
