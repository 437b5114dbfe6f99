import { parse } from "yaml";
import { kubeletFlags, renderKubeletConfig } from "../../../bootstrap/node/kubelet";
import { evaluateKubelet, goDurationMs, parseKubeletFlags } from "../../../lib/cis/kubelet";

const rendered = (): Record<string, unknown> => parse(renderKubeletConfig({ clusterDnsIp: "10.96.0.10", clusterDomain: "cluster.local" }));
const renderedFlags = parseKubeletFlags(kubeletFlags({ nodeLabels: { "kubestead.io/pool": "general" }, nodeTaints: [] }).join(" "));

const ALL_IDS = [
  "4.2.1",
  "4.2.2",
  "4.2.3",
  "4.2.4",
  "4.2.5",
  "4.2.6",
  "4.2.7",
  "4.2.8",
  "4.2.9",
  "4.2.10",
  "4.2.11",
  "4.2.12",
  "4.2.13",
  "4.2.14",
  "kubestead-protect-kernel-defaults",
];

describe("evaluateKubelet on what we render", () => {
  test("every check runs and passes", () => {
    const results = evaluateKubelet(rendered(), renderedFlags);
    expect(results.map((r) => r.id)).toEqual(ALL_IDS);
    expect(results.filter((r) => !r.pass)).toEqual([]);
  });
});

describe("evaluateKubelet fails what it should", () => {
  // Each row breaks one setting (in the config or by flag); exactly that check must fail.
  test.each<[string, (c: Record<string, any>) => void, Record<string, string>]>([
    ["4.2.1", (c) => (c.authentication.anonymous.enabled = true), {}],
    ["4.2.1", () => undefined, { "anonymous-auth": "true" }],
    ["4.2.2", (c) => (c.authorization.mode = "AlwaysAllow"), {}],
    ["4.2.3", (c) => delete c.authentication.x509.clientCAFile, {}],
    ["4.2.4", (c) => (c.readOnlyPort = 10255), {}],
    ["4.2.5", (c) => (c.streamingConnectionIdleTimeout = "0s"), {}],
    ["4.2.6", (c) => (c.makeIPTablesUtilChains = false), {}],
    ["4.2.7", () => undefined, { "hostname-override": "node-1" }],
    ["4.2.8", (c) => (c.eventRecordQPS = -1), {}],
    ["4.2.10", (c) => (c.rotateCertificates = false), {}],
    ["4.2.11", (c) => (c.featureGates = { RotateKubeletServerCertificate: false }), {}],
    ["4.2.12", (c) => c.tlsCipherSuites.push("TLS_RSA_WITH_AES_128_CBC_SHA"), {}],
    ["4.2.13", (c) => delete c.podPidsLimit, {}],
    ["4.2.14", (c) => (c.seccompDefault = false), {}],
    ["kubestead-protect-kernel-defaults", (c) => (c.protectKernelDefaults = false), {}],
  ])("%s", (id, mutate, extraFlags) => {
    const c = rendered();
    mutate(c);
    const failed = evaluateKubelet(c, { ...renderedFlags, ...extraFlags }).filter((r) => !r.pass);
    expect(failed.map((r) => r.id)).toEqual([id]);
    expect(failed[0].detail.length).toBeGreaterThan(0);
  });

  test("4.2.9 and 4.2.11 fail together without serverTLSBootstrap or cert files", () => {
    const c = rendered();
    c.serverTLSBootstrap = false;
    expect(
      evaluateKubelet(c, renderedFlags)
        .filter((r) => !r.pass)
        .map((r) => r.id),
    ).toEqual(["4.2.9", "4.2.11"]);
    c.tlsCertFile = "/var/lib/kubelet/pki/kubelet.crt";
    c.tlsPrivateKeyFile = "/var/lib/kubelet/pki/kubelet.key";
    expect(
      evaluateKubelet(c, renderedFlags)
        .filter((r) => !r.pass)
        .map((r) => r.id),
    ).toEqual(["4.2.11"]);
  });

  test("a flag overrides the config file, as in the kubelet", () => {
    const c = rendered();
    expect(evaluateKubelet(c, { "read-only-port": "10255" }).find((r) => r.id === "4.2.4")?.pass).toBe(false);
    expect(evaluateKubelet(c, new Map([["read-only-port", "0"]])).find((r) => r.id === "4.2.4")?.pass).toBe(true);
  });

  test("a flag-only kubelet with no config gets the kubelet's insecure defaults", () => {
    const failed = evaluateKubelet({}, {})
      .filter((r) => !r.pass)
      .map((r) => r.id);
    expect(failed).toEqual(expect.arrayContaining(["4.2.1", "4.2.2", "4.2.3", "4.2.12", "4.2.13", "4.2.14"]));
  });
});

describe("helpers", () => {
  test.each([
    ["4h0m0s", 14_400_000],
    ["5m", 300_000],
    ["0s", 0],
    ["0", 0],
    ["1h30m", 5_400_000],
    ["abc", undefined],
  ])("goDurationMs(%s)", (d, ms) => {
    expect(goDurationMs(d)).toBe(ms);
  });
  test("parseKubeletFlags", () => {
    expect(parseKubeletFlags("/usr/bin/kubelet --a=b --c --d=x=y")).toEqual({ a: "b", c: "true", d: "x=y" });
  });
});
