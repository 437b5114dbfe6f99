/**
 * EC2 instance types kubestead knows: architecture, vCPUs and memory, as of 2026-11 (from the
 * EC2 instance type pages, "Amazon EC2 instance type specifications", general purpose, compute
 * optimized and memory optimized). The table is built from families: within a family every size
 * has the same memory per vCPU and the usual size ladder (large = 2 vCPUs, xlarge = 4, …), which
 * is how AWS sizes them. A type newer than this table is refused by the config with the nearest
 * known names; add its family here.
 */
import type { Arch } from "../arch";

export const INSTANCE_TYPES_AS_OF = "2026-11";

export interface InstanceTypeInfo {
  arch: Arch;
  vcpus: number;
  memoryGiB: number;
  /** Burstable (t-family): CPU credits, not a dedicated vCPU. */
  burstable?: boolean;
}

const VCPUS: Record<string, number> = {
  medium: 1,
  large: 2,
  xlarge: 4,
  "2xlarge": 8,
  "4xlarge": 16,
  "8xlarge": 32,
  "9xlarge": 36,
  "12xlarge": 48,
  "16xlarge": 64,
  "18xlarge": 72,
  "24xlarge": 96,
  "32xlarge": 128,
  "48xlarge": 192,
  "metal-24xl": 96,
  "metal-48xl": 192,
};

const UP_TO_16 = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"];
const UP_TO_24 = [...UP_TO_16, "24xlarge"];
const UP_TO_32 = [...UP_TO_24, "32xlarge"];
const UP_TO_48 = [...UP_TO_32, "48xlarge"];
const SIXTH_GEN_INTEL = [...UP_TO_32, "metal"];
const SEVENTH_GEN_INTEL = [...UP_TO_24, "48xlarge", "metal-24xl", "metal-48xl"];
const GRAVITON_2_3 = ["medium", ...UP_TO_16, "metal"];
const GRAVITON_4 = ["medium", ...UP_TO_24, "48xlarge", "metal-24xl", "metal-48xl"];
const AMD_GEN_7 = ["medium", ...UP_TO_48, "metal-48xl"];
const FLEX = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"];

interface Family {
  arch: Arch;
  /** GiB per vCPU. */
  memoryPerVcpu: number;
  sizes: string[];
  /** vCPUs of the `metal` size (the largest virtual size's). */
  metalVcpus?: number;
}

const FAMILIES: Record<string, Family> = {
  // General purpose: 4 GiB per vCPU.
  m5: { arch: "amd64", memoryPerVcpu: 4, sizes: [...UP_TO_24, "metal"], metalVcpus: 96 },
  m5a: { arch: "amd64", memoryPerVcpu: 4, sizes: UP_TO_24 },
  m5d: { arch: "amd64", memoryPerVcpu: 4, sizes: [...UP_TO_24, "metal"], metalVcpus: 96 },
  m6i: { arch: "amd64", memoryPerVcpu: 4, sizes: SIXTH_GEN_INTEL, metalVcpus: 128 },
  m6id: { arch: "amd64", memoryPerVcpu: 4, sizes: SIXTH_GEN_INTEL, metalVcpus: 128 },
  m6a: { arch: "amd64", memoryPerVcpu: 4, sizes: [...UP_TO_48, "metal"], metalVcpus: 192 },
  m7i: { arch: "amd64", memoryPerVcpu: 4, sizes: SEVENTH_GEN_INTEL },
  "m7i-flex": { arch: "amd64", memoryPerVcpu: 4, sizes: FLEX },
  m7a: { arch: "amd64", memoryPerVcpu: 4, sizes: AMD_GEN_7 },
  m6g: { arch: "arm64", memoryPerVcpu: 4, sizes: GRAVITON_2_3, metalVcpus: 64 },
  m6gd: { arch: "arm64", memoryPerVcpu: 4, sizes: GRAVITON_2_3, metalVcpus: 64 },
  m7g: { arch: "arm64", memoryPerVcpu: 4, sizes: GRAVITON_2_3, metalVcpus: 64 },
  m7gd: { arch: "arm64", memoryPerVcpu: 4, sizes: GRAVITON_2_3, metalVcpus: 64 },
  m8g: { arch: "arm64", memoryPerVcpu: 4, sizes: GRAVITON_4 },
  // Compute optimized: 2 GiB per vCPU.
  c5: {
    arch: "amd64",
    memoryPerVcpu: 2,
    sizes: ["large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "12xlarge", "18xlarge", "24xlarge", "metal"],
    metalVcpus: 96,
  },
  c6i: { arch: "amd64", memoryPerVcpu: 2, sizes: SIXTH_GEN_INTEL, metalVcpus: 128 },
  c6id: { arch: "amd64", memoryPerVcpu: 2, sizes: SIXTH_GEN_INTEL, metalVcpus: 128 },
  c6a: { arch: "amd64", memoryPerVcpu: 2, sizes: [...UP_TO_48, "metal"], metalVcpus: 192 },
  c7i: { arch: "amd64", memoryPerVcpu: 2, sizes: SEVENTH_GEN_INTEL },
  "c7i-flex": { arch: "amd64", memoryPerVcpu: 2, sizes: FLEX },
  c7a: { arch: "amd64", memoryPerVcpu: 2, sizes: AMD_GEN_7 },
  c6g: { arch: "arm64", memoryPerVcpu: 2, sizes: GRAVITON_2_3, metalVcpus: 64 },
  c6gd: { arch: "arm64", memoryPerVcpu: 2, sizes: GRAVITON_2_3, metalVcpus: 64 },
  c7g: { arch: "arm64", memoryPerVcpu: 2, sizes: GRAVITON_2_3, metalVcpus: 64 },
  c7gd: { arch: "arm64", memoryPerVcpu: 2, sizes: GRAVITON_2_3, metalVcpus: 64 },
  c8g: { arch: "arm64", memoryPerVcpu: 2, sizes: GRAVITON_4 },
  // Memory optimized: 8 GiB per vCPU.
  r5: { arch: "amd64", memoryPerVcpu: 8, sizes: [...UP_TO_24, "metal"], metalVcpus: 96 },
  r6i: { arch: "amd64", memoryPerVcpu: 8, sizes: SIXTH_GEN_INTEL, metalVcpus: 128 },
  r6id: { arch: "amd64", memoryPerVcpu: 8, sizes: SIXTH_GEN_INTEL, metalVcpus: 128 },
  r6a: { arch: "amd64", memoryPerVcpu: 8, sizes: [...UP_TO_48, "metal"], metalVcpus: 192 },
  r7i: { arch: "amd64", memoryPerVcpu: 8, sizes: SEVENTH_GEN_INTEL },
  r7a: { arch: "amd64", memoryPerVcpu: 8, sizes: AMD_GEN_7 },
  r6g: { arch: "arm64", memoryPerVcpu: 8, sizes: GRAVITON_2_3, metalVcpus: 64 },
  r6gd: { arch: "arm64", memoryPerVcpu: 8, sizes: GRAVITON_2_3, metalVcpus: 64 },
  r7g: { arch: "arm64", memoryPerVcpu: 8, sizes: GRAVITON_2_3, metalVcpus: 64 },
  r7gd: { arch: "arm64", memoryPerVcpu: 8, sizes: GRAVITON_2_3, metalVcpus: 64 },
  r8g: { arch: "arm64", memoryPerVcpu: 8, sizes: GRAVITON_4 },
};

/** Burstable families: vCPUs and memory don't follow the ladder. */
const BURSTABLE_SIZES: Record<string, [number, number]> = {
  nano: [2, 0.5],
  micro: [2, 1],
  small: [2, 2],
  medium: [2, 4],
  large: [2, 8],
  xlarge: [4, 16],
  "2xlarge": [8, 32],
};
const BURSTABLE: Record<string, Arch> = { t3: "amd64", t3a: "amd64", t4g: "arm64" };

function buildTable(): Record<string, InstanceTypeInfo> {
  const out: Record<string, InstanceTypeInfo> = {};
  for (const [family, f] of Object.entries(FAMILIES)) {
    for (const size of f.sizes) {
      const vcpus = size === "metal" ? f.metalVcpus! : VCPUS[size];
      out[`${family}.${size}`] = { arch: f.arch, vcpus, memoryGiB: vcpus * f.memoryPerVcpu };
    }
  }
  for (const [family, arch] of Object.entries(BURSTABLE)) {
    for (const [size, [vcpus, memoryGiB]] of Object.entries(BURSTABLE_SIZES)) {
      out[`${family}.${size}`] = { arch, vcpus, memoryGiB, burstable: true };
    }
  }
  return out;
}

export const INSTANCE_TYPES: Readonly<Record<string, InstanceTypeInfo>> = buildTable();

export function instanceTypeInfo(name: string): InstanceTypeInfo | undefined {
  return Object.prototype.hasOwnProperty.call(INSTANCE_TYPES, name) ? INSTANCE_TYPES[name] : undefined;
}
