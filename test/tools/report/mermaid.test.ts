import { architectureDiagram, sanitiseId } from "../../../tools/report/mermaid";
import { samplePlan } from "../../fixtures/plan/samplePlan";

/** Declared node ids and edges, read back from the text: a structural check in lieu of a Mermaid parser. */
function parse(text: string) {
  const lines = text.trimEnd().split("\n");
  const declared = new Set<string>();
  const edges: [string, string][] = [];
  let depth = 0;
  for (const raw of lines.slice(1)) {
    const l = raw.trim();
    if (l.startsWith("subgraph ")) {
      depth++;
      declared.add(/^subgraph (\w+)/.exec(l)![1]);
    } else if (l === "end") depth--;
    else if (l.startsWith("direction ")) continue;
    else {
      const e = /^(\w+) (-->|---|-\.->)(\|[^|]*\|)? (\w+)$/.exec(l);
      if (e) edges.push([e[1], e[4]]);
      else declared.add(/^(\w+)[[({]/.exec(l)![1]);
    }
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  return { lines, declared, edges, depth };
}

describe("architectureDiagram", () => {
  const text = architectureDiagram(samplePlan());
  const g = parse(text);

  test("is a flowchart with balanced subgraphs and edges between declared nodes only", () => {
    expect(g.lines[0]).toBe("flowchart TB");
    expect(g.depth).toBe(0);
    for (const [a, b] of g.edges) {
      expect(g.declared).toContain(a);
      expect(g.declared).toContain(b);
    }
  });

  test("one subgraph per availability zone inside the VPC, each with its etcd member, volume and NAT", () => {
    expect(text).toContain('subgraph vpc["VPC prod-network-vpc 10.0.0.0/16"]');
    for (const [i, z] of ["eu-west-1a", "eu-west-1b", "eu-west-1c"].entries()) {
      const id = sanitiseId(`az_${z}`);
      const start = g.lines.findIndex((l) => l.trim().startsWith(`subgraph ${id}[`));
      const end = g.lines.findIndex((l, j) => j > start && l.trim() === "end");
      const body = g.lines.slice(start, end).join("\n");
      expect(start).toBeGreaterThan(0);
      expect(body).toContain(`etcd_${i}["etcd-${i}<br/>prod-etcd-${i}<br/>m6i.large (amd64)"]`);
      expect(body).toContain(`vol_prod_etcd_data_${i}[(`);
      expect(body).toContain(`prod_network_nat_${i}{{`);
      expect(body).toContain(`prod_controlplane_controllers_${sanitiseId(z)}[`);
      expect(body).toContain(`prod_general_workers_${sanitiseId(z)}["workers: general`);
    }
  });

  test("NLB → every control-plane node, control plane → every etcd member", () => {
    const cps = [...g.declared].filter((d) => d.startsWith("prod_controlplane_controllers_"));
    expect(cps).toHaveLength(3);
    for (const cp of cps) {
      expect(g.edges).toContainEqual(["api_lb", cp]);
      for (const i of [0, 1, 2]) expect(g.edges).toContainEqual([cp, `etcd_${i}`]);
    }
    expect(text).toContain("api_lb -->|6443|");
    expect(g.edges).toContainEqual(["etcd_0", "vol_prod_etcd_data_0"]);
    expect(text).not.toContain("internet"); // the sample NLB is internal
  });

  test("deterministic and independent of resource order", () => {
    const shuffled = samplePlan();
    shuffled.resources.reverse();
    expect(architectureDiagram(shuffled)).toBe(text);
    expect(text).toMatchSnapshot();
  });

  test("sanitised ids; labels escape quotes", () => {
    expect(sanitiseId("prod-etcd.0")).toBe("prod_etcd_0");
    expect(sanitiseId("1abc")).toBe("n_1abc");
    const plan = samplePlan();
    const nat = plan.resources.find((r) => r.type === "aws:ec2/natGateway:NatGateway")!;
    nat.name = 'weird "nat" <x>';
    const t = architectureDiagram(plan);
    expect(t).toContain("weird #quot;nat#quot; #lt;x#gt;");
    expect(parse(t).depth).toBe(0);
  });

  test("an internet-facing NLB gets a clients node; resources without zones sit in the VPC", () => {
    const plan = samplePlan();
    const lb = plan.resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer")!;
    lb.inputs.internal = false;
    const wp = plan.resources.find((r) => r.name === "prod-general-workers")!;
    wp.inputs.vpcZoneIdentifiers = ["subnet-unknown"];
    const t = architectureDiagram(plan);
    expect(t).toContain("internet --> api_lb");
    expect(t).toContain("internet-facing, TCP 6443");
    expect(t).toMatch(/^ {4}prod_general_workers\["workers: general/m);
  });
});
