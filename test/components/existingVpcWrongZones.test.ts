/**
 * Adopted subnets listed out of zone order are refused when the program reads them, with the
 * key, both zones and the fix, before any node is placed (the offline plan reads the subnets from
 * a describe-subnets answer, as `npm run plan -- --network-facts` does).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { impliedNetworkFacts } from "../../lib/adoptedNetwork";
import { stackConfig } from "../../tools/offline/stackFile";
import { ROOT } from "../helpers/plannedStack";

const existing = {
  vpcId: "vpc-0a1b2c3d4e5f60718",
  publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
  privateSubnetIds: ["subnet-1000000000000000a", "subnet-1000000000000000b", "subnet-1000000000000000c"],
};

function plan(change: (facts: ReturnType<typeof impliedNetworkFacts>) => void): { status: number | null; out: string } {
  const file = stackConfig(ROOT, "dev");
  const network = { ...JSON.parse(file.config["kubestead:network"]), existing };
  delete network.natGateways;
  const stackFile = { ...file, config: { ...file.config, "kubestead:network": JSON.stringify(network) } };
  const networkFacts = impliedNetworkFacts(existing, ["us-east-1a", "us-east-1b", "us-east-1c"], "10.10.0.0/16");
  change(networkFacts);
  const spec = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kubestead-adopt-")), "spec.json");
  fs.writeFileSync(spec, JSON.stringify({ stack: "dev", stackFile, networkFacts }));
  const r = spawnSync(process.execPath, ["--import", "tsx", "test/helpers/runAdoptedChild.ts", spec], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, out: r.stdout.trim() };
}

test("subnets where the config says they are plan", () => {
  const r = plan(() => undefined);
  expect(r.out).toMatch(/^planned \d+$/);
  expect(r.status).toBe(0);
}, 180_000);

test("two private subnets swapped: refused, one message each, naming the position they belong at", () => {
  const r = plan((facts) => {
    facts.subnets["subnet-1000000000000000a"].availabilityZone = "us-east-1b";
    facts.subnets["subnet-1000000000000000b"].availabilityZone = "us-east-1a";
  });
  expect(r.status).toBe(2);
  expect(r.out).toBe(
    [
      'invalid configuration for stack "dev" (2 problems):',
      '  - kubestead:network.existing.privateSubnetIds[0] must be in us-east-1a, the zone at position 0 of kubestead:zones; it is in us-east-1b (got "subnet-1000000000000000a"): list the subnets in the order of kubestead:zones (this one belongs at position 1)',
      '  - kubestead:network.existing.privateSubnetIds[1] must be in us-east-1b, the zone at position 1 of kubestead:zones; it is in us-east-1a (got "subnet-1000000000000000b"): list the subnets in the order of kubestead:zones (this one belongs at position 0)',
    ].join("\n"),
  );
}, 180_000);
