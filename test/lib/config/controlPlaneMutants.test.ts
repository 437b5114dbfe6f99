/** readControlPlane, readAllowedShare, readControlPlaneAccess and readOidc called directly: exact values and messages. */
import { readAllowedShare, readControlPlane, readControlPlaneAccess, readOidc } from "../../../lib/config/controlPlane";
import { Raw, Reader } from "../../../lib/config/reader";

const ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];

function readCp(c: Raw, zones: string[] = ZONES, production = false) {
  const r = new Reader("kubestead");
  const cfg = readControlPlane(r, c, zones, production);
  return { cfg, problems: r.problems };
}

function readShare(lb: Raw, allowedCidrs: string[] = []) {
  const r = new Reader("kubestead");
  const share = readAllowedShare(r, lb, allowedCidrs);
  return { share, problems: r.problems };
}

function readAccess(c: Raw) {
  const r = new Reader("kubestead");
  const access = readControlPlaneAccess(r, c);
  return { access, problems: r.problems };
}

function readO(raw: unknown) {
  const r = new Reader("kubestead");
  const oidc = readOidc(r, raw);
  return { oidc, problems: r.problems };
}

const SHARE_PROBLEM = (got: unknown) => ({
  key: "kubestead:controlPlane.apiLoadBalancer.maxAllowedShare",
  rule: "must be a share of the IPv4 address space above 0 and at most 1",
  got,
  fix: `write it as a fraction such as "1/256" (a /8) or "1/4096" (a /12)`,
});

describe("readControlPlane", () => {
  test("defaults: m7i.large, 50 GiB, an internal load balancer with no CIDRs, audit log 30/10/100", () => {
    const { cfg, problems } = readCp({});
    expect(problems).toEqual([]);
    expect(cfg.nodes).toBe(3);
    expect(cfg.instanceType).toBe("m7i.large");
    expect(cfg.arch).toBe("amd64");
    expect(cfg.rootVolumeGiB).toBe(50);
    expect(cfg.apiLoadBalancer).toEqual({ scheme: "internal", allowedCidrs: [], maxAllowedShare: 1 / 256 });
    expect([cfg.auditLogMaxAgeDays, cfg.auditLogMaxBackups, cfg.auditLogMaxSizeMiB]).toEqual([30, 10, 100]);
    expect(cfg.alwaysPullImages).toBe(true);
    expect(cfg.clusterAdminsBinding).toBe(true);
  });

  test("the audit-log, volume, pull-policy and binding keys are known and read", () => {
    const { cfg, problems } = readCp({
      rootVolumeGiB: 100,
      auditLogMaxAgeDays: 7,
      auditLogMaxBackups: 3,
      auditLogMaxSizeMiB: 250,
      alwaysPullImages: false,
      clusterAdminsBinding: false,
    });
    expect(problems).toEqual([]);
    expect(cfg.rootVolumeGiB).toBe(100);
    expect([cfg.auditLogMaxAgeDays, cfg.auditLogMaxBackups, cfg.auditLogMaxSizeMiB]).toEqual([7, 3, 250]);
    expect(cfg.alwaysPullImages).toBe(false);
    expect(cfg.clusterAdminsBinding).toBe(false);
  });

  test.each<[string[], number]>([
    [["a", "b"], 2],
    [["a", "b", "c", "d"], 3],
  ])("with zones %j, %d nodes (one per zone, at most 3) is accepted", (zones, nodes) => {
    expect(readCp({ nodes }, zones).problems).toEqual([]);
  });

  test("with no zones known, 2 nodes are refused: at least 3", () => {
    expect(readCp({ nodes: 2 }, []).problems).toEqual([
      {
        key: "kubestead:controlPlane.nodes",
        rule: "must be 1 (a throwaway cluster) or at least 3 (one per zone)",
        got: 2,
        fix: "set it to 1 or 3",
      },
    ]);
  });

  test("with 2 zones, 2 nodes outside production: accepted; with 3 zones refused", () => {
    expect(readCp({ nodes: 2 }, ["a", "b"]).problems).toEqual([]);
    expect(readCp({ nodes: 2 }, ["a", "b", "c"]).problems.map((p) => p.rule)).toEqual([
      "must be 1 (a throwaway cluster) or at least 3 (one per zone)",
    ]);
  });

  test("apiLoadBalancer that is not a mapping: refused at its own key", () => {
    expect(readCp({ apiLoadBalancer: "public" }).problems).toEqual([
      {
        key: "kubestead:controlPlane.apiLoadBalancer",
        rule: "must be an object",
        got: "public",
        fix: "write kubestead:controlPlane.apiLoadBalancer as a YAML mapping",
      },
    ]);
  });

  test("alwaysPullImages and clusterAdminsBinding that are not booleans: refused at controlPlane.<key>", () => {
    expect(readCp({ alwaysPullImages: "yes", clusterAdminsBinding: 1 }).problems).toEqual([
      {
        key: "kubestead:controlPlane.alwaysPullImages",
        rule: "must be true or false",
        got: "yes",
        fix: "set kubestead:controlPlane.alwaysPullImages to true or false",
      },
      {
        key: "kubestead:controlPlane.clusterAdminsBinding",
        rule: "must be true or false",
        got: 1,
        fix: "set kubestead:controlPlane.clusterAdminsBinding to true or false",
      },
    ]);
  });
});

describe("readAllowedShare", () => {
  test("null means the default, 1/256, without a problem", () => {
    expect(readShare({ maxAllowedShare: null })).toEqual({ share: 1 / 256, problems: [] });
  });

  test.each<[string, number]>([
    [" 1 / 2 ", 0.5],
    ["10/20", 0.5],
    ["1/4096", 1 / 4096],
  ])("fraction %j reads as %d", (raw, share) => {
    expect(readShare({ maxAllowedShare: raw })).toEqual({ share, problems: [] });
  });

  test.each<[unknown]>([["x1/2"], ["1/2x"], [0], [true], ["0/5"]])("%j is refused and the default kept", (raw) => {
    expect(readShare({ maxAllowedShare: raw })).toEqual({ share: 1 / 256, problems: [SHARE_PROBLEM(raw)] });
  });

  test("CIDRs that do not parse are left out of the coverage (their own check reports them)", () => {
    expect(readShare({}, ["not-a-cidr", "10.0.0.0/9"])).toEqual({ share: 1 / 256, problems: [] });
  });
});

describe("readControlPlaneAccess", () => {
  test("podSecurity that is not a mapping: refused at controlPlane.podSecurity", () => {
    expect(readAccess({ podSecurity: ["baseline"] }).problems).toEqual([
      {
        key: "kubestead:controlPlane.podSecurity",
        rule: "must be an object",
        got: ["baseline"],
        fix: "write kubestead:controlPlane.podSecurity as a YAML mapping",
      },
    ]);
  });

  test("enforce, warn and audit are known keys and read as written", () => {
    const { access, problems } = readAccess({
      podSecurity: { enforce: "restricted", warn: "baseline", audit: "privileged", exemptNamespaces: ["kube-system", "a"] },
    });
    expect(problems).toEqual([]);
    expect(access.podSecurity).toEqual({
      enforce: "restricted",
      warn: "baseline",
      audit: "privileged",
      exemptNamespaces: ["kube-system", "a"],
    });
  });

  test.each<[string]>([["Kube_System"], ["-abc"], ["abc-"]])("exempt namespace %j is refused", (ns) => {
    expect(readAccess({ podSecurity: { exemptNamespaces: ["kube-system", ns] } }).problems).toEqual([
      {
        key: "kubestead:controlPlane.podSecurity.exemptNamespaces",
        rule: "must hold namespace names",
        got: ns,
        fix: "use lowercase DNS labels, e.g. kube-system",
      },
    ]);
  });
});

describe("readOidc", () => {
  test("null means no OIDC, without a problem", () => {
    expect(readO(null)).toEqual({ oidc: undefined, problems: [] });
  });

  test("claims and prefixes as written", () => {
    expect(
      readO({
        issuerUrl: "https://login.example.com/realm",
        clientId: "kubectl",
        usernameClaim: "email",
        usernamePrefix: "sso:",
        groupsClaim: "groups",
        groupsPrefix: "oidc:system:",
      }),
    ).toEqual({
      oidc: {
        issuerUrl: "https://login.example.com/realm",
        clientId: "kubectl",
        usernameClaim: "email",
        usernamePrefix: "sso:",
        groupsClaim: "groups",
        groupsPrefix: "oidc:system:",
      },
      problems: [],
    });
  });

  test.each<[string]>([["xhttps://login.example.com"], ["https://login.example.com extra"]])("issuerUrl %j is refused", (issuerUrl) => {
    expect(readO({ issuerUrl, clientId: "k" }).problems).toEqual([
      {
        key: "kubestead:controlPlane.oidc.issuerUrl",
        rule: "must be an https:// URL without query or fragment",
        got: issuerUrl,
        fix: "use the issuer exactly as its tokens' iss claim spells it, e.g. https://login.example.com",
      },
    ]);
  });

  test.each<[string]>([["$email"], ["email$"]])("claim %j is refused", (claim) => {
    expect(readO({ issuerUrl: "https://login.example.com", clientId: "k", usernameClaim: claim, groupsClaim: claim }).problems).toEqual([
      {
        key: "kubestead:controlPlane.oidc.usernameClaim",
        rule: "must be a JWT claim name",
        got: claim,
        fix: "use e.g. sub, email or groups",
      },
      {
        key: "kubestead:controlPlane.oidc.groupsClaim",
        rule: "must be a JWT claim name",
        got: claim,
        fix: "use e.g. sub, email or groups",
      },
    ]);
  });

  test("a prefix starting with system: is refused", () => {
    expect(readO({ issuerUrl: "https://login.example.com", clientId: "k", usernamePrefix: "system:x" }).problems).toEqual([
      {
        key: "kubestead:controlPlane.oidc.usernamePrefix",
        rule: "must not start with system: (names there are Kubernetes' own: system:masters, system:nodes, ...)",
        got: "system:x",
        fix: 'use a prefix of your own, e.g. "oidc:"',
      },
    ]);
  });
});
