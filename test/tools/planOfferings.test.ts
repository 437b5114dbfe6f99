/** `npm run plan -- --offerings FILE`: zones' instance-type offerings from the AWS CLI's JSON. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { INSTANCE_TYPES } from "../../lib/aws/instanceTypes";
import { ROOT } from "../helpers/plannedStack";

const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kubestead-offerings-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function plan(offerings: unknown) {
  const file = path.join(tmp, "offerings.json");
  fs.writeFileSync(file, JSON.stringify(offerings));
  const out = (n: string) => path.join(tmp, n);
  const r = spawnSync(TSX, ["tools/plan.ts", "--stack", "dev", "--offerings", file, "--json", out("p.json"), "--report", out("r.md")], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, err: r.stderr };
}

const offering = (InstanceType: string, Location: string, LocationType = "availability-zone") => ({ InstanceType, LocationType, Location });

test("region offerings are refused with the command that gives zone offerings", () => {
  const r = plan({ InstanceTypeOfferings: [offering("t3.large", "us-east-1", "region")] });
  expect(r.code).toBe(2);
  expect(r.err.split("\n")[0]).toMatch(
    /^✗ --offerings \S+offerings\.json: cannot read describe-instance-type-offerings JSON there \(an offering of location type region \(t3\.large\): run describe-instance-type-offerings with --location-type availability-zone\)$/,
  );
});

test("a zone without the control plane's type: exit 2, every key that uses it, no stack trace", () => {
  const zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
  const all = Object.keys(INSTANCE_TYPES).flatMap((t) => zones.map((z) => offering(t, z)));
  // Two pages, as `aws ec2 describe-instance-type-offerings` without --no-paginate may be saved.
  const kept = all.filter((o) => !(o.InstanceType === "t3.large" && o.Location === "us-east-1b"));
  const r = plan([{ InstanceTypeOfferings: kept.slice(0, 100) }, { InstanceTypeOfferings: kept.slice(100) }]);
  expect(r.code).toBe(2);
  expect(r.err).toBe(
    [
      '✗ invalid configuration for stack "dev" (2 problems):',
      '  - kubestead:controlPlane.instanceType must be offered in every zone of kubestead:zones (the control plane spans them all); EC2 does not offer it in us-east-1b (got "t3.large"): pick a type offered in all of us-east-1a, us-east-1b, us-east-1c (e.g. t3a.large), or replace us-east-1b in kubestead:zones',
      '  - kubestead:workers[0].instanceTypes[0] must be offered in every zone of the pool general; EC2 does not offer it in us-east-1b (got "t3.large"): pick a type offered in all of us-east-1a, us-east-1b, us-east-1c (e.g. t3a.large), or leave us-east-1b out of kubestead:workers[0].zones',
      "",
    ].join("\n"),
  );
}, 150_000);
