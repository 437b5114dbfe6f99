import { parse, stringify } from "yaml";
import { controlPlaneFiles } from "../../../bootstrap/controlPlane/files";
import { CIS_CHECKS, CIS_NOT_EVALUATED, cisContextFromFiles, CisContext, evaluateControlPlane } from "../../../lib/cis/controlPlane";
import { CIS_EXCEPTIONS } from "../../../lib/cis/exceptions";
import { flagsOf } from "../../../lib/cis/flags";
import { spec } from "../../bootstrap/controlPlane/fixture";

type Pod = { metadata: { name: string }; spec: { containers: { command: string[] }[] } };

function rendered(over = {}): { manifests: Pod[]; ctx: CisContext } {
  const out = controlPlaneFiles(spec(over));
  const secrets = out.secrets
    .filter((s) => out.secretContents[s.parameter] !== undefined)
    .map((s) => ({ path: s.path, content: out.secretContents[s.parameter] }));
  return { manifests: JSON.parse(JSON.stringify(out.manifests)) as Pod[], ctx: cisContextFromFiles([...out.files, ...secrets]) };
}

const byName = (ms: Pod[], name: string): Pod => ms.find((m) => m.metadata.name === name) as Pod;
const setFlag = (pod: Pod, name: string, value: string | undefined): void => {
  const cmd = pod.spec.containers[0].command.filter((a) => !a.startsWith(`--${name}=`));
  if (value !== undefined) cmd.push(`--${name}=${value}`);
  pod.spec.containers[0].command = cmd;
};
const failing = (results: { id: string; status: string }[]): string[] => results.filter((r) => r.status === "fail").map((r) => r.id);

describe("CIS v1.12 control plane on the rendered manifests", () => {
  const { manifests, ctx } = rendered();
  const results = evaluateControlPlane(manifests, ctx);

  test("every check runs, and no check fails", () => {
    expect(results).toHaveLength(CIS_CHECKS.length);
    expect(results.filter((r) => r.status === "fail")).toEqual([]);
  });

  test("covers 1.2.1–1.2.30 (except the untestable 1.2.20), 1.3.1–1.3.7, 1.4.1–1.4.2", () => {
    const ids = CIS_CHECKS.map((c) => c.id);
    const want = [
      ...Array.from({ length: 30 }, (_, i) => `1.2.${i + 1}`).filter((id) => id !== "1.2.20"),
      ...Array.from({ length: 7 }, (_, i) => `1.3.${i + 1}`),
      "1.4.1",
      "1.4.2",
    ];
    expect(ids).toEqual(want);
    expect(CIS_NOT_EVALUATED.map((n) => n.id)).toEqual(["1.2.20"]);
  });

  test("every exception is in use (its check really fails) and holds its compensating control", () => {
    for (const ex of CIS_EXCEPTIONS) {
      const r = results.find((x) => x.id === ex.id);
      expect({ id: ex.id, status: r?.status }).toEqual({ id: ex.id, status: "excepted" });
      expect(r?.reason).toBe(ex.reason);
    }
    expect(
      results
        .filter((r) => r.status === "excepted")
        .map((r) => r.id)
        .sort(),
    ).toEqual(CIS_EXCEPTIONS.map((e) => e.id).sort());
  });

  test("1.2.1 excepted because anonymous is limited to health paths", () => {
    expect(results.find((r) => r.id === "1.2.1")?.detail).toMatch(/anonymous limited to \/healthz, \/livez, \/readyz/);
  });

  test("YAML manifests evaluate the same as objects", () => {
    const fromYaml = evaluateControlPlane(
      manifests.map((m) => stringify(m)),
      ctx,
    );
    expect(fromYaml).toEqual(results);
  });

  test("without the files, the file-based checks fail rather than pass blindly", () => {
    expect(failing(evaluateControlPlane(manifests)).sort()).toEqual(["1.2.1", "1.2.28", "1.2.9", "1.4.1"].sort());
  });
});

describe("a weakened control plane fails the right checks", () => {
  test.each<[string, (m: Pod[], ctx: CisContext) => void, string[]]>([
    ["apiserver profiling=true", (m) => setFlag(byName(m, "kube-apiserver"), "profiling", "true"), ["1.2.15"]],
    ["anonymous-auth=true", (m) => setFlag(byName(m, "kube-apiserver"), "anonymous-auth", "true"), ["1.2.1"]],
    [
      "no audit log",
      (m) =>
        ["audit-log-path", "audit-log-maxage", "audit-log-maxbackup", "audit-log-maxsize"].forEach((f) =>
          setFlag(byName(m, "kube-apiserver"), f, undefined),
        ),
      ["1.2.16", "1.2.17", "1.2.18", "1.2.19"],
    ],
    ["short audit retention", (m) => setFlag(byName(m, "kube-apiserver"), "audit-log-maxage", "7"), ["1.2.17"]],
    [
      "AlwaysAllow authorization",
      (m) => setFlag(byName(m, "kube-apiserver"), "authorization-mode", "AlwaysAllow"),
      ["1.2.6", "1.2.7", "1.2.8"],
    ],
    [
      "no admission plugins",
      (m) => setFlag(byName(m, "kube-apiserver"), "enable-admission-plugins", undefined),
      ["1.2.3", "1.2.9", "1.2.11", "1.2.14"],
    ],
    ["token auth file", (m) => setFlag(byName(m, "kube-apiserver"), "token-auth-file", "/etc/tokens.csv"), ["1.2.2"]],
    [
      "ServiceAccount plugin disabled",
      (m) => setFlag(byName(m, "kube-apiserver"), "disable-admission-plugins", "ServiceAccount,NamespaceLifecycle"),
      ["1.2.12", "1.2.13"],
    ],
    [
      "weak cipher",
      (m) =>
        setFlag(byName(m, "kube-apiserver"), "tls-cipher-suites", "TLS_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
      ["1.2.29"],
    ],
    ["no encryption at rest", (m) => setFlag(byName(m, "kube-apiserver"), "encryption-provider-config", undefined), ["1.2.27", "1.2.28"]],
    [
      "identity provider first",
      (_m, ctx) => {
        const p = "/etc/kubernetes/encryption-config.yaml";
        const doc = parse(ctx.files[p]);
        doc.resources[0].providers.reverse();
        ctx.files[p] = stringify(doc);
      },
      ["1.2.28"],
    ],
    ["extended SA tokens", (m) => setFlag(byName(m, "kube-apiserver"), "service-account-extend-token-expiration", "true"), ["1.2.30"]],
    [
      "anonymous open on every path",
      (_m, ctx) =>
        (ctx.files["/etc/kubernetes/authentication-config.yaml"] = stringify({
          kind: "AuthenticationConfiguration",
          anonymous: { enabled: true, conditions: [] },
        })),
      ["1.2.1"],
    ],
    [
      "anonymous on /api",
      (_m, ctx) =>
        (ctx.files["/etc/kubernetes/authentication-config.yaml"] = stringify({
          kind: "AuthenticationConfiguration",
          anonymous: { enabled: true, conditions: [{ path: "/livez" }, { path: "/api" }] },
        })),
      ["1.2.1"],
    ],
    [
      "controller-manager profiling and public bind",
      (m) => {
        setFlag(byName(m, "kube-controller-manager"), "profiling", "true");
        setFlag(byName(m, "kube-controller-manager"), "bind-address", "0.0.0.0");
      },
      ["1.3.2", "1.3.7"],
    ],
    [
      "controller-manager without SA credentials",
      (m) => setFlag(byName(m, "kube-controller-manager"), "use-service-account-credentials", "false"),
      ["1.3.3"],
    ],
    [
      "kubelet server cert rotation off",
      (m) => setFlag(byName(m, "kube-controller-manager"), "feature-gates", "RotateKubeletServerCertificate=false"),
      ["1.3.6"],
    ],
    ["scheduler bind-address unset", (m) => setFlag(byName(m, "kube-scheduler"), "bind-address", undefined), ["1.4.2"]],
    [
      "scheduler profiling via config file",
      (_m, ctx) =>
        (ctx.files["/etc/kubernetes/scheduler-config.yaml"] = ctx.files["/etc/kubernetes/scheduler-config.yaml"].replace(
          "enableProfiling: false",
          "enableProfiling: true",
        )),
      ["1.4.1"],
    ],
    ["scheduler profiling flag", (m) => setFlag(byName(m, "kube-scheduler"), "profiling", "true"), ["1.4.1"]],
  ])("%s → %j", (_name, weaken, ids) => {
    const { manifests, ctx } = rendered();
    weaken(manifests, ctx);
    expect(failing(evaluateControlPlane(manifests, ctx)).sort()).toEqual([...ids].sort());
  });

  test("weakening through extraArgs is caught too", () => {
    const { manifests, ctx } = rendered({
      extraArgs: { apiServer: { profiling: "true", "audit-log-maxbackup": "3" }, scheduler: { "bind-address": "0.0.0.0" } },
    });
    expect(failing(evaluateControlPlane(manifests, ctx)).sort()).toEqual(["1.2.15", "1.2.18", "1.4.2"]);
  });

  test("a missing manifest fails all of its component's checks", () => {
    const { manifests, ctx } = rendered();
    const r = evaluateControlPlane(
      manifests.filter((m) => m.metadata.name !== "kube-scheduler"),
      ctx,
    );
    expect(failing(r)).toEqual(["1.4.1", "1.4.2"]);
    expect(r.find((x) => x.id === "1.4.1")?.detail).toMatch(/no kube-scheduler manifest/);
  });
});

describe("flagsOf", () => {
  test("parses --k=v, bare --flag, last repeat wins, ignores the binary", () => {
    const pod = {
      kind: "Pod",
      spec: { containers: [{ command: ["kube-apiserver", "--a=1", "--b", "--a=2", "--c=x=y"], args: ["--d=4"] }] },
    };
    expect([...flagsOf(pod)]).toEqual([
      ["a", "2"],
      ["b", "true"],
      ["c", "x=y"],
      ["d", "4"],
    ]);
  });

  test("refuses what is not a Pod", () => {
    expect(() => flagsOf({ kind: "Deployment" })).toThrow(/not a Pod/);
  });
});
