/** The security-group tables: egress mirrors ingress for the restricted roles, and only HTTPS leaves the VPC. */
import { ANYWHERE, clusterRules, egressRules, GroupRole, RESTRICTED_EGRESS_ROLES } from "../../lib/securityRules";

const config = { controlPlane: { apiLoadBalancer: { allowedCidrs: ["10.20.0.0/16"] } } } as Parameters<typeof clusterRules>[0];
const egress = egressRules();
const restricted = egress.filter((r) => RESTRICTED_EGRESS_ROLES.includes(r.group));

test("rule names are unique (they are the logical names of the rule resources)", () => {
  const names = [...clusterRules(config).map((r) => r.name), ...egress.map((r) => r.name)];
  expect(new Set(names).size).toBe(names.length);
});

test("etcd, the control plane and the API load balancer have no all-traffic egress", () => {
  expect(restricted.length).toBeGreaterThan(0);
  expect(restricted.filter((r) => r.protocol === "-1")).toEqual([]);
});

test("only TCP 443 leaves the VPC from restricted roles", () => {
  const outside = restricted.filter((r) => "cidr" in r.to && r.to.cidr !== "vpc");
  expect(outside.map((r) => [r.group, r.to, r.protocol, r.fromPort, r.toPort])).toEqual([
    ["etcd", { cidr: ANYWHERE }, "tcp", 443, 443],
    ["controlplane", { cidr: ANYWHERE }, "tcp", 443, 443],
  ]);
});

test("the API load balancer reaches only the apiservers, on 6443", () => {
  expect(egress.filter((r) => r.group === "api-lb").map((r) => [r.to, r.protocol, r.fromPort])).toEqual([
    [{ group: "controlplane" }, "tcp", 6443],
  ]);
});

test("etcd reaches no node or pod: no egress to the control plane or workers", () => {
  const peers = egress.filter((r) => r.group === "etcd" && "group" in r.to).map((r) => ("group" in r.to ? r.to.group : ""));
  expect(new Set(peers)).toEqual(new Set(["etcd"]));
});

test("every ingress path from a restricted group has the matching egress (else the rule would be dead)", () => {
  const allows = (from: GroupRole, to: GroupRole, protocol: string, port: number) =>
    restricted.some(
      (e) => e.group === from && "group" in e.to && e.to.group === to && e.protocol === protocol && e.fromPort <= port && port <= e.toPort,
    );
  const missing = clusterRules(config)
    .filter((r) => "group" in r.from && RESTRICTED_EGRESS_ROLES.includes(r.from.group))
    .filter((r) => "group" in r.from && !allows(r.from.group, r.group, r.protocol, r.fromPort))
    .map((r) => r.name);
  expect(missing).toEqual([]);
});

test("no restricted egress is unused: each reaches a port some ingress rule or AWS endpoint serves", () => {
  const ingress = clusterRules(config);
  const served = (to: GroupRole, protocol: string, port: number) =>
    ingress.some((i) => i.group === to && i.protocol === protocol && i.fromPort <= port && port <= i.toPort);
  const dead = restricted.filter((e) => "group" in e.to && !served(e.to.group, e.protocol, e.fromPort)).map((e) => e.name);
  expect(dead).toEqual([]);
});

test("workers keep all egress: workloads decide what they reach", () => {
  expect(egress.filter((r) => r.group === "worker")).toEqual([expect.objectContaining({ protocol: "-1", to: { cidr: ANYWHERE } })]);
});

test("DNS to resolvers inside the VPC stays open for etcd and the control plane", () => {
  for (const group of ["etcd", "controlplane"] as const) {
    const dns = restricted.filter((r) => r.group === group && "cidr" in r.to && r.to.cidr === "vpc");
    expect(dns.map((r) => [r.protocol, r.fromPort]).sort()).toEqual([
      ["tcp", 53],
      ["udp", 53],
    ]);
  }
});
