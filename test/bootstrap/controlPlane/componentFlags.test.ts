/** The control-plane components' flags and mounts, straight from the pure builders (no pod rendering). */
import {
  ADMISSION_PLUGINS,
  admissionPlugins,
  apiServerFlags,
  apiServerMounts,
  renderApiServerManifest,
} from "../../../bootstrap/controlPlane/apiserver";
import { controllerManagerFlags } from "../../../bootstrap/controlPlane/controllerManager";
import type { ApiServerSpec, ControllerManagerSpec } from "../../../bootstrap/controlPlane/types";

const ETCD = ["https://10.0.32.10:2379", "https://10.0.64.10:2379"];

function apiSpec(over: Partial<ApiServerSpec> = {}): ApiServerSpec {
  return {
    kubernetesVersion: "1.34.2",
    etcdServers: ETCD,
    serviceCidr: "10.96.0.0/12",
    serviceAccountIssuer: "https://kubernetes.default.svc.cluster.local",
    audit: { maxAgeDays: 30, maxBackups: 10, maxSizeMiB: 100 },
    ...over,
  };
}

function kcmSpec(over: Partial<ControllerManagerSpec> = {}): ControllerManagerSpec {
  return {
    kubernetesVersion: "1.34.2",
    cluster: "prod",
    serviceCidr: "10.96.0.0/12",
    podCidr: "10.244.0.0/16",
    nodeCidrMaskSize: 24,
    ...over,
  };
}

describe("admission plugins", () => {
  test("all four by default, AlwaysPullImages last", () => {
    expect(admissionPlugins()).toEqual(["NodeRestriction", "DenyServiceExternalIPs", "EventRateLimit", "AlwaysPullImages"]);
    expect(admissionPlugins(true)).toEqual(ADMISSION_PLUGINS);
  });

  test("a missing value (null, as a hand-written spec may carry) keeps AlwaysPullImages: only false drops it", () => {
    expect(admissionPlugins(null)).toEqual(ADMISSION_PLUGINS);
  });

  test("without AlwaysPullImages when it is turned off", () => {
    expect(admissionPlugins(false)).toEqual(["NodeRestriction", "DenyServiceExternalIPs", "EventRateLimit"]);
  });

  test.each<[boolean | undefined, string]>([
    [undefined, "NodeRestriction,DenyServiceExternalIPs,EventRateLimit,AlwaysPullImages"],
    [true, "NodeRestriction,DenyServiceExternalIPs,EventRateLimit,AlwaysPullImages"],
    [false, "NodeRestriction,DenyServiceExternalIPs,EventRateLimit"],
  ])("alwaysPullImages=%s → --enable-admission-plugins=%s", (alwaysPullImages, want) => {
    expect(apiServerFlags(apiSpec({ alwaysPullImages }))["enable-admission-plugins"]).toBe(want);
  });
});

describe("apiServerFlags", () => {
  test.each<[string[]]>([[[ETCD[0], "http://10.0.64.10:2379"]], [["http://10.0.32.10:2379", ETCD[1]]], [[ETCD[0], ""]]])(
    "refuses etcdServers %j where one URL is not https",
    (servers) => {
      expect(() => apiServerFlags(apiSpec({ etcdServers: servers }))).toThrow(
        new Error(
          `etcdServers must be a non-empty list of https:// client URLs (got ${JSON.stringify(servers)}): pass the etcd members' client URLs, e.g. https://10.0.1.10:2379`,
        ),
      );
    },
  );

  test("joins several etcd servers", () => {
    expect(apiServerFlags(apiSpec())["etcd-servers"]).toBe("https://10.0.32.10:2379,https://10.0.64.10:2379");
  });

  test.each<[string[] | undefined, string | undefined]>([
    [undefined, undefined],
    [["https://kubernetes.default.svc.cluster.local"], "https://kubernetes.default.svc.cluster.local"],
    [
      ["https://kubernetes.default.svc.cluster.local", "https://oidc.example.com"],
      "https://kubernetes.default.svc.cluster.local,https://oidc.example.com",
    ],
  ])("apiAudiences %j → --api-audiences=%s", (apiAudiences, want) => {
    const flags = apiServerFlags(apiSpec({ apiAudiences }));
    expect(flags["api-audiences"]).toBe(want);
    expect("api-audiences" in flags).toBe(want !== undefined);
  });
});

describe("extraArgs the apiserver refuses", () => {
  test.each([
    [
      "anonymous-auth",
      'extraArgs.apiServer["anonymous-auth"] is refused: anonymous access is configured in /etc/kubernetes/authentication-config.yaml ' +
        "(limited to /healthz, /livez, /readyz); kube-apiserver refuses to start when --anonymous-auth is also set; remove it from extraArgs",
    ],
    [
      "insecure-port",
      'extraArgs.apiServer["insecure-port"] is refused: the insecure port was removed from kube-apiserver (1.24); ' +
        "all access goes through 6443 with TLS; remove it from extraArgs",
    ],
  ])("--%s", (flag, message) => {
    expect(() => renderApiServerManifest(apiSpec({ extraArgs: { v: "2", [flag]: "0" } }))).toThrow(new Error(message));
  });
});

describe("apiServerMounts", () => {
  test("without KMS (the default): PKI, audit, authentication, admission and encryption configs, then the CA bundles", () => {
    const names = ["k8s-certs", "audit-policy", "audit-log", "authentication-config", "admission-config", "encryption-config"];
    expect(
      apiServerMounts()
        .map((m) => m.name)
        .slice(0, names.length),
    ).toEqual(names);
    expect(apiServerMounts()).toEqual(apiServerMounts(false));
  });

  test("with KMS, the plugin's socket directory, writable, right after PKI", () => {
    const mounts = apiServerMounts(true);
    expect(mounts.slice(0, 2)).toEqual([
      { name: "k8s-certs", path: "/etc/kubernetes/pki", type: "Directory", readOnly: true },
      { name: "kmsplugin", path: "/var/run/kmsplugin", type: "DirectoryOrCreate", readOnly: false },
    ]);
    expect(mounts.slice(2)).toEqual(apiServerMounts(false).slice(1));
  });
});

describe("controllerManagerFlags --terminated-pod-gc-threshold", () => {
  test.each<[number | undefined, string]>([
    [undefined, "1000"],
    [1, "1"],
    [2, "2"],
    [50, "50"],
  ])("threshold %s → %s", (terminatedPodGcThreshold, want) => {
    expect(controllerManagerFlags(kcmSpec({ terminatedPodGcThreshold }))["terminated-pod-gc-threshold"]).toBe(want);
  });

  test.each([0, -1, 1.5, Number.NaN])("refuses %s", (terminatedPodGcThreshold) => {
    expect(() => controllerManagerFlags(kcmSpec({ terminatedPodGcThreshold }))).toThrow(
      new Error(`terminatedPodGcThreshold must be a positive integer (got ${JSON.stringify(terminatedPodGcThreshold)}): e.g. 1000`),
    );
  });
});
