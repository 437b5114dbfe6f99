import { csrApproverObjects, ec2PrivateDnsRegex } from "../../../bootstrap/addons/csrApprover";
import { CONTROL_PLANE_SELECTOR, CONTROL_PLANE_TOLERATION } from "../../../bootstrap/addons/objects";
import { can, find, podSpec, refs, schemaProblems } from "../../helpers/addonObjects";

const ARGS = { version: "1.2.15", region: "eu-west-1", vpcCidrs: ["10.0.0.0/16"] };
const objs = csrApproverObjects(ARGS);
const deployment = find(objs, "Deployment", "kubelet-csr-approver");
const container = podSpec(deployment).containers[0];
const flag = (name: string): string | undefined =>
  (container.args as string[]).find((x) => x.startsWith(`--${name}=`))?.slice(name.length + 3);

test("objects", () => {
  expect(refs(objs)).toEqual([
    "ServiceAccount/kube-system/kubelet-csr-approver",
    "ClusterRole/-/kubelet-csr-approver",
    "ClusterRoleBinding/-/kubelet-csr-approver",
    "Role/kube-system/kubelet-csr-approver:leader-election",
    "RoleBinding/kube-system/kubelet-csr-approver:leader-election",
    "Deployment/kube-system/kubelet-csr-approver",
  ]);
  expect(JSON.stringify(csrApproverObjects(ARGS))).toBe(JSON.stringify(objs));
});

test("every object is schema-valid", () => {
  expect(schemaProblems(objs)).toEqual([]);
});

test("approves only EC2 private DNS names of the region, inside the VPC, for at most 366 days", () => {
  const re = new RegExp(flag("provider-regex")!);
  expect(re.test("ip-10-0-1-2.eu-west-1.compute.internal")).toBe(true);
  expect(re.test("ip-10-0-1-2.eu-west-2.compute.internal")).toBe(false);
  expect(re.test("ip-10-0-1-2.eu-west-1.compute.internal.evil.com")).toBe(false);
  expect(re.test("evil.example.com")).toBe(false);
  expect(new RegExp(ec2PrivateDnsRegex("us-east-1")).test("ip-10-0-1-2.ec2.internal")).toBe(true);
  expect(flag("provider-ip-prefixes")).toBe("10.0.0.0/16");
  expect(flag("max-expiration-sec")).toBe("31622400");
  expect(flag("bypass-dns-resolution")).toBe("false");
});

test("a VPC with secondary blocks: every block is a provider prefix, comma-separated, the primary first", () => {
  const objects = csrApproverObjects({ ...ARGS, vpcCidrs: ["10.0.0.0/16", "100.64.0.0/16", "100.65.0.0/20"] });
  const args = podSpec(find(objects, "Deployment", "kubelet-csr-approver")).containers[0].args as string[];
  expect(args.filter((x) => x.startsWith("--provider-ip-prefixes="))).toEqual([
    "--provider-ip-prefixes=10.0.0.0/16,100.64.0.0/16,100.65.0.0/20",
  ]);

  expect(flag("bypass-dns-resolution")).toBe("false");
  expect(container.env).toBeUndefined();
});

test("two leader-elected replicas on control-plane nodes, on the pod network with cluster DNS", () => {
  expect(deployment.spec.replicas).toBe(2);
  expect(flag("leader-election")).toBe("true");
  const spec = podSpec(deployment);
  expect(spec.nodeSelector).toEqual(CONTROL_PLANE_SELECTOR);
  expect(spec.tolerations).toEqual([CONTROL_PLANE_TOLERATION]);
  // It resolves the names in each CSR: default dnsPolicy (ClusterFirst), no host network.
  expect(spec.hostNetwork).toBeUndefined();
  expect(spec.dnsPolicy).toBeUndefined();
  expect(spec.serviceAccountName).toBe("kubelet-csr-approver");
});

test("image pinned to the version on ghcr.io", () => {
  expect(container.image).toBe("ghcr.io/postfinance/kubelet-csr-approver:v1.2.15");
  expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "health" });
  expect(container.ports).toContainEqual({ name: "health", containerPort: 8081, protocol: "TCP" });
  expect(flag("health-probe-bind-address")).toBe(":8081");
});

test("runs as non-root with a read-only root filesystem and no capabilities", () => {
  const spec = podSpec(deployment);
  expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
  expect(container.securityContext).toEqual({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  });
});

describe("RBAC", () => {
  const sa = "kubelet-csr-approver";
  const csr = (resource: string, verb: string) => can(objs, sa, { group: "certificates.k8s.io", resource, verb });
  test("reads CSRs and approves them", () => {
    for (const verb of ["get", "list", "watch"]) expect(csr("certificatesigningrequests", verb)).toBe(true);
    expect(csr("certificatesigningrequests/approval", "update")).toBe(true);
    expect(csr("certificatesigningrequests", "delete")).toBe(false);
  });
  test("approves for the kubelet-serving signer only", () => {
    const signer = (name: string) => can(objs, sa, { group: "certificates.k8s.io", resource: "signers", verb: "approve", name });
    expect(signer("kubernetes.io/kubelet-serving")).toBe(true);
    expect(signer("kubernetes.io/kube-apiserver-client")).toBe(false);
    expect(signer("kubernetes.io/kube-apiserver-client-kubelet")).toBe(false);
  });
  test("holds its own Lease in kube-system and no other", () => {
    const lease = (verb: string, name?: string, namespace = "kube-system") =>
      can(objs, sa, { group: "coordination.k8s.io", resource: "leases", verb, namespace, name });
    expect(lease("create")).toBe(true);
    expect(lease("get", "kubelet-csr-approver")).toBe(true);
    expect(lease("update", "kubelet-csr-approver")).toBe(true);
    expect(lease("update", "kube-controller-manager")).toBe(false);
    expect(lease("create", undefined, "default")).toBe(false);
    expect(can(objs, sa, { group: "", resource: "events", verb: "create", namespace: "kube-system" })).toBe(true);
  });
});

test.each([
  [{ version: "v1.2.15" }, /kubelet-csr-approver version must be MAJOR\.MINOR\.PATCH without a leading v.*pin an exact release/],
  [{ region: "Ireland" }, /region must be an AWS region like eu-west-1 \(got "Ireland"\): pass aws:region/],
  [{ vpcCidrs: ["10.0.0.0/33"] }, /--provider-ip-prefixes \(the VPC's CIDR blocks\) must be an IPv4 CIDR.*fix the network config/],
  [{ vpcCidrs: ["10.0.0.0/16", "10.0.0.0"] }, /must be an IPv4 CIDR like .* \(got "10\.0\.0\.0"\)/],
  [{ vpcCidrs: [] }, /--provider-ip-prefixes needs the VPC's CIDR blocks: got none/],
])("refuses %j", (override, message) => {
  expect(() => csrApproverObjects({ ...ARGS, ...override })).toThrow(message);
});
