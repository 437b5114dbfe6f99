/**
 * CPU architecture: one notion for instance types, machine images and the binaries a node
 * downloads. Kubernetes, Go and release archives say `amd64`/`arm64`; EC2 says `x86_64`/`arm64`.
 */
export type Arch = "amd64" | "arm64";

/** How people name each architecture when they speak of instance families; `satisfies` makes a new Arch name itself here. */
const FAMILY_NAMES = { amd64: "amd64 (x86_64)", arm64: "arm64 (Graviton)" } as const satisfies Record<Arch, string>;

/** Every Arch, in one order (the keys of FAMILY_NAMES, so a new Arch cannot be left out). */
export const ARCHES: readonly Arch[] = Object.keys(FAMILY_NAMES) as Arch[];

/** EC2's name for the architecture (DescribeImages `architecture`, instance type processor info). */
export function ec2Architecture(arch: Arch): "x86_64" | "arm64" {
  switch (arch) {
    case "amd64":
      return "x86_64";
    case "arm64":
      return "arm64";
    default: {
      const never: never = arch;
      throw new Error(`unknown architecture ${String(never)}`);
    }
  }
}

/** How people name the architecture when they speak of instance families. */
export function archFamilyName(arch: Arch): string {
  return FAMILY_NAMES[arch];
}
