/** arm64 (Graviton) node roles: architecture from instance types, arm64 binaries and images, mixed clusters. */
import { kubernetesNodeBoot } from "../../bootstrap/node/boot";
import { ec2Architecture } from "../../lib/arch";
import { instanceTypeInfo } from "../../lib/aws/instanceTypes";
import { parseClusterConfig } from "../../lib/config/parse";
import { ETCD_SHA256, etcdUrl, KUBECTL_SHA256, KUBELET_SHA256 } from "../../lib/releases";
import { withChange } from "../helpers/stackValues";

const graviton = () =>
  parseClusterConfig(
    withChange("prod", (v) => {
      v.kubernetes.version = "1.37.0";
      v.controlPlane.instanceType = "m7g.xlarge";
      v.etcd.instanceType = "r7g.large";
      v.workers[1].instanceTypes = ["c7g.large", "c6g.large"];
    }),
  );

test("every node role takes the architecture of its instance types", () => {
  const c = graviton();
  expect([c.controlPlane.arch, c.etcd.arch, ...c.workers.map((w) => w.arch)]).toEqual(["arm64", "arm64", "amd64", "arm64"]);
  expect(instanceTypeInfo("m7g.xlarge")).toEqual({ arch: "arm64", vcpus: 4, memoryGiB: 16 });
  expect(instanceTypeInfo("t4g.medium")?.arch).toBe("arm64");
  expect(instanceTypeInfo("m7a.large")?.arch).toBe("amd64");
  expect([ec2Architecture("amd64"), ec2Architecture("arm64")]).toEqual(["x86_64", "arm64"]);
});

test("checksums are resolved for each architecture in use, kubectl only where the control plane runs", () => {
  const c = graviton();
  expect(Object.keys(c.checksums).sort()).toEqual(["amd64", "arm64"]);
  expect(c.checksums.arm64?.kubelet).toBe(KUBELET_SHA256.arm64["1.37.0"]);
  expect(c.checksums.arm64?.kubectl).toBe(KUBECTL_SHA256.arm64["1.37.0"]);
  expect(c.checksums.amd64?.kubelet).toBe(KUBELET_SHA256.amd64["1.37.0"]);
  // An amd64-only cluster resolves amd64 alone.
  expect(Object.keys(parseClusterConfig(withChange("prod", () => undefined)).checksums)).toEqual(["amd64"]);
});

test("etcd on Graviton verifies the arm64 tarball", () => {
  const c = graviton();
  expect(c.etcd.sha256).toBe(ETCD_SHA256.arm64[c.etcd.version]);
  expect(c.etcd.sha256).not.toBe(ETCD_SHA256.amd64[c.etcd.version]);
  expect(etcdUrl(c.etcd.version, "arm64")).toBe(
    `https://github.com/etcd-io/etcd/releases/download/v${c.etcd.version}/etcd-v${c.etcd.version}-linux-arm64.tar.gz`,
  );
});

test("an arm64 control-plane node installs arm64 kubelet and kubectl with their checksums, nothing amd64", () => {
  const c = graviton();
  const boot = kubernetesNodeBoot({
    cluster: c.name,
    region: c.region,
    kubernetes: c.kubernetes,
    arch: "arm64",
    checksums: c.checksums.arm64!,
    role: "controlplane",
    caCertPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    labels: {},
    taints: [],
  });
  const script = boot.files.find((f) => f.path === "/opt/kubestead/bin/boot.sh")!.content;
  const installs = [...script.matchAll(/^install_release '([^']+)' '([0-9a-f]{64})'/gm)].map((m) => [m[1], m[2]]);
  expect(installs).toContainEqual(["https://dl.k8s.io/release/v1.37.0/bin/linux/arm64/kubectl", KUBECTL_SHA256.arm64["1.37.0"]]);
  expect(installs).toContainEqual(["https://dl.k8s.io/release/v1.37.0/bin/linux/arm64/kubelet", KUBELET_SHA256.arm64["1.37.0"]]);
  expect(installs).toHaveLength(5);
  expect(script).not.toMatch(/amd64/);
});
