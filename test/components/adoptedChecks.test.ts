/**
 * What AWS says is checked before anything is placed, each problem at its key: an adopted subnet
 * ID that DescribeSubnets doesn't return, a pod range over one of the adopted VPC's blocks, and
 * instance types a zone doesn't offer (created VPC too). The offline plan reads AWS's answers from
 * describe-subnets / describe-vpcs / describe-instance-type-offerings JSON, as `npm run plan --
 * --network-facts … --offerings …` does, in a process of its own (test/helpers/runAdoptedChild.ts).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { impliedNetworkFacts, NetworkFacts } from "../../lib/adoptedNetwork";
import { INSTANCE_TYPES } from "../../lib/aws/instanceTypes";
import type { Offering } from "../../lib/instanceTypeOfferings";
import { stackConfig } from "../../tools/offline/stackFile";
import { ROOT } from "../helpers/plannedStack";

const zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
const existing = {
  vpcId: "vpc-0a1b2c3d4e5f60718",
  publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
  privateSubnetIds: ["subnet-1000000000000000a", "subnet-1000000000000000b", "subnet-1000000000000000c"],
};

interface Spec {
  adopt?: boolean;
  kubernetes?: Record<string, unknown>;
  facts?: (f: NetworkFacts) => void;
  offerings?: Offering[];
}

function plan(s: Spec): { status: number | null; out: string } {
  const file = stackConfig(ROOT, "dev");
  const config = { ...file.config };
  let networkFacts: NetworkFacts | undefined;
  if (s.adopt) {
    const network = { ...JSON.parse(config["kubestead:network"]), existing };
    delete network.natGateways;
    config["kubestead:network"] = JSON.stringify(network);
    networkFacts = impliedNetworkFacts(existing, zones, "10.10.0.0/16");
    s.facts?.(networkFacts);
  }
  if (s.kubernetes)
    config["kubestead:kubernetes"] = JSON.stringify({ ...JSON.parse(config["kubestead:kubernetes"] ?? "{}"), ...s.kubernetes });
  const spec = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kubestead-checks-")), "spec.json");
  fs.writeFileSync(spec, JSON.stringify({ stack: "dev", stackFile: { ...file, config }, networkFacts, offerings: s.offerings }));
  const r = spawnSync(process.execPath, ["--import", "tsx", "test/helpers/runAdoptedChild.ts", spec], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, out: r.stdout.trim() };
}

test("an adopted subnet ID AWS doesn't know, and a pod range over the VPC: refused together, each at its key", () => {
  const r = plan({
    adopt: true,
    kubernetes: { podCidr: "10.10.0.0/16" },
    facts: (f) => void delete f.subnets["subnet-1000000000000000b"],
  });
  expect(r.out).toBe(
    [
      'invalid configuration for stack "dev" (2 problems):',
      "  - kubestead:network.existing.privateSubnetIds[1] must name a subnet this account sees in the stack's region; DescribeSubnets returns none with this ID (got \"subnet-1000000000000000b\"): check the ID for a typo or a deleted subnet (aws ec2 describe-subnets --subnet-ids …), and that the stack deploys to the VPC's account and region",
      '  - kubestead:kubernetes.podCidr must not overlap 10.10.0.0/16, a CIDR block of the VPC that kubestead:network.existing.vpcId adopts (vpc-0a1b2c3d4e5f60718) (got "10.10.0.0/16"): pick a pod range outside every block of the VPC (10.10.0.0/16), e.g. 10.0.0.0/16',
    ].join("\n"),
  );
  expect(r.status).toBe(2);
}, 180_000);

test("a pool's type that one of its zones doesn't offer: refused before any node, naming offered peers", () => {
  // Every known type everywhere, except the dev pool's second type in us-east-1c.
  const offerings = Object.keys(INSTANCE_TYPES)
    .flatMap((t) => zones.map((zone) => ({ instanceType: t, zone })))
    .filter((o) => !(o.instanceType === "t3a.large" && o.zone === "us-east-1c"));
  const r = plan({ offerings });
  expect(r.out).toBe(
    [
      'invalid configuration for stack "dev" (1 problem):',
      '  - kubestead:workers[0].instanceTypes[1] must be offered in every zone of the pool general; EC2 does not offer it in us-east-1c (got "t3a.large"): pick a type offered in all of us-east-1a, us-east-1b, us-east-1c (e.g. t3.large), or leave us-east-1c out of kubestead:workers[0].zones',
    ].join("\n"),
  );
  expect(r.status).toBe(2);
}, 180_000);
