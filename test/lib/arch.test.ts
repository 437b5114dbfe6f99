import { ARCHES, archFamilyName, ec2Architecture } from "../../lib/arch";
import { INSTANCE_TYPES } from "../../lib/aws/instanceTypes";
import { DEFAULTS } from "../../lib/config/defaults";
import { KUBELET_SHA256, SUPPORTED_KUBERNETES_MINORS } from "../../lib/releases";

describe("architectures", () => {
  it("lists each architecture once, with its family and EC2 names", () => {
    expect(ARCHES).toEqual(["amd64", "arm64"]);
    expect(ARCHES.map(archFamilyName)).toEqual(["amd64 (x86_64)", "arm64 (Graviton)"]);
    expect(ARCHES.map(ec2Architecture)).toEqual(["x86_64", "arm64"]);
  });

  it("knows an instance type of every architecture, and no type of another", () => {
    expect(new Set(Object.values(INSTANCE_TYPES).map((t) => t.arch))).toEqual(new Set(ARCHES));
  });

  it("has kubelet checksums of a supported Kubernetes release for every architecture", () => {
    for (const arch of ARCHES) {
      const supported = Object.keys(KUBELET_SHA256[arch]).filter((v) => SUPPORTED_KUBERNETES_MINORS.includes(Number(v.split(".")[1])));
      expect({ arch, supported: supported.length > 0 }).toEqual({ arch, supported: true });
    }
    // The default release is amd64's; an arm64 node role needs a release with arm64 checksums.
    expect(KUBELET_SHA256.amd64[DEFAULTS.kubernetesVersion]).toMatch(/^[0-9a-f]{64}$/);
  });
});
