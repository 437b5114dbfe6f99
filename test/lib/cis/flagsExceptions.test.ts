/** The pure readers behind the CIS checks: a static pod's component and flags, and the 1.2.1 exception's compensating control. */
import { anonymousLimitedToHealth, CIS_EXCEPTIONS } from "../../../lib/cis/exceptions";
import { componentOf, flagsOf, listOf } from "../../../lib/cis/flags";

const AUTH = "/etc/kubernetes/authentication-config.yaml";

describe("anonymousLimitedToHealth", () => {
  test.each<[string, Record<string, string>, Record<string, string>, { pass: boolean; detail: string }]>([
    [
      "--anonymous-auth=true, whatever the config says",
      { "anonymous-auth": "true", "authentication-config": AUTH },
      { [AUTH]: "anonymous:\n  enabled: true\n  conditions:\n    - path: /livez\n" },
      { pass: false, detail: "--anonymous-auth=true enables anonymous access on every path" },
    ],
    [
      "no --authentication-config",
      {},
      {},
      { pass: false, detail: "--authentication-config is not set, so anonymous access (default on) covers every path" },
    ],
    [
      "an empty --authentication-config",
      { "authentication-config": "" },
      { "": "anonymous:\n  enabled: false\n" },
      { pass: false, detail: "--authentication-config is not set, so anonymous access (default on) covers every path" },
    ],
    [
      "the config file not given to the check",
      { "authentication-config": AUTH },
      {},
      { pass: false, detail: `${AUTH} was not provided to the check` },
    ],
    [
      "an empty config file",
      { "authentication-config": AUTH },
      { [AUTH]: "" },
      { pass: false, detail: `${AUTH} has no anonymous section: anonymous access falls back to the flag default (on, every path)` },
    ],
    [
      "a config without an anonymous section",
      { "authentication-config": AUTH },
      { [AUTH]: "kind: AuthenticationConfiguration\n" },
      { pass: false, detail: `${AUTH} has no anonymous section: anonymous access falls back to the flag default (on, every path)` },
    ],
    [
      "anonymous disabled, even with conditions beyond health",
      { "authentication-config": AUTH },
      { [AUTH]: "anonymous:\n  enabled: false\n  conditions:\n    - path: /api\n" },
      { pass: true, detail: "anonymous authentication disabled in the authentication config" },
    ],
    [
      "anonymous disabled without conditions",
      { "authentication-config": AUTH },
      { [AUTH]: "anonymous:\n  enabled: false\n" },
      { pass: true, detail: "anonymous authentication disabled in the authentication config" },
    ],
    [
      "anonymous enabled without conditions",
      { "authentication-config": AUTH },
      { [AUTH]: "anonymous:\n  enabled: true\n" },
      { pass: false, detail: "anonymous enabled with no conditions: every path is open to system:anonymous" },
    ],
    [
      "anonymous enabled with an empty condition list",
      { "authentication-config": AUTH },
      { [AUTH]: "anonymous:\n  enabled: true\n  conditions: []\n" },
      { pass: false, detail: "anonymous enabled with no conditions: every path is open to system:anonymous" },
    ],
    [
      "anonymous on the three health paths, --anonymous-auth=false beside it",
      { "anonymous-auth": "false", "authentication-config": AUTH },
      { [AUTH]: "anonymous:\n  enabled: true\n  conditions:\n    - path: /healthz\n    - path: /livez\n    - path: /readyz\n" },
      { pass: true, detail: "anonymous limited to /healthz, /livez, /readyz" },
    ],
    [
      "anonymous on a subset of the health paths, enabled left implicit",
      { "authentication-config": AUTH },
      { [AUTH]: "anonymous:\n  conditions:\n    - path: /readyz\n" },
      { pass: true, detail: "anonymous limited to /readyz" },
    ],
    [
      "anonymous on health paths and more",
      { "authentication-config": AUTH },
      { [AUTH]: "anonymous:\n  enabled: true\n  conditions:\n    - path: /livez\n    - path: /api\n    - path: /metrics\n" },
      { pass: false, detail: "anonymous also allowed on /api, /metrics" },
    ],
    [
      "a condition without a path",
      { "authentication-config": AUTH },
      { [AUTH]: "anonymous:\n  enabled: true\n  conditions:\n    - path: /livez\n    - {}\n" },
      { pass: false, detail: "anonymous also allowed on " },
    ],
  ])("%s", (_, flags, files, outcome) => {
    expect(anonymousLimitedToHealth(new Map(Object.entries(flags)), { files })).toEqual(outcome);
  });
});

describe("CIS_EXCEPTIONS", () => {
  test("1.2.1 is the only exception, its reason reported word for word, checked by anonymousLimitedToHealth", () => {
    expect(CIS_EXCEPTIONS).toEqual([
      {
        id: "1.2.1",
        reason:
          "--anonymous-auth is not set to false. The kubelet's liveness/readiness/startup probes and the NLB health check " +
          "cannot authenticate, so turning anonymous off entirely makes the kubelet restart healthy apiservers. Instead, " +
          "an AuthenticationConfiguration (--authentication-config) enables the anonymous authenticator only for " +
          "/healthz, /livez and /readyz (KEP-4633, beta in 1.32, GA in 1.34): every other unauthenticated request gets 401 " +
          "before authorization, even if RBAC mistakenly grants system:anonymous something. The flag cannot be combined " +
          "with that config (the apiserver refuses to start), so the v1.12 audit, which looks for the flag, reports it.",
        compensating: anonymousLimitedToHealth,
      },
    ]);
  });
});

describe("componentOf", () => {
  test.each<[string, object, string | undefined]>([
    [
      "the binary by its path, without labels",
      { spec: { containers: [{ command: ["/usr/local/bin/kube-apiserver", "--v=2"] }] } },
      "kube-apiserver",
    ],
    [
      "the binary over a disagreeing label",
      { metadata: { labels: { component: "kube-apiserver" } }, spec: { containers: [{ command: ["kube-scheduler"] }] } },
      "kube-scheduler",
    ],
    [
      "the first arg when there is no command",
      { spec: { containers: [{ args: ["kube-controller-manager", "--v=2"] }] } },
      "kube-controller-manager",
    ],
    ["the label when there is no container", { metadata: { labels: { component: "kube-controller-manager" } } }, "kube-controller-manager"],
    [
      "the label when the binary is not a component",
      { metadata: { labels: { component: "kube-scheduler" } }, spec: { containers: [{ command: ["/bin/sh", "-c", "kube-apiserver"] }] } },
      "kube-scheduler",
    ],
    [
      "nothing when neither binary nor label is a component",
      { metadata: { labels: { component: "etcd" } }, spec: { containers: [{ command: ["etcd"] }] } },
      undefined,
    ],
    ["nothing for an empty pod", {}, undefined],
  ])("%s", (_, pod, want) => {
    expect(componentOf({ kind: "Pod", ...pod })).toBe(want);
  });

  test("reads YAML text", () => {
    expect(componentOf("kind: Pod\nspec:\n  containers:\n    - command: [/usr/bin/kube-scheduler]\n")).toBe("kube-scheduler");
  });

  test.each<[string, unknown, string]>([
    ["null", null, "not a Pod manifest (kind undefined)"],
    ["empty YAML text", "", "not a Pod manifest (kind undefined)"],
    ["a YAML scalar", "Pod", "not a Pod manifest (kind undefined)"],
    ["a Deployment as YAML", "kind: Deployment\n", 'not a Pod manifest (kind "Deployment")'],
  ])("refuses %s", (_, pod, message) => {
    expect(() => componentOf(pod)).toThrow(new Error(message));
    expect(() => flagsOf(pod)).toThrow(new Error(message));
  });
});

describe("flagsOf", () => {
  test.each<[string, { command?: string[]; args?: string[] }[] | undefined, [string, string][]]>([
    [
      "args only",
      [{ args: ["--a=1", "--b"] }],
      [
        ["a", "1"],
        ["b", "true"],
      ],
    ],
    ["command only", [{ command: ["kube-scheduler", "--config=/c.yaml"] }], [["config", "/c.yaml"]]],
    ["an empty value", [{ command: ["x", "--a="] }], [["a", ""]]],
    ["only the first container", [{ command: ["x", "--a=1"] }, { command: ["y", "--b=2"] }], [["a", "1"]]],
    ["no containers", undefined, []],
  ])("%s", (_, containers, want) => {
    expect([...flagsOf({ kind: "Pod", spec: { containers } })]).toEqual(want);
  });
});

describe("listOf", () => {
  test.each<[string, Record<string, string>, string[]]>([
    ["trims items and drops empty ones", { l: " a, b ,,c," }, ["a", "b", "c"]],
    ["one item", { l: "x" }, ["x"]],
    ["only separators", { l: " , " }, []],
    ["an empty value", { l: "" }, []],
    ["an absent flag", { other: "a,b" }, []],
  ])("%s", (_, flags, want) => {
    expect(listOf(new Map(Object.entries(flags)), "l")).toEqual(want);
  });
});
