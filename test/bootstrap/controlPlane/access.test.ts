/**
 * The control plane's access settings as rendered: Pod Security Admission in the admission config,
 * AlwaysPullImages among the apiserver's plugins, an OIDC issuer as a jwt authenticator, and the
 * admin.conf / super-admin.conf split on disk.
 */
import { parse } from "yaml";
import {
  admissionConfig,
  DEFAULT_POD_SECURITY,
  podSecurityConfiguration,
  renderAdmissionConfig,
} from "../../../bootstrap/controlPlane/admissionConfig";
import { ADMISSION_PLUGINS, admissionPlugins, apiServerFlags } from "../../../bootstrap/controlPlane/apiserver";
import { authenticationConfig, renderAuthenticationConfig } from "../../../bootstrap/controlPlane/authenticationConfig";
import { controlPlaneFiles } from "../../../bootstrap/controlPlane/files";
import { controlPlaneSpecProblems } from "../../../bootstrap/controlPlane/validate";
import { formatProblem } from "../../../lib/config/problems";
import type { OidcConfig, PodSecurityConfig } from "../../../lib/config/types";
import { flagMap, spec } from "./fixture";

type Plugin = { name: string; configuration: Record<string, any> };
const plugins = (cfg: object): Plugin[] => (cfg as { plugins: Plugin[] }).plugins;
const OIDC: OidcConfig = {
  issuerUrl: "https://login.example.com",
  clientId: "kubectl",
  usernameClaim: "email",
  usernamePrefix: "",
  groupsClaim: "groups",
  groupsPrefix: "oidc:",
};

describe("Pod Security Admission", () => {
  test("by default: enforce baseline, warn and audit restricted, only kube-system exempt, next to EventRateLimit", () => {
    const cfg = parse(renderAdmissionConfig());
    expect(cfg.apiVersion).toBe("apiserver.config.k8s.io/v1");
    expect(plugins(cfg).map((p) => p.name)).toEqual(["EventRateLimit", "PodSecurity"]);
    expect(plugins(cfg)[1].configuration).toEqual({
      apiVersion: "pod-security.admission.config.k8s.io/v1",
      kind: "PodSecurityConfiguration",
      defaults: {
        enforce: "baseline",
        "enforce-version": "latest",
        audit: "restricted",
        "audit-version": "latest",
        warn: "restricted",
        "warn-version": "latest",
      },
      exemptions: { usernames: [], runtimeClasses: [], namespaces: ["kube-system"] },
    });
  });

  test("levels and exempt namespaces follow config (sorted, once each)", () => {
    const ps: PodSecurityConfig = {
      enforce: "restricted",
      warn: "restricted",
      audit: "baseline",
      exemptNamespaces: ["monitoring", "kube-system", "monitoring"],
    };
    const c = plugins(admissionConfig(ps))[1].configuration;
    expect([c.defaults.enforce, c.defaults.warn, c.defaults.audit]).toEqual(["restricted", "restricted", "baseline"]);
    expect(c.exemptions.namespaces).toEqual(["kube-system", "monitoring"]);
  });

  test.each<[string, PodSecurityConfig, string]>([
    [
      "an unknown level",
      { ...DEFAULT_POD_SECURITY, warn: "strict" as never },
      'pod security level must be one of privileged, baseline, restricted (got "strict"): set controlPlane.podSecurity',
    ],
    [
      "kube-system not exempt",
      { ...DEFAULT_POD_SECURITY, exemptNamespaces: [] },
      "pod security exemptNamespaces must include kube-system, where the add-ons run with host access: add it to controlPlane.podSecurity.exemptNamespaces",
    ],
  ])("refuses %s", (_what, ps, message) => {
    expect(() => podSecurityConfiguration(ps)).toThrow(message);
  });

  test("the control plane's admission config file carries it", () => {
    const out = controlPlaneFiles(spec({ podSecurity: { ...DEFAULT_POD_SECURITY, enforce: "restricted" } }));
    const file = out.files.find((f) => f.path === "/etc/kubernetes/admission-config.yaml")!;
    expect(plugins(parse(file.content)).find((p) => p.name === "PodSecurity")?.configuration.defaults.enforce).toBe("restricted");
    expect(flagMap(out.manifests[0]).get("admission-control-config-file")).toBe(file.path);
  });
});

describe("AlwaysPullImages", () => {
  test("is enabled by default, after the other plugins", () => {
    expect(ADMISSION_PLUGINS).toEqual(["NodeRestriction", "DenyServiceExternalIPs", "EventRateLimit", "AlwaysPullImages"]);
    expect(flagMap(controlPlaneFiles(spec()).manifests[0]).get("enable-admission-plugins")).toBe(
      "NodeRestriction,DenyServiceExternalIPs,EventRateLimit,AlwaysPullImages",
    );
  });

  test("controlPlane.alwaysPullImages=false drops it and nothing else", () => {
    expect(admissionPlugins(false)).toEqual(["NodeRestriction", "DenyServiceExternalIPs", "EventRateLimit"]);
    expect(flagMap(controlPlaneFiles(spec({ alwaysPullImages: false })).manifests[0]).get("enable-admission-plugins")).toBe(
      "NodeRestriction,DenyServiceExternalIPs,EventRateLimit",
    );
    const { serviceAccountIssuer, etcdServers, serviceCidr, audit, kubernetesVersion } = spec();
    expect(
      apiServerFlags({ serviceAccountIssuer, etcdServers, serviceCidr, audit, kubernetesVersion })["enable-admission-plugins"],
    ).toContain("AlwaysPullImages");
  });
});

describe("OIDC for people", () => {
  test("no issuer: no jwt authenticator", () => {
    expect(authenticationConfig("1.35.8")).toMatchObject({ apiVersion: "apiserver.config.k8s.io/v1", jwt: [] });
  });

  test("an issuer becomes one jwt authenticator (apiserver.config.k8s.io/v1 for 1.35), prefixes always written", () => {
    const cfg = parse(renderAuthenticationConfig("1.35.8", OIDC));
    expect(cfg.apiVersion).toBe("apiserver.config.k8s.io/v1");
    expect(cfg.jwt).toEqual([
      {
        issuer: { url: "https://login.example.com", audiences: ["kubectl"] },
        claimMappings: { username: { claim: "email", prefix: "" }, groups: { claim: "groups", prefix: "oidc:" } },
      },
    ]);
    // Anonymous stays limited to the health paths.
    expect(cfg.anonymous.conditions.map((c: { path: string }) => c.path)).toEqual(["/healthz", "/livez", "/readyz"]);
  });

  test("without a groups claim, tokens carry no groups", () => {
    const { groupsClaim: _unused, ...noGroups } = OIDC;
    expect(parse(renderAuthenticationConfig("1.35.8", noGroups)).jwt[0].claimMappings).toEqual({
      username: { claim: "email", prefix: "" },
    });
  });

  test("the control plane renders it into its authentication config", () => {
    const out = controlPlaneFiles(spec({ oidc: OIDC }));
    const file = out.files.find((f) => f.path === "/etc/kubernetes/authentication-config.yaml")!;
    expect(parse(file.content).jwt[0].issuer.url).toBe("https://login.example.com");
  });

  test("an issuer that is also a service-account issuer is refused (kube-apiserver would not start)", () => {
    const s = spec({ oidc: { ...OIDC, issuerUrl: "https://kubernetes.default.svc.cluster.local" } });
    expect(controlPlaneSpecProblems(s).map(formatProblem)).toEqual([
      'controlPlane.oidc.issuerUrl must not be a service-account issuer of this cluster (got "https://kubernetes.default.svc.cluster.local"): use your identity provider\'s issuer, e.g. https://login.example.com',
    ]);
  });
});

describe("admin.conf and super-admin.conf", () => {
  const out = controlPlaneFiles(spec());
  const kubeconfig = (p: string) => parse(out.files.find((f) => f.path === p)!.content);

  test("admin.conf uses admin.crt/key, super-admin.conf super-admin.crt/key; both reach the local apiserver", () => {
    const admin = kubeconfig("/etc/kubernetes/admin.conf");
    const superAdmin = kubeconfig("/etc/kubernetes/super-admin.conf");
    expect([admin.users[0].name, admin.users[0].user["client-certificate"], admin.users[0].user["client-key"]]).toEqual([
      "kubernetes-admin",
      "/etc/kubernetes/pki/admin.crt",
      "/etc/kubernetes/pki/admin.key",
    ]);
    expect([superAdmin.users[0].name, superAdmin.users[0].user["client-certificate"], superAdmin.users[0].user["client-key"]]).toEqual([
      "kubernetes-super-admin",
      "/etc/kubernetes/pki/super-admin.crt",
      "/etc/kubernetes/pki/super-admin.key",
    ]);
    expect(superAdmin.clusters[0].cluster.server).toBe("https://127.0.0.1:6443");
  });

  test("the super-admin key comes from SSM under the control-plane path, like every key; files are 0600", () => {
    expect(out.secrets.find((s) => s.path === "/etc/kubernetes/pki/super-admin.key")).toEqual({
      path: "/etc/kubernetes/pki/super-admin.key",
      parameter: "/kubestead/prod/controlplane/super-admin.key",
      mode: "0600",
    });
    expect(out.files.find((f) => f.path === "/etc/kubernetes/super-admin.conf")?.mode).toBe("0600");
  });
});
