/**
 * Violating fixtures of the access policies (admin-credential-revocable, pod-security-admission,
 * always-pull-images, api-cidrs-bounded): each changes the happy plan one way and names the
 * message; an optional policy config replaces prod.json for that case. policies.test.ts runs them
 * with the rest; accessPolicies.test.ts adds the details.
 */
import type { PodSecurityConfig } from "../../lib/config/types";
import type { Plan } from "../../lib/plan/types";
import type { PolicyPackConfigFile } from "../../policy/runner";
import prodConfig from "../../policy/prod.json";
import { addResource, ADMIN_KUBECONFIG_CSR, find, setControlPlaneAdmission, setProp, SUPER_ADMIN_CSR } from "../helpers/policyFixtures";

export type AccessCase = [policy: string, what: string, change: (p: Plan) => void, message: RegExp, config?: PolicyPackConfigFile];

/** prod.json with apiserver-ingress-restricted admitting any source: only the share bound is left to catch a wide API. */
export const WIDE_INGRESS_CONFIG: PolicyPackConfigFile = {
  ...(prodConfig as PolicyPackConfigFile),
  "apiserver-ingress-restricted": { enforcementLevel: "mandatory", allowedApiCidrs: ["0.0.0.0/0", "::/0"] },
};

const PSA: PodSecurityConfig = { enforce: "baseline", warn: "restricted", audit: "restricted", exemptNamespaces: ["kube-system"] };

export const ACCESS_CASES: AccessCase[] = [
  [
    "admin-credential-revocable",
    "exported admin certificate in system:masters",
    (p) => setProp(p, ADMIN_KUBECONFIG_CSR, "subject.organization", "system:masters"),
    /kc-admin-kubeconfig-csr \(CN "kubestead-admin"\) puts its certificate in system:masters, which RBAC cannot revoke/,
  ],
  [
    "admin-credential-revocable",
    "break-glass key also stored outside the control-plane path",
    (p) => {
      addResource(p, {
        type: "aws:ssm/parameter:Parameter",
        name: "kc-worker-copy",
        inputs: { name: "/kubestead/kc/worker/super-admin.key", type: "SecureString", value: "secret" },
      });
      find(p, "kc-worker-copy").propertyDependencies.value = [find(p, "kc-super-admin-key").urn];
    },
    /break-glass system:masters key of kc-super-admin-csr flows into aws:ssm\/parameter:Parameter kc-worker-copy/,
  ],
  [
    "admin-credential-revocable",
    "break-glass common name on an ordinary identity",
    (p) => setProp(p, SUPER_ADMIN_CSR, "subject.commonName", "kubernetes-admin"),
    /kc-super-admin-csr \(CN "kubernetes-admin"\) puts its certificate in system:masters/,
  ],
  [
    "pod-security-admission",
    "enforce privileged",
    (p) => setControlPlaneAdmission(p, { podSecurity: { ...PSA, enforce: "privileged" } }),
    /Pod Security Admission enforces "privileged" by default.*enforce at least baseline/,
  ],
  [
    "pod-security-admission",
    "no PodSecurity configuration",
    (p) =>
      setControlPlaneAdmission(p, {
        admissionConfig: "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: []\n",
      }),
    /configures no PodSecurity plugin, so Pod Security Admission runs with its built-in defaults, which enforce privileged/,
  ],
  [
    "pod-security-admission",
    "an application namespace exempt",
    (p) => setControlPlaneAdmission(p, { podSecurity: { ...PSA, exemptNamespaces: ["kube-system", "payments"] } }),
    /exempts namespace\(s\) payments beyond the allowed kube-system/,
  ],
  [
    "always-pull-images",
    "plugin off",
    (p) => setControlPlaneAdmission(p, { alwaysPullImages: false }),
    /does not enable the AlwaysPullImages admission plugin \(CIS 1\.2\.11\)/,
  ],
  [
    "api-cidrs-bounded",
    "the internet in two halves",
    (p) => {
      setProp(p, "kc-lb-api-from-admins", "cidrIpv4", "0.0.0.0/1");
      addResource(p, {
        type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        name: "kc-lb-api-from-other-half",
        inputs: { securityGroupId: "sg-api-lb", ipProtocol: "tcp", fromPort: 6443, toPort: 6443, cidrIpv4: "128.0.0.0/1" },
      });
    },
    /covers 100% of the IPv4 address space, more than maxAllowedShare 0\.00390625 allows: 10\.0\.0\.0\/16 \(kc-cp-api-from-vpc\), 0\.0\.0\.0\/1 \(kc-lb-api-from-admins\), 128\.0\.0\.0\/1 \(kc-lb-api-from-other-half\)/,
    WIDE_INGRESS_CONFIG,
  ],
];
