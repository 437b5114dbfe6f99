import { renderTree } from "../../../tools/report/tree";
import { samplePlan } from "../../fixtures/plan/samplePlan";

describe("renderTree", () => {
  const text = renderTree(samplePlan());
  const lines = text.split("\n");

  test("components carry descendant counts and their children are indented under them", () => {
    expect(lines[0]).toBe("+ pulumi:pulumi:Stack kubestead-prod (37 resources)");
    const i = lines.indexOf("  + kubestead:components:Network prod-network (14 resources)");
    expect(i).toBeGreaterThan(0);
    const children = [];
    for (let j = i + 1; lines[j]?.startsWith("    + "); j++) children.push(lines[j]);
    expect(children).toHaveLength(14);
    expect(children).toContain("    + aws:ec2/subnet:Subnet prod-network-private-0");
    expect(lines).toContain("  + kubestead:components:EtcdCluster prod-etcd (11 resources)");
    expect(lines).toContain("  + pulumi:providers:aws default");
    expect(text).toMatch(/\n38 resources to create in kubestead\/prod\n$/);
  });

  test("deterministic regardless of registration order", () => {
    const p = samplePlan();
    p.resources.reverse();
    expect(renderTree(p)).toBe(text);
    expect(text).toMatchSnapshot();
  });

  test("nested components count everything beneath them; a missing parent puts the subtree at the top", () => {
    const p = samplePlan();
    const etcd = p.resources.find((r) => r.name === "prod-etcd")!;
    const member = {
      ...etcd,
      urn: `${etcd.urn}$member-0`,
      type: "kubestead:components:EtcdMember",
      name: "prod-etcd-member-0",
      parent: etcd.urn,
    };
    p.resources.push(member);
    for (const r of p.resources) if (r.name === "prod-etcd-0" || r.name === "prod-etcd-data-0") r.parent = member.urn;
    const orphan = p.resources.find((r) => r.name === "prod-general-lt")!;
    orphan.parent = "urn:pulumi:prod::kubestead::gone::x";
    const t = renderTree(p).split("\n");
    expect(t).toContain("  + kubestead:components:EtcdCluster prod-etcd (12 resources)");
    expect(t).toContain("    + kubestead:components:EtcdMember prod-etcd-member-0 (2 resources)");
    expect(t).toContain("      + aws:ebs/volume:Volume prod-etcd-data-0");
    expect(t).toContain("+ aws:ec2/launchTemplate:LaunchTemplate prod-general-lt");
    expect(t).toContain("  + kubestead:components:WorkerPool prod-general (1 resource)");
  });
});
