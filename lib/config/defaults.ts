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
  /** aws-node-termination-handler (public.ecr.aws/aws-ec2/aws-node-termination-handler), v1.25.3 of 2025-11. */
  nodeTerminationHandlerVersion: "1.25.3",
  /**
   * Encryption at rest (lib/config/encryption.ts): the stage of the move from secretbox to KMS v2,
   * and the AWS encryption provider (kubernetes-sigs/aws-encryption-provider) that runs beside every
   * apiserver as a static pod. Upstream documents no production image (issue #147 there is open);
   * its promoter manifest in kubernetes/k8s.io (registry.k8s.io/images/k8s-staging-aws-encryption-provider)
   * targets registry.k8s.io/aws-encryption-provider/, with no tag listed for promotion in the copy
   * consulted (2026-12). Check the tag resolves (`crane digest <image>:<tag>`) or mirror the image to
   * a registry of your own and set controlPlane.encryption.kmsPluginImage before deploying.
   */
  encryptionStage: "migrating",
  kmsPluginImage: "registry.k8s.io/aws-encryption-provider/aws-encryption-provider",
  kmsPluginVersion: "v0.5.0",
} as const;
