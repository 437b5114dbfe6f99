/**
 * Defaults for values a stack file may leave out. Versions are pinned and move together: the
 * Kubernetes 1.35 line with the etcd, pause and CoreDNS releases it is tested with upstream, and
 * the newest AWS cloud-controller-manager image published for 1.35. See lib/releases.ts.
 */
export const DEFAULTS = {
  vpcCidr: "10.0.0.0/16",
  podCidr: "10.128.0.0/11",
  serviceCidr: "10.96.0.0/12",
  maxNodes: 100,
  kubernetesVersion: "1.35.8",
  etcdVersion: "3.6.14",
  containerdVersion: "2.4.1",
  runcVersion: "1.5.1",
  cniPluginsVersion: "1.9.1",
  pauseVersion: "3.10.1",
  ciliumVersion: "1.20.2",
  corednsVersion: "1.12.4",
  /** Add-on releases (image tags without the v), rendered as manifests in bootstrap/addons/. */
  csrApproverVersion: "1.2.6",
  metricsServerVersion: "0.7.2",
  ebsCsiDriverVersion: "1.36.0",
} as const;
