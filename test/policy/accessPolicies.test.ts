/**
 * Details of the access policies beyond their violating fixtures (accessCases.ts): exported
 * kubeconfigs read through their real certificates, the CIDR maths, what PSA and AlwaysPullImages
 * accept, short-lived certificates and certificate-expiry, and dev's advisory levels.
 */
import { renderKubeconfig } from "../../bootstrap/kubeconfig";
import type { PodSecurityConfig } from "../../lib/config/types";
import type { Plan } from "../../lib/plan/types";
import { PolicyPackConfigFile, PolicyReport, runPolicies } from "../../policy/runner";
import { kubeconfigClientGroups, ADMIN_T } from "../../policy/rules/adminCredentials";
import { podSecurityProblems, alwaysPullImagesProblems } from "../../policy/rules/admission";
import { shareOf, unionSize } from "../../policy/rules/apiCidrs";
import { parseRange } from "../../policy/rules/cidr";
import { certExpiryProblem } from "../../policy/rules/certificates";
import devConfig from "../../policy/dev.json";
import prodConfig from "../../policy/prod.json";
import { TlsEmulator } from "../../tools/offline/tls";
import {
  addResource,
  bootUserData,
  controlPlaneAdmissionFiles,
  find,
  happyPlan,
  NOW,
  setControlPlaneAdmission,
  setProp,
  UNKNOWN,
} from "../helpers/policyFixtures";
import { WIDE_INGRESS_CONFIG } from "./accessCases";

const prod = prodConfig as PolicyPackConfigFile;
const run = (plan: Plan, config: PolicyPackConfigFile = prod) => runPolicies(plan, config, { now: NOW });
const violated = (r: PolicyReport) => [...new Set(r.violations.map((v) => v.policy))].sort();
const ACCESS = ["admin-credential-revocable", "always-pull-images", "api-cidrs-bounded", "pod-security-admission"];

/** A kubeconfig with a real client certificate of that subject. */
async function kubeconfigFor(commonName: string, organization: string): Promise<string> {
  const tls = new TlsEmulator(() => NOW);
  const key = (await tls.newResource("tls:index/privateKey:PrivateKey", "k", { algorithm: "ECDSA", ecdsaCurve: "P256" })).state;
  const cert = (
    await tls.newResource("tls:index/selfSignedCert:SelfSignedCert", "c", {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName, organization },
      validityPeriodHours: 24,
      allowedUses: ["client_auth"],
    })
  ).state;
  return renderKubeconfig({
    cluster: "kc",
    server: "https://kc-api.elb.amazonaws.com:6443",
    caCertPem: String(cert.certPem),
    user: commonName,
    clientCertPem: String(cert.certPem),
    clientKeyPem: String(key.privateKeyPem),
  });
}

describe("admin-credential-revocable", () => {
  test("reads the subject of a kubeconfig's embedded certificate", async () => {
    expect(kubeconfigClientGroups(await kubeconfigFor("kubestead-admin", "kubeadm:cluster-admins"))).toEqual([
      { user: "kubestead-admin", cn: "kubestead-admin", groups: ["kubeadm:cluster-admins"] },
    ]);
  });

  test("a stack output holding a system:masters kubeconfig is a violation; a kubeadm:cluster-admins one is not", async () => {
    const stack = "kubestead-prod";
    const ok = happyPlan();
    setProp(ok, stack, "adminKubeconfig", await kubeconfigFor("kubestead-admin", "kubeadm:cluster-admins"), ["outputs"]);
    expect(run(ok).violations).toEqual([]);

    const bad = happyPlan();
    setProp(bad, stack, "adminKubeconfig", await kubeconfigFor("kubernetes-admin", "system:masters"), ["outputs"]);
    const r = run(bad);
    expect(violated(r)).toEqual(["admin-credential-revocable"]);
    expect(r.violations[0].message).toBe(
      "kubestead-prod adminKubeconfig holds a kubeconfig whose client certificate (CN kubernetes-admin) is in system:masters: whoever reads it is cluster-admin until the CA is replaced; export a kubeadm:cluster-admins credential instead.",
    );
  });

  test("a subject unknown in preview is skipped, not reported", () => {
    const plan = happyPlan();
    setProp(plan, "kc-admin-kubeconfig-csr", "subject.commonName", UNKNOWN);
    setProp(plan, "kc-admin-kubeconfig-csr", "subject.organization", "system:masters");
    expect(run(plan).violations).toEqual([]);
  });

  test("its type tokens are the tls and aws classes' __pulumiType", () => {
    expect(require("@pulumi/tls/certRequest").CertRequest.__pulumiType).toBe(ADMIN_T.certRequest);
    expect(require("@pulumi/tls/privateKey").PrivateKey.__pulumiType).toBe(ADMIN_T.privateKey);
    expect(require("@pulumi/aws/ssm/parameter").Parameter.__pulumiType).toBe(ADMIN_T.parameter);
  });
});

describe("pod-security-admission and always-pull-images", () => {
  const userData = (over: Parameters<typeof controlPlaneAdmissionFiles>[0] = {}) => bootUserData([], controlPlaneAdmissionFiles(over));

  test("the rendered defaults pass both", () => {
    expect(podSecurityProblems(userData(), ["kube-system"])).toEqual([]);
    expect(alwaysPullImagesProblems(userData())).toEqual([]);
  });

  test("restricted enforcement passes; an exempt user or runtime class does not", () => {
    const restricted: PodSecurityConfig = {
      enforce: "restricted",
      warn: "restricted",
      audit: "restricted",
      exemptNamespaces: ["kube-system"],
    };
    expect(podSecurityProblems(userData({ podSecurity: restricted }), ["kube-system"])).toEqual([]);
    const config = [
      "apiVersion: apiserver.config.k8s.io/v1",
      "kind: AdmissionConfiguration",
      "plugins:",
      "  - name: PodSecurity",
      "    configuration:",
      "      defaults: { enforce: baseline }",
      "      exemptions: { usernames: [ci-bot] }",
    ].join("\n");
    expect(podSecurityProblems(userData({ admissionConfig: config }), ["kube-system"])).toEqual([
      "Pod Security Admission exempts usernames ci-bot: any pod they create, or that uses them, skips the check in every namespace; remove the exemption.",
    ]);
  });

  test("a configured namespace exemption passes when the policy config allows it", () => {
    const plan = setControlPlaneAdmission(happyPlan(), {
      podSecurity: { enforce: "baseline", warn: "restricted", audit: "restricted", exemptNamespaces: ["kube-system", "monitoring"] },
    });
    expect(violated(run(plan))).toEqual(["pod-security-admission"]);
    const cfg = {
      ...prod,
      "pod-security-admission": { enforcementLevel: "mandatory", allowedExemptNamespaces: ["kube-system", "monitoring"] },
    };
    expect(run(plan, cfg).violations).toEqual([]);
  });

  test("user data without the apiserver manifest is reported, unknown user data is skipped", () => {
    expect(podSecurityProblems(bootUserData([]), ["kube-system"])).toEqual([
      "its user data writes no /etc/kubernetes/manifests/kube-apiserver.yaml, so the apiserver's admission settings are unknown to the policy; render it with bootstrap/controlPlane/files.ts",
    ]);
    expect(podSecurityProblems(UNKNOWN, ["kube-system"])).toEqual([]);
    expect(alwaysPullImagesProblems(UNKNOWN)).toEqual([]);
  });

  test("only control-plane launch templates are checked", () => {
    const r = run(happyPlan());
    expect([r.evaluated["pod-security-admission"], r.evaluated["always-pull-images"]]).toEqual([1, 1]);
  });
});

describe("api-cidrs-bounded", () => {
  const ranges = (...cidrs: string[]) => cidrs.map((c) => parseRange(c)!);

  test.each<[string[], boolean, number]>([
    [["0.0.0.0/1", "128.0.0.0/1"], false, 1],
    [["10.0.0.0/8"], false, 1 / 256],
    [["10.0.0.0/8", "10.1.0.0/16"], false, 1 / 256],
    [["10.0.0.0/9", "10.128.0.0/9"], false, 1 / 256],
    [["::/1", "8000::/1"], true, 1],
    [["2001:db8::/32"], true, 2 ** -32],
  ])("%j covers %s-family share %d", (cidrs, v6, share) => {
    expect(shareOf(ranges(...cidrs), v6)).toBeCloseTo(share, 9);
  });

  test("overlaps count once", () => {
    expect(unionSize(ranges("10.0.0.0/8", "10.0.0.0/16", "10.255.255.0/24"))).toBe(2n ** 24n);
  });

  test("a /8 is exactly at the default bound and passes; a /7 does not", () => {
    const plan = happyPlan();
    setProp(plan, "kc-lb-api-from-admins", "cidrIpv4", "10.0.0.0/8");
    expect(run(plan, WIDE_INGRESS_CONFIG).violations).toEqual([]);
    setProp(plan, "kc-lb-api-from-admins", "cidrIpv4", "10.0.0.0/7");
    expect(violated(run(plan, WIDE_INGRESS_CONFIG))).toEqual(["api-cidrs-bounded"]);
  });

  test("IPv6 halves are caught like IPv4 ones", () => {
    const plan = happyPlan();
    for (const [i, cidr] of ["::/1", "8000::/1"].entries())
      addResource(plan, {
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        name: `kc-api-v6-${i}`,
        inputs: { securityGroupId: "sg-api-lb", ipProtocol: "tcp", fromPort: 6443, toPort: 6443, cidrIpv6: cidr },
      });
    const r = run(plan, WIDE_INGRESS_CONFIG);
    expect(violated(r)).toEqual(["api-cidrs-bounded"]);
    expect(r.violations[0].message).toMatch(/covers 100% of the IPv6 address space/);
  });

  test("the share is configurable", () => {
    const plan = happyPlan();
    setProp(plan, "kc-lb-api-from-admins", "cidrIpv4", "10.0.0.0/7");
    const cfg = { ...WIDE_INGRESS_CONFIG, "api-cidrs-bounded": { enforcementLevel: "mandatory", maxAllowedShare: 1 / 64 } };
    expect(run(plan, cfg).violations).toEqual([]);
  });
});

describe("short-lived certificates and certificate-expiry", () => {
  const week = { name: "kc-admin-kubeconfig-cert", validityPeriodHours: 168, earlyRenewalHours: 84 };
  const inDays = (d: number) => new Date(NOW.getTime() + d * 86_400_000).toISOString();

  test("a fresh one is neither a failure nor a warning, though it expires within both windows", () => {
    expect(certExpiryProblem({ ...week, validityEndTime: inDays(6) }, NOW, { withinDays: 30 })).toBeUndefined();
    expect(certExpiryProblem({ ...week, validityEndTime: inDays(6) }, NOW, { withinDays: 90, notWithinDays: 30 })).toBeUndefined();
  });

  test("one inside its own early-renewal window fails: pulumi up has not been re-issuing it", () => {
    expect(certExpiryProblem({ ...week, validityEndTime: inDays(2) }, NOW, { withinDays: 30 })).toBe(
      `certificate kc-admin-kubeconfig-cert (valid 168 hours) expires at ${inDays(2)}, inside its 84-hour early-renewal window: \`pulumi up\` re-issues it there; run it.`,
    );
  });

  test("in the pack: the fixture's 7-day certificate passes now and fails 4 days on", () => {
    expect(run(happyPlan()).violations).toEqual([]);
    const later = runPolicies(happyPlan(), prod, { now: new Date(NOW.getTime() + 4 * 86_400_000) });
    expect(later.violations.map((v) => [v.policy, v.name])).toEqual([["certificate-expiry", "kc-admin-kubeconfig-cert"]]);
  });
});

test("dev runs the access policies as advisory", () => {
  const plan = happyPlan();
  setControlPlaneAdmission(plan, { alwaysPullImages: false });
  setProp(plan, "kc-admin-kubeconfig-csr", "subject.organization", "system:masters");
  const r = run(plan, devConfig as PolicyPackConfigFile);
  // (dev.json allows no extra API CIDRs, so the fixture's admin range is an advisory finding there too.)
  expect(violated(r).filter((p) => ACCESS.includes(p))).toEqual(["admin-credential-revocable", "always-pull-images"]);
  expect(r.violations.every((v) => v.enforcementLevel === "advisory")).toBe(true);
  for (const p of ACCESS) expect(r.levels[p]).toBe("advisory");
  expect(find(plan, "kc-controlplane").inputs.userData).toEqual(find(plan, "kc-controlplane").outputs.userData);
});
