/**
 * CPU architecture: one notion for instance types, machine images and the binaries a node
 * downloads. Kubernetes, Go and release archives say `amd64`/`arm64`; EC2 says `x86_64`/`arm64`.
 */
export type Arch = "amd64" | "arm64";

export const ARCHES: readonly Arch[] = ["amd64", "arm64"];

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
  return arch === "arm64" ? "arm64 (Graviton)" : "amd64 (x86_64)";
}
