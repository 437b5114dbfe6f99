/**
 * Approver for kubelet serving certificates. With serverTLSBootstrap the kubelet requests its
 * serving certificate through a CSR (signer kubernetes.io/kubelet-serving) that nothing in
 * Kubernetes approves on its own: until one is approved, `kubectl logs/exec` and metrics-server
 * cannot talk to that kubelet.
 *
 * Choice: postfinance/kubelet-csr-approver (Helm chart, pinned by version). It is small, actively
 * maintained, and approves only CSRs whose names match a regex and whose IPs fall in given
 * prefixes (and whose DNS names resolve to those IPs) — i.e. only what an EC2 node in our VPC
 * could legitimately claim. Writing our own approver would be more code to keep secure; approving
 * by hand does not survive an autoscaling group. Its image lives on ghcr.io, not registry.k8s.io.
 * https://github.com/postfinance/kubelet-csr-approver
 */
import { CONTROL_PLANE_TOLERATION, HelmChartRef, KUBE_SYSTEM, requireCidr } from "./objects";

export interface CsrApproverArgs {
  /** Chart version, pinned in config (e.g. "1.2.10"). */
  chartVersion: string;
  region: string;
  /** VPC CIDR: the only addresses a kubelet-serving certificate may name. */
  vpcCidr: string;
}

export function csrApproverChart(a: Pick<CsrApproverArgs, "chartVersion">): HelmChartRef {
  return {
    chart: "kubelet-csr-approver",
    repo: "https://postfinance.github.io/kubelet-csr-approver",
    version: a.chartVersion,
    namespace: KUBE_SYSTEM,
  };
}

/** EC2 private DNS names: ip-10-0-1-2.<region>.compute.internal (ec2.internal in us-east-1). */
export function ec2PrivateDnsRegex(region: string): string {
  const domain = region === "us-east-1" ? "ec2\\.internal" : `${region}\\.compute\\.internal`;
  return `^ip-(\\d{1,3}-){3}\\d{1,3}\\.${domain}$`;
}

export function csrApproverValues(a: CsrApproverArgs): Record<string, unknown> {
  if (!/^\d+\.\d+\.\d+$/.test(a.chartVersion)) {
    throw new Error(
      `kubelet-csr-approver chartVersion must be MAJOR.MINOR.PATCH (got ${JSON.stringify(a.chartVersion)}): pin a chart release`,
    );
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(a.region)) {
    throw new Error(`kubelet-csr-approver region must be an AWS region like eu-west-1 (got ${JSON.stringify(a.region)}): pass aws:region`);
  }
  requireCidr("kubelet-csr-approver providerIpPrefixes (network.vpcCidr)", a.vpcCidr);
  return {
    providerRegex: ec2PrivateDnsRegex(a.region),
    providerIpPrefixes: [a.vpcCidr],
    // Serving certificates live at most a year, like our other leaves; kubelets rotate before.
    maxExpirationSeconds: "31622400",
    // DNS checks stay on: the approver resolves each name and compares it with the CSR's IPs.
    bypassDnsResolution: false,
    // The chart's Deployment reads .Values.replicaCount.
    replicaCount: 2,
    nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
    tolerations: [CONTROL_PLANE_TOLERATION],
  };
}
