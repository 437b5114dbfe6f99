/** `npm run plan` as a reviewer runs it: a child process, real stack files, exit codes. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "../helpers/plannedStack";

const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

function plan(args: string[]) {
  const r = spawnSync(TSX, ["tools/plan.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function scratchStack(name: string, edit: (yaml: string) => string): () => void {
  const file = path.join(ROOT, `Pulumi.${name}.yaml`);
  fs.writeFileSync(file, edit(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")));
  return () => fs.rmSync(file, { force: true });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kubestead-plan-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(["dev", "prod"])("npm run plan -- --stack %s", (stack) => {
  let result: ReturnType<typeof plan>;
  const json = path.join(tmp, `${stack}.json`);
  const report = path.join(tmp, `${stack}.md`);
  beforeAll(() => {
    result = plan(["--stack", stack, "--json", json, "--report", report]);
  }, 150_000);

  test("exits 0 and prints the tree, masked outputs and a summary", () => {
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toContain("kubestead:components:EtcdCluster");
    expect(result.out).toMatch(/adminKubeconfig: \[secret\]/);
    expect(result.out).toMatch(/Policies: +0 mandatory/);
  });

  test("writes a JSON plan with every resource's urn, type, parent, inputs, outputs, options and dependencies", () => {
    const p = JSON.parse(fs.readFileSync(json, "utf8"));
    expect(p.stack).toBe(stack);
    expect(p.resources.length).toBeGreaterThan(150);
    for (const r of p.resources) {
      expect(r).toEqual(
        expect.objectContaining({
          urn: expect.stringMatching(/^urn:pulumi:/),
          type: expect.any(String),
          inputs: expect.any(Object),
          outputs: expect.any(Object),
          dependencies: expect.any(Array),
        }),
      );
      expect(r.options).toEqual(
        expect.objectContaining({ protect: expect.any(Boolean), ignoreChanges: expect.any(Array), retainOnDelete: expect.any(Boolean) }),
      );
    }
    expect(p.resources.filter((r: any) => r.parent).length).toBeGreaterThan(100);
    expect(p.outputs.adminKubeconfig).toBe("[secret]");
    const text = fs.readFileSync(json, "utf8");
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toContain("client-key-data");
  });

  test("the bring-up solver converges on the stored add-ons and rendered nodes", () => {
    expect(result.out).toMatch(/Bring-up: +converges in \d+ rounds/);
    const md = fs.readFileSync(report, "utf8");
    expect(md).toContain("✓ Every add-on runs and every node becomes Ready, with no circular wait:");
    expect(md).toMatch(/1\. round 1: .*kube-proxy/);
  });

  test("the plan holds nothing that talks to the Kubernetes API: no kubernetes: resource, no command", () => {
    const p = JSON.parse(fs.readFileSync(json, "utf8"));
    expect(p.resources.filter((r: any) => /^(kubernetes:|pulumi:providers:kubernetes|command:)/.test(r.type))).toEqual([]);
  });

  test("the bootstrap token is masked: its random results, and every parameter that carries it", () => {
    const p = JSON.parse(fs.readFileSync(json, "utf8"));
    const component = p.resources.find((r: any) => r.type === "kubestead:components:BootstrapToken");
    const parts = p.resources.filter((r: any) => r.parent === component.urn);
    expect(parts.map((r: any) => [r.type, r.outputs.result])).toEqual([
      ["random:index/randomPassword:RandomPassword", "[secret]"],
      ["random:index/randomPassword:RandomPassword", "[secret]"],
    ]);
    const text = fs.readFileSync(json, "utf8");
    expect(text).not.toMatch(/token: [a-z0-9]{6}\.[a-z0-9]{16}/);
    expect(text).not.toContain("bootstrap.kubernetes.io/token");
  });

  test("the report lists each add-on with its version and the sha256 of its stored manifest", () => {
    const p = JSON.parse(fs.readFileSync(json, "utf8"));
    const md = fs.readFileSync(report, "utf8");
    expect(md).toContain("### Add-ons (applied by the control plane from the add-on store)");
    const stored = p.resources.filter((r: any) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2" && r.inputs.metadata?.addon);
    expect(stored.length).toBeGreaterThanOrEqual(7);
    for (const o of stored) {
      const { addon, version, sha256 } = o.inputs.metadata;
      expect(md).toContain(`| ${addon} | ${version} | \`${String(o.inputs.key).slice("addons/".length)}\` | \`${sha256}\` |`);
    }
    expect(p.outputs.addons.cilium.sha256).toMatch(/^[a-f0-9]{64}$/);
  });

  test("writes a Markdown report with the diagram, policy, cost, capacity and certificates", () => {
    const md = fs.readFileSync(report, "utf8");
    expect(md).toContain(`<!-- kubestead-plan:${stack} -->`);
    expect(md).toContain("```mermaid");
    expect(md).toMatch(/cost/i);
    expect(md).toMatch(/capacity/i);
    expect(md).toMatch(/etcd-0-server/);
  });
});

test("a broken config exits 2 with every problem and no stack trace", () => {
  const cleanup = scratchStack("scratch-badconfig", (y) =>
    y.replace("members: 3", "members: 2").replace("vpcCidr: 10.0.0.0/16", "vpcCidr: 10.96.0.0/16"),
  );
  try {
    const r = plan(["--stack", "scratch-badconfig", "--json", path.join(tmp, "bad.json"), "--report", path.join(tmp, "bad.md")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("kubestead:etcd.members must be odd and ≥ 3 (got 2): set it to 3 or 5");
    expect(r.err).toContain("kubestead:kubernetes.serviceCidr must not overlap kubestead:network.vpcCidr");
    expect(r.err).not.toMatch(/\n\s+at /);
  } finally {
    cleanup();
  }
}, 120_000);

test("a prod config that breaks HA exits 1 naming each failed policy", () => {
  const cleanup = scratchStack("scratch-nonha", (y) =>
    y
      .replace("kubestead:enforcement: mandatory", "kubestead:enforcement: mandatory")
      .replace(/- name: general\n(\s+)minSize: 3/, (_m, indent) => `- name: general\n${indent}zones: [us-east-1a]\n${indent}minSize: 3`)
      .replace(
        /- name: system\n(\s+)minSize: 3\n(\s+)maxSize: 30\n(\s+)desiredCapacity: 3/,
        (_m, i) => `- name: system\n${i}minSize: 1\n${i}maxSize: 30\n${i}desiredCapacity: 1`,
      ),
  );
  try {
    const r = plan(["--stack", "scratch-nonha", "--json", path.join(tmp, "nonha.json"), "--report", path.join(tmp, "nonha.md")]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\[mandatory\] worker-pool-spread \(kubestead-prod-general-nodes\)/);
    expect(r.out).toMatch(/\[mandatory\] worker-pool-spread \(kubestead-prod-system-nodes\)/);
  } finally {
    cleanup();
  }
}, 120_000);

test("--base: a prod change that replaces the service CIDR is refused until acknowledged, and the report shows the change", () => {
  const base = path.join(tmp, "prod.json");
  const edit = (ack: boolean) => (y: string) =>
    y.replace("serviceCidr: 10.96.0.0/12", "serviceCidr: 10.112.0.0/12") +
    // The new DNS address rolls the control plane and the pools in one update: that is acknowledged too.
    (ack ? "\n  kubestead:acknowledge: [service-cidr-changed, control-plane-and-workers-together]\n" : "");
  for (const ack of [false, true]) {
    const name = ack ? "scratch-cidr-ack" : "scratch-cidr";
    const cleanup = scratchStack(name, edit(ack));
    try {
      const report = path.join(tmp, `${name}.md`);
      const r = plan(["--stack", name, "--quiet", "--base", base, "--json", path.join(tmp, `${name}.json`), "--report", report]);
      expect(r.out).toContain("### Change against the base branch");
      expect(r.out).toMatch(
        /\| `service-cidr-changed` \| [✓✗] \| kubernetes\.serviceCidr changes \(10\.96\.0\.0\/12 → 10\.112\.0\.0\/12\)/,
      );
      // The cluster DNS address lives in every kubelet's config: every Kubernetes node group rolls, control plane first.
      expect(r.out).toMatch(/\| 1 \| kubestead-prod-controlplane \| controlplane \|/);
      expect(r.out).toMatch(/\| 2 \| kubestead-prod-general \| worker \|/);
      expect(fs.readFileSync(report, "utf8")).toContain("### Change against the base branch");
      if (ack) {
        expect(r.code).toBe(0);
      } else {
        expect(r.code).toBe(1);
        expect(r.out).toContain("✗ destructive change service-cidr-changed is not acknowledged");
        expect(r.out).toContain(`add service-cidr-changed to kubestead:acknowledge in Pulumi.${name}.yaml`);
      }
    } finally {
      cleanup();
    }
  }
}, 240_000);

test("an unknown stack exits 2 and lists the stacks there are", () => {
  const r = plan(["--stack", "nope"]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/no stack file Pulumi\.nope\.yaml .* stacks here are dev, prod/);
});

test("--preview plans with unknown IDs and computed outputs, and the policies tolerate them", () => {
  const json = path.join(tmp, "preview.json");
  const r = plan(["--stack", "prod", "--preview", "--quiet", "--json", json, "--report", path.join(tmp, "preview.md")]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/vpcId: \(known after apply\)/);
  const p = JSON.parse(fs.readFileSync(json, "utf8"));
  const vpc = p.resources.find((x: any) => x.type === "aws:ec2/vpc:Vpc");
  expect(vpc.outputs.arn).toBe("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
  expect(vpc.inputs.cidrBlock).toBe("10.0.0.0/16");
  // Unknown template IDs do not confuse the cost estimate: it matches the full plan's.
  const full = JSON.parse(fs.readFileSync(path.join(tmp, "prod.json"), "utf8"));
  expect(p.cost.total).toBeCloseTo(full.cost.total, 2);
}, 120_000);
