/**
 * An adopted VPC whose private subnets sit in a secondary IPv4 block (100.64.0.0/16 beside the
 * primary 10.10.0.0/16) plans cleanly: the subnets are accepted, the Network component registers
 * every block and the subnets' CIDRs for the policies and the capacity check, and nodes get
 * addresses in those subnets. Rules "from the VPC" admit every block through one prefix list, so
 * nodes there reach the API load balancer, and the CSR approver accepts their addresses.
 */
import { parseAllDocuments } from "yaml";
import { containsIp, hostAddress, mustParseCidr } from "../../lib/cidr";
import { impliedNetworkFacts } from "../../lib/adoptedNetwork";
import { parseClusterConfig } from "../../lib/config/parse";
import { Plan } from "../../lib/plan/types";
import { analysePlan, Analysis, policyConfigFor } from "../../tools/analyse";
import { runProgram } from "../../tools/offline/runtime";
import { rawStackConfig, stackConfig, StackFile } from "../../tools/offline/stackFile";
import { ofType, ROOT, tagsOf } from "../helpers/plannedStack";

const existing = {
  vpcId: "vpc-0a1b2c3d4e5f60718",
  publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
  privateSubnetIds: ["subnet-1000000000000000a", "subnet-1000000000000000b", "subnet-1000000000000000c"],
};
const secondary = ["100.64.0.0/19", "100.64.32.0/19", "100.64.64.0/19"];

let plan: Plan;
let analysis: Analysis;
beforeAll(async () => {
  const file = stackConfig(ROOT, "dev");
  const network = { ...JSON.parse(file.config["kubestead:network"]), existing };
  delete network.natGateways;
  const stackFile: StackFile = { ...file, config: { ...file.config, "kubestead:network": JSON.stringify(network) } };
  const networkFacts = impliedNetworkFacts(existing, ["us-east-1a", "us-east-1b", "us-east-1c"], "10.10.0.0/16");
  networkFacts.vpcs[existing.vpcId].cidrBlocks = ["10.10.0.0/16", "100.64.0.0/16"];
  existing.privateSubnetIds.forEach((id, i) => (networkFacts.subnets[id].cidrBlock = secondary[i]));
  plan = (await runProgram({ stack: "dev", root: ROOT, stackFile, networkFacts })).plan;
  const config = parseClusterConfig(rawStackConfig(stackFile, "dev"));
  analysis = analysePlan(plan, config, policyConfigFor(ROOT, "dev", config).config);
}, 300_000);

test("the Network component registers the primary block, every block, and the secondary-block subnets", () => {
  const network = plan.resources.find((r) => r.type === "kubestead:components:Network")!;
  expect(network.outputs.vpcCidr).toBe("10.10.0.0/16");
  expect(network.outputs.vpcCidrs).toEqual(["10.10.0.0/16", "100.64.0.0/16"]);
  expect(network.outputs.privateSubnetCidrs).toEqual(secondary);
  expect(network.outputs.subnetZones).toMatchObject({ "subnet-1000000000000000c": "us-east-1c" });
});

test("etcd members get addresses in the secondary-block subnets", () => {
  const ips = ofType(plan, "aws:ec2/networkInterface:NetworkInterface").map((e) => String(e.outputs.privateIp));
  expect(ips).toHaveLength(3);
  ips.forEach((ip, i) => expect(ip.startsWith(`100.64.${i * 32}.`)).toBe(true));
});

test("the VPC's prefix list holds both blocks, and every rule from or to the VPC references it", () => {
  const lists = ofType(plan, "aws:ec2/managedPrefixList:ManagedPrefixList");
  expect(lists).toHaveLength(1);
  expect(lists[0].inputs).toMatchObject({ addressFamily: "IPv4", maxEntries: 5 });
  expect((lists[0].inputs.entries as { cidr: string }[]).map((e) => e.cidr)).toEqual(["10.10.0.0/16", "100.64.0.0/16"]);
  const rules = [
    ...ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
    ...ofType(plan, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
  ];
  const viaList = rules.filter((r) => r.inputs.prefixListId === lists[0].id).map((r) => r.name.replace(/^kubestead-dev-sg-/, ""));
  expect(viaList).toEqual(
    expect.arrayContaining(["api-lb-from-vpc", "nodeports-from-vpc", "etcd-dns-tcp-to-vpc", "controlplane-dns-udp-to-vpc"]),
  );
  expect(rules.filter((r) => r.inputs.cidrIpv4 === "10.10.0.0/16").map((r) => r.name)).toEqual([]);
});

test("a node in a secondary-block subnet reaches the API load balancer on 6443, and the load balancer the apiservers", () => {
  const groups = new Map(ofType(plan, "aws:ec2/securityGroup:SecurityGroup").map((g) => [g.id, tagsOf(g)["kubestead.io/role"]]));
  const lists = new Map(
    ofType(plan, "aws:ec2/managedPrefixList:ManagedPrefixList").map((l) => [
      l.id,
      (l.inputs.entries as { cidr: string }[]).map((e) => e.cidr),
    ]),
  );
  const ingress = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
  // The CIDRs a rule admits: its own, or those of the prefix list it names.
  const sources = (r: (typeof ingress)[number]) =>
    r.inputs.prefixListId ? (lists.get(String(r.inputs.prefixListId)) ?? []) : r.inputs.cidrIpv4 ? [String(r.inputs.cidrIpv4)] : [];
  const admits = (role: string, port: number, ip: string) =>
    ingress.some(
      (r) =>
        groups.get(String(r.inputs.securityGroupId)) === role &&
        r.inputs.ipProtocol === "tcp" &&
        Number(r.inputs.fromPort) <= port &&
        port <= Number(r.inputs.toPort) &&
        sources(r).some((c) => containsIp(mustParseCidr(c), ip)),
    );
  const nodes = [
    ...secondary.map((c) => hostAddress(mustParseCidr(c), 10)),
    ...ofType(plan, "aws:ec2/networkInterface:NetworkInterface").map((e) => String(e.outputs.privateIp)),
  ];
  for (const ip of nodes) expect([ip, admits("api-lb", 6443, ip)]).toEqual([ip, true]);
  // An address outside every block is not admitted: the check can fail.
  expect(admits("api-lb", 6443, "100.65.0.10")).toBe(false);
  // Behind the load balancer: its group reaches the apiservers' group on 6443, which admits it.
  const apiserverFromLb = ingress.find(
    (r) =>
      groups.get(String(r.inputs.securityGroupId)) === "controlplane" &&
      groups.get(String(r.inputs.referencedSecurityGroupId)) === "api-lb",
  );
  expect(apiserverFromLb?.inputs).toMatchObject({ ipProtocol: "tcp", fromPort: 6443, toPort: 6443 });
});

test("the CSR approver accepts serving certificates for addresses in every block of the VPC", () => {
  const stored = ofType(plan, "aws:s3/bucketObjectv2:BucketObjectv2").find(
    (o) => (o.inputs.metadata as Record<string, string> | undefined)?.addon === "csr-approver",
  )!;
  const deployment = parseAllDocuments(String(stored.inputs.content))
    .map((d) => d.toJS())
    .find((o) => o?.kind === "Deployment");
  const args: string[] = deployment.spec.template.spec.containers[0].args;
  expect(args.filter((a) => a.startsWith("--provider-ip-prefixes="))).toEqual(["--provider-ip-prefixes=10.10.0.0/16,100.64.0.0/16"]);
});

test("no mandatory policy fails, and the capacity check counts the secondary-block subnets", () => {
  expect(analysis.mandatoryViolations).toBe(0);
  // Not even advisory: the prefix list's secondary block counts as the VPC's own range.
  const network = ["apiserver-ingress-restricted", "api-cidrs-bounded", "egress-restricted"];
  expect(analysis.policy.violations.filter((v) => network.includes(v.policy))).toEqual([]);
  expect(analysis.capacity.problems).toEqual([]);
  expect(analysis.capacity.ok).toBe(true);
});
