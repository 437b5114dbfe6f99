/**
 * The security-group tables rule by rule: who reaches which port from where, for every shape of
 * apiLoadBalancer.allowedCidrs, and the names and descriptions the rule resources carry (Pulumi
 * logical names, AWS rule descriptions).
 */
import { ANYWHERE, clusterRules, egressRules, GroupRole, Peer } from "../../lib/securityRules";

type Config = Parameters<typeof clusterRules>[0];
const withCidrs = (allowedCidrs: string[]): Config => ({ controlPlane: { apiLoadBalancer: { allowedCidrs } } }) as Config;

const NONE = withCidrs([]);
const TWO = withCidrs(["203.0.113.0/24", "198.51.100.7/32"]);
const VARIANTS: [string, Config][] = [
  ["no allowed CIDRs", NONE],
  ["one allowed CIDR", withCidrs(["10.20.0.0/16"])],
  ["two allowed CIDRs", TWO],
];

const peer = (p: Peer): string => ("group" in p ? p.group : `cidr:${p.cidr}`);

/** Every rule as "group <- peer proto/from-to" (ingress) or "group -> peer proto/from-to" (egress). */
const ingressLines = (c: Config): string[] =>
  clusterRules(c).map((r) => `${r.group} <- ${peer(r.from)} ${r.protocol}/${r.fromPort}-${r.toPort}`);
const egressLines = (): string[] => egressRules().map((r) => `${r.group} -> ${peer(r.to)} ${r.protocol}/${r.fromPort}-${r.toPort}`);

const BASE_INGRESS = [
  "etcd <- controlplane tcp/2379-2379",
  "etcd <- etcd tcp/2379-2379",
  "etcd <- etcd tcp/2380-2380",
  "controlplane <- api-lb tcp/6443-6443",
  "controlplane <- worker tcp/6443-6443",
  "controlplane <- controlplane tcp/6443-6443",
  "api-lb <- cidr:vpc tcp/6443-6443",
];
const NODE_INGRESS = [
  "controlplane <- controlplane tcp/10250-10250",
  "controlplane <- controlplane udp/8472-8472",
  "controlplane <- controlplane tcp/4240-4240",
  "controlplane <- worker udp/8472-8472",
  "controlplane <- worker tcp/4240-4240",
  "worker <- controlplane tcp/10250-10250",
  "worker <- controlplane udp/8472-8472",
  "worker <- controlplane tcp/4240-4240",
  "worker <- worker udp/8472-8472",
  "worker <- worker tcp/4240-4240",
  "controlplane <- worker tcp/10250-10250",
  "worker <- worker tcp/10250-10250",
  "worker <- cidr:vpc tcp/30000-32767",
  "worker <- controlplane tcp/53-53",
  "worker <- controlplane udp/53-53",
];

describe("clusterRules: the exact ingress table", () => {
  test("without allowed CIDRs the API load balancer admits only the VPC", () => {
    expect(ingressLines(NONE)).toEqual([...BASE_INGRESS, ...NODE_INGRESS]);
  });

  test("each allowed CIDR adds one rule admitting it to the API load balancer on 6443 only", () => {
    expect(ingressLines(TWO)).toEqual([
      ...BASE_INGRESS,
      "api-lb <- cidr:203.0.113.0/24 tcp/6443-6443",
      "api-lb <- cidr:198.51.100.7/32 tcp/6443-6443",
      ...NODE_INGRESS,
    ]);
  });

  test("an allowed CIDR's rule names the CIDR in its description", () => {
    const allowed = clusterRules(TWO).filter((r) => "cidr" in r.from && r.from.cidr !== "vpc");
    expect(allowed.map((r) => r.description)).toEqual(["Kubernetes API from 203.0.113.0/24", "Kubernetes API from 198.51.100.7/32"]);
  });
});

describe("clusterRules: reachability", () => {
  const admits = (to: GroupRole, from: Peer, protocol: "tcp" | "udp", port: number): boolean =>
    clusterRules(TWO).some(
      (r) => r.group === to && peer(r.from) === peer(from) && r.protocol === protocol && r.fromPort <= port && port <= r.toPort,
    );
  const vpc = { cidr: "vpc" };
  test.each<[string, GroupRole, Peer, "tcp" | "udp", number, boolean]>([
    ["kubelet on workers from the control plane", "worker", { group: "controlplane" }, "tcp", 10250, true],
    ["kubelet on the control plane from metrics-server on workers", "controlplane", { group: "worker" }, "tcp", 10250, true],
    ["kubelet on workers from metrics-server on workers", "worker", { group: "worker" }, "tcp", 10250, true],
    ["kubelet never from etcd", "worker", { group: "etcd" }, "tcp", 10250, false],
    ["VXLAN worker to control plane", "controlplane", { group: "worker" }, "udp", 8472, true],
    ["VXLAN is UDP only", "controlplane", { group: "worker" }, "tcp", 8472, false],
    ["Cilium health control plane to worker", "worker", { group: "controlplane" }, "tcp", 4240, true],
    ["no overlay on etcd", "etcd", { group: "controlplane" }, "udp", 8472, false],
    ["NodePort low bound from the VPC", "worker", vpc, "tcp", 30000, true],
    ["NodePort high bound from the VPC", "worker", vpc, "tcp", 32767, true],
    ["one below the NodePort range", "worker", vpc, "tcp", 29999, false],
    ["one above the NodePort range", "worker", vpc, "tcp", 32768, false],
    ["no NodePorts on the control plane", "controlplane", vpc, "tcp", 30000, false],
    ["cluster DNS over UDP on workers from the control plane", "worker", { group: "controlplane" }, "udp", 53, true],
    ["cluster DNS over TCP on workers from the control plane", "worker", { group: "controlplane" }, "tcp", 53, true],
    ["etcd client port from the control plane", "etcd", { group: "controlplane" }, "tcp", 2379, true],
    ["etcd peer port never from the control plane", "etcd", { group: "controlplane" }, "tcp", 2380, false],
    ["etcd never from workers", "etcd", { group: "worker" }, "tcp", 2379, false],
    ["API load balancer from an allowed CIDR", "api-lb", { cidr: "198.51.100.7/32" }, "tcp", 6443, true],
    ["API load balancer not from anywhere", "api-lb", { cidr: ANYWHERE }, "tcp", 6443, false],
    ["apiserver never straight from the VPC", "controlplane", vpc, "tcp", 6443, false],
  ])("%s", (_what, to, from, protocol, port, expected) => {
    expect(admits(to, from, protocol, port)).toBe(expected);
  });
});

describe("egressRules: the exact egress table", () => {
  test("etcd, the control plane and the API load balancer reach only what they need; workers everything", () => {
    expect(egressLines()).toEqual([
      "etcd -> cidr:0.0.0.0/0 tcp/443-443",
      "etcd -> etcd tcp/2379-2379",
      "etcd -> etcd tcp/2380-2380",
      "etcd -> cidr:vpc tcp/53-53",
      "etcd -> cidr:vpc udp/53-53",
      "controlplane -> cidr:0.0.0.0/0 tcp/443-443",
      "controlplane -> etcd tcp/2379-2379",
      "controlplane -> api-lb tcp/6443-6443",
      "controlplane -> controlplane tcp/6443-6443",
      "controlplane -> controlplane tcp/10250-10250",
      "controlplane -> controlplane udp/8472-8472",
      "controlplane -> controlplane tcp/4240-4240",
      "controlplane -> worker tcp/10250-10250",
      "controlplane -> worker udp/8472-8472",
      "controlplane -> worker tcp/4240-4240",
      "controlplane -> worker tcp/53-53",
      "controlplane -> worker udp/53-53",
      "controlplane -> cidr:vpc tcp/53-53",
      "controlplane -> cidr:vpc udp/53-53",
      "api-lb -> controlplane tcp/6443-6443",
      "worker -> cidr:0.0.0.0/0 -1/0-0",
    ]);
  });

  test("ANYWHERE is every IPv4 address", () => {
    expect(ANYWHERE).toBe("0.0.0.0/0");
  });
});

// AWS security-group rule descriptions: at most 255 characters of a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$*
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html).
const AWS_DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

describe.each(VARIANTS)("rule metadata with %s", (_variant, config) => {
  const all = [...clusterRules(config), ...egressRules()];

  test("every name is non-empty and unique (they are the Pulumi logical names of the rule resources)", () => {
    const names = all.map((r) => r.name);
    expect(names.filter((n) => !/^[a-z0-9][a-z0-9-]*$/.test(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  test("every description is a valid, non-empty AWS rule description", () => {
    expect(all.filter((r) => !AWS_DESCRIPTION.test(r.description)).map((r) => r.name)).toEqual([]);
  });

  test("every CIDR peer is the VPC or a valid IPv4 block", () => {
    const cidrs = all.map((r) => ("from" in r ? r.from : r.to)).flatMap((p) => ("cidr" in p ? [p.cidr] : []));
    expect(cidrs.length).toBeGreaterThan(0);
    const invalid = cidrs.filter((c) => {
      if (c === "vpc") return false;
      const m = IPV4_CIDR.exec(c);
      return !m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32;
    });
    expect(invalid).toEqual([]);
  });
});
