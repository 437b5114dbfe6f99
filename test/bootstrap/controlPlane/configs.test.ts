import { parse } from "yaml";
import { admissionConfig, renderAdmissionConfig } from "../../../bootstrap/controlPlane/admissionConfig";
import { auditPolicy, renderAuditPolicy } from "../../../bootstrap/controlPlane/auditPolicy";
import { authenticationConfigApiVersion, renderAuthenticationConfig } from "../../../bootstrap/controlPlane/authenticationConfig";
import { encryptionKeyProblems, renderEncryptionConfig } from "../../../bootstrap/controlPlane/encryptionConfig";
import { KEY_A, KEY_B } from "./fixture";

type Rule = {
  level: string;
  resources?: { group?: string; resources?: string[] }[];
  nonResourceURLs?: string[];
  verbs?: string[];
  users?: string[];
  userGroups?: string[];
};

describe("audit policy", () => {
  const policy = parse(renderAuditPolicy()) as { apiVersion: string; kind: string; omitStages: string[]; rules: Rule[] };

  test("is an audit.k8s.io/v1 Policy omitting RequestReceived", () => {
    expect(policy.apiVersion).toBe("audit.k8s.io/v1");
    expect(policy.kind).toBe("Policy");
    expect(policy.omitStages).toEqual(["RequestReceived"]);
  });

  // First matching rule wins: simulate the apiserver's matcher for a few requests.
  function levelFor(req: {
    group?: string;
    resource?: string;
    path?: string;
    verb: string;
    user: string;
    groups?: string[];
    namespace?: string;
  }): string {
    for (const r of policy.rules as (Rule & { namespaces?: string[] })[]) {
      if (r.verbs && !r.verbs.includes(req.verb)) continue;
      if (r.users && !r.users.includes(req.user)) continue;
      if (r.userGroups && !r.userGroups.some((g) => (req.groups ?? []).includes(g))) continue;
      if (r.namespaces && !r.namespaces.includes(req.namespace ?? "")) continue;
      if (r.nonResourceURLs) {
        if (!req.path || !r.nonResourceURLs.some((u) => (u.endsWith("*") ? req.path!.startsWith(u.slice(0, -1)) : req.path === u)))
          continue;
      }
      if (r.resources) {
        if (req.resource === undefined) continue;
        if (!r.resources.some((g) => (g.group ?? "") === (req.group ?? "") && (!g.resources || g.resources.includes(req.resource!))))
          continue;
      }
      if (req.path && !r.nonResourceURLs && r.resources) continue;
      return r.level;
    }
    return "None";
  }

  test.each([
    ["health probe", { path: "/readyz", verb: "get", user: "system:anonymous" }, "None"],
    ["livez with query", { path: "/livez?verbose", verb: "get", user: "system:anonymous" }, "None"],
    ["secret read by admin", { resource: "secrets", verb: "get", user: "kubernetes-admin" }, "Metadata"],
    ["secret write by admin", { resource: "secrets", verb: "create", user: "kubernetes-admin" }, "Metadata"],
    [
      "secret read by a kubelet",
      { resource: "secrets", verb: "get", user: "system:node:ip-10-0-1-2", groups: ["system:nodes"] },
      "Metadata",
    ],
    ["configmap update", { resource: "configmaps", verb: "update", user: "alice" }, "Metadata"],
    [
      "token review",
      { group: "authentication.k8s.io", resource: "tokenreviews", verb: "create", user: "system:kube-controller-manager" },
      "Metadata",
    ],
    ["kubelet watching pods", { resource: "pods", verb: "watch", user: "system:node:ip-10-0-1-2", groups: ["system:nodes"] }, "None"],
    [
      "kubelet updating its node status",
      { resource: "nodes", verb: "patch", user: "system:node:ip-10-0-1-2", groups: ["system:nodes"] },
      "Metadata",
    ],
    [
      "node lease renewal",
      {
        group: "coordination.k8s.io",
        resource: "leases",
        verb: "update",
        user: "system:node:x",
        groups: ["system:nodes"],
        namespace: "kube-node-lease",
      },
      "None",
    ],
    [
      "scheduler leader lease",
      { group: "coordination.k8s.io", resource: "leases", verb: "update", user: "system:kube-scheduler", namespace: "kube-system" },
      "None",
    ],
    [
      "clusterrolebinding created",
      { group: "rbac.authorization.k8s.io", resource: "clusterrolebindings", verb: "create", user: "alice" },
      "RequestResponse",
    ],
    ["role read", { group: "rbac.authorization.k8s.io", resource: "roles", verb: "get", user: "alice" }, "Metadata"],
    ["event write", { resource: "events", verb: "create", user: "system:node:x", groups: ["system:nodes"] }, "None"],
    ["deployment patch", { group: "apps", resource: "deployments", verb: "patch", user: "alice" }, "Metadata"],
  ])("%s → %s", (_name, req, level) => {
    expect(levelFor(req as Parameters<typeof levelFor>[0])).toBe(level);
  });

  test("secrets are never logged with bodies: the secrets rule precedes every Request/RequestResponse rule", () => {
    const rules = (auditPolicy() as { rules: Rule[] }).rules;
    const secretsRule = rules.findIndex((r) => r.resources?.some((g) => (g.group ?? "") === "" && g.resources?.includes("secrets")));
    expect(rules[secretsRule].level).toBe("Metadata");
    rules.forEach((r, i) => {
      if (r.level === "Request" || r.level === "RequestResponse") expect(i).toBeGreaterThan(secretsRule);
    });
  });

  test("the default is Metadata", () => {
    const rules = (auditPolicy() as { rules: Rule[] }).rules;
    expect(rules[rules.length - 1]).toEqual({ level: "Metadata" });
  });

  test("snapshot", () => {
    const text = renderAuditPolicy();
    expect(text).toMatchSnapshot();
    // The file on the node is the policy the level cases above were decided by.
    expect(parse(text)).toEqual(auditPolicy());
    expect(parse(text)).toMatchObject({ apiVersion: "audit.k8s.io/v1", kind: "Policy" });
  });
});

describe("encryption config", () => {
  test("secrets: secretbox with the first key writing, identity last for old reads", () => {
    const cfg = parse(
      renderEncryptionConfig([
        { name: "new", secret: KEY_B },
        { name: "old", secret: KEY_A },
      ]),
    );
    expect(cfg.apiVersion).toBe("apiserver.config.k8s.io/v1");
    expect(cfg.kind).toBe("EncryptionConfiguration");
    expect(cfg.resources).toHaveLength(1);
    expect(cfg.resources[0].resources).toEqual(["secrets"]);
    expect(cfg.resources[0].providers).toEqual([
      {
        secretbox: {
          keys: [
            { name: "new", secret: KEY_B },
            { name: "old", secret: KEY_A },
          ],
        },
      },
      { identity: {} },
    ]);
  });

  test("more resources on request", () => {
    expect(parse(renderEncryptionConfig([{ name: "k", secret: KEY_A }], ["secrets", "configmaps"])).resources[0].resources).toEqual([
      "secrets",
      "configmaps",
    ]);
  });

  test.each([
    ["no keys", [], /at least one key/],
    ["short key", [{ name: "k", secret: Buffer.alloc(16).toString("base64") }], /exactly 32 bytes/],
    ["not base64", [{ name: "k", secret: "not base64!!" }], /exactly 32 bytes/],
    [
      "duplicate names",
      [
        { name: "k", secret: KEY_A },
        { name: "k", secret: KEY_B },
      ],
      /unique/,
    ],
    ["bad name", [{ name: "", secret: KEY_A }], /letters/],
  ])("refuses %s", (_n, keys, msg) => {
    expect(() => renderEncryptionConfig(keys)).toThrow(msg);
  });

  test("problems never echo the secret", () => {
    const bad = "c2hvcnQ=";
    const problems = encryptionKeyProblems([{ name: "k", secret: bad }]);
    expect(problems).toHaveLength(1);
    expect(JSON.stringify(problems)).not.toContain(bad);
  });
});

describe("authentication config", () => {
  test("anonymous only on health endpoints", () => {
    const cfg = parse(renderAuthenticationConfig("1.34.2"));
    expect(cfg.kind).toBe("AuthenticationConfiguration");
    expect(cfg.anonymous).toEqual({ enabled: true, conditions: [{ path: "/healthz" }, { path: "/livez" }, { path: "/readyz" }] });
    expect(cfg.jwt).toEqual([]);
  });

  test.each([
    ["1.32.0", "apiserver.config.k8s.io/v1beta1"],
    ["1.33.5", "apiserver.config.k8s.io/v1beta1"],
    ["1.34.2", "apiserver.config.k8s.io/v1"],
    ["1.36.1", "apiserver.config.k8s.io/v1"],
  ])("%s uses %s", (version, apiVersion) => {
    expect(authenticationConfigApiVersion(version)).toBe(apiVersion);
  });

  test("refuses versions without anonymous path conditions", () => {
    expect(() => renderAuthenticationConfig("1.31.4")).toThrow(/1\.32/);
  });
});

describe("admission config", () => {
  test("configures EventRateLimit inline with namespace and user limits", () => {
    const cfg = parse(renderAdmissionConfig());
    expect(cfg).toEqual(admissionConfig());
    expect(cfg.apiVersion).toBe("apiserver.config.k8s.io/v1");
    expect(cfg.kind).toBe("AdmissionConfiguration");
    const erl = cfg.plugins.find((p: { name: string }) => p.name === "EventRateLimit");
    expect(erl.configuration.apiVersion).toBe("eventratelimit.admission.k8s.io/v1alpha1");
    expect(erl.configuration.limits.map((l: { type: string }) => l.type)).toEqual(["Namespace", "User"]);
    for (const l of erl.configuration.limits) expect(l.burst).toBeGreaterThanOrEqual(l.qps);
  });
});
