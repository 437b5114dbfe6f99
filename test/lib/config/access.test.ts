/** The access keys' defaults and what they accept (parse.test.ts holds the refusals' exact messages). */
import { formatShare } from "../../../lib/config/controlPlane";
import { configProblems, parseClusterConfig, RawStackConfig } from "../../../lib/config/parse";
import { parseCidr, unionSize } from "../../../lib/cidr";
import { withChange } from "../../helpers/stackValues";

const prodWith = (change: (v: Record<string, any>) => void = () => {}): RawStackConfig => withChange("prod", change);

test("defaults: PSA baseline/restricted/restricted with kube-system exempt, AlwaysPullImages on, a 7-day admin credential, the binding on, no OIDC", () => {
  const c = parseClusterConfig(prodWith());
  expect(c.controlPlane.podSecurity).toEqual({
    enforce: "baseline",
    warn: "restricted",
    audit: "restricted",
    exemptNamespaces: ["kube-system"],
  });
  expect(c.controlPlane.alwaysPullImages).toBe(true);
  expect(c.controlPlane.clusterAdminsBinding).toBe(true);
  expect(c.controlPlane.oidc).toBeUndefined();
  expect(c.pki.adminValidityHours).toBe(168);
  expect(c.controlPlane.apiLoadBalancer.maxAllowedShare).toBe(1 / 256);
});

test("prod's 10.0.0.0/8 sits exactly at the default share: allowed", () => {
  const c = parseClusterConfig(prodWith());
  expect(c.controlPlane.apiLoadBalancer.allowedCidrs).toEqual(["10.0.0.0/8"]);
  expect(unionSize([parseCidr("10.0.0.0/8")!]) / 2 ** 32).toBe(c.controlPlane.apiLoadBalancer.maxAllowedShare);
});

test.each<[unknown, number]>([
  ["1/64", 1 / 64],
  [0.5, 0.5],
  ["0.25", 0.25],
  [1, 1],
])("maxAllowedShare %j reads as %d and admits ranges up to it", (raw, share) => {
  const c = parseClusterConfig(
    prodWith((v) => {
      v.controlPlane.apiLoadBalancer.maxAllowedShare = raw;
      v.controlPlane.apiLoadBalancer.allowedCidrs = share >= 1 / 64 ? ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] : [];
    }),
  );
  expect(c.controlPlane.apiLoadBalancer.maxAllowedShare).toBe(share);
});

test("overlapping allowed CIDRs count once", () => {
  expect(
    configProblems(prodWith((v) => (v.controlPlane.apiLoadBalancer.allowedCidrs = ["10.0.0.0/8", "10.0.0.0/9", "10.128.0.0/9"]))),
  ).toEqual([]);
});

test("all of RFC 1918 is just over 1/256: refused unless the share is raised", () => {
  const rfc1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
  expect(configProblems(prodWith((v) => (v.controlPlane.apiLoadBalancer.allowedCidrs = rfc1918))).map((p) => p.key)).toEqual([
    "kubestead:controlPlane.apiLoadBalancer.allowedCidrs",
  ]);
  const raised = (v: Record<string, any>) =>
    Object.assign(v.controlPlane.apiLoadBalancer, { allowedCidrs: rfc1918, maxAllowedShare: "1/128" });
  expect(configProblems(prodWith(raised))).toEqual([]);
});

test("OIDC: defaults for the claims and prefixes; an empty prefix is kept, not defaulted", () => {
  const c = parseClusterConfig(prodWith((v) => (v.controlPlane.oidc = { issuerUrl: "https://login.example.com", clientId: "kubectl" })));
  expect(c.controlPlane.oidc).toEqual({
    issuerUrl: "https://login.example.com",
    clientId: "kubectl",
    usernameClaim: "sub",
    usernamePrefix: "oidc:",
    groupsClaim: undefined,
    groupsPrefix: "oidc:",
  });
  const bare = parseClusterConfig(
    prodWith(
      (v) => (v.controlPlane.oidc = { issuerUrl: "https://login.example.com", clientId: "k", usernameClaim: "email", usernamePrefix: "" }),
    ),
  );
  expect(bare.controlPlane.oidc?.usernamePrefix).toBe("");
});

test("shares read as fractions in messages", () => {
  expect([formatShare(1 / 256), formatShare(1), formatShare(0.3)]).toEqual(["1/256", "1/1", "0.3"]);
});
