/**
 * Instance types checked against the dated table (lib/aws/instanceTypes.ts): unknown names are
 * refused with the nearest known ones; each node role gets the architecture of its types.
 */
import { archFamilyName, Arch } from "../arch";
import { INSTANCE_TYPES, INSTANCE_TYPES_AS_OF, instanceTypeInfo } from "../aws/instanceTypes";
import { didYouMean } from "../suggest";
import { NAMESPACE } from "./patterns";
import { Reader } from "./reader";

/** Architectures nodes can boot today: the images, binaries and checksums exist for these. */
export const SUPPORTED_ARCHES: readonly Arch[] = ["amd64", "arm64"];

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
    if (arch === undefined) {
      arch = info.arch;
      if (!SUPPORTED_ARCHES.includes(info.arch)) {
        r.problem(
          where,
          `must be an ${SUPPORTED_ARCHES.map(archFamilyName).join(" or ")} type: nodes boot ${SUPPORTED_ARCHES.join(", ")} images and binaries only`,
          t,
          `use an ${SUPPORTED_ARCHES.join("/")} type${counterpartHint(t, SUPPORTED_ARCHES[0])}`,
        );
      }
    } else if (info.arch !== arch) {
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

/** ", e.g. m7i.large" for m7g.large: same class letter and size, the architecture wanted, nearest generation. */
function counterpartHint(type: string, arch: Arch): string {
  const m = /^([a-z])(\d+)[a-z-]*\.(.+)$/.exec(type);
  if (!m) return "";
  const [, letter, gen, size] = m;
  const candidates = Object.entries(INSTANCE_TYPES)
    .filter(([name, info]) => info.arch === arch && name.startsWith(letter) && name.endsWith(`.${size}`) && /^[a-z]\d+[a-z]?\./.test(name))
    .map(([name]) => ({ name, gen: Number(/^[a-z](\d+)/.exec(name)![1]) }))
    .sort((a, b) => Math.abs(a.gen - Number(gen)) - Math.abs(b.gen - Number(gen)) || b.gen - a.gen || a.name.localeCompare(b.name));
  return candidates.length > 0 ? `, e.g. ${candidates[0].name}` : "";
}
