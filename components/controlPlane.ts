import * as autoscaling from "@pulumi/aws/autoscaling";
import * as iam from "@pulumi/aws/iam";
import * as ssm from "@pulumi/aws/ssm";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { BOOT_SCRIPT_PATH } from "../bootstrap/bootScript";
import { encodeUserData, renderCloudConfig } from "../bootstrap/cloudInit";
import { controlPlaneFiles, defaultKeyParameters } from "../bootstrap/controlPlane/files";
import {
  ADDON_SECRET_DIR,
  APPLIER_ENV_PATH,
  APPLIER_UNIT,
  applierStoredFiles,
  renderApplierBootStep,
  renderApplierEnv,
  renderApplierUnits,
} from "../bootstrap/addons/applier";
import { bootstrapTokenSecret } from "../bootstrap/addons/nodeBootstrap";
import { renderControlPlaneKubeletCredentialStep } from "../bootstrap/controlPlane/kubeletCredential";
import { KUBECONFIG as CP_KUBECONFIG } from "../bootstrap/controlPlane/paths";
import { renderKubeconfig } from "../bootstrap/kubeconfig";
import { bootstrapKubeconfigParameter } from "../bootstrap/node/files";
import { kubernetesNodeBoot } from "../bootstrap/node/boot";
import { renderBootstrapKubeconfig } from "../bootstrap/node/kubelet";
import { hostAddress, mustParseCidr } from "../lib/cidr";
import { ClusterConfig } from "../lib/config/types";
import { addonStorePolicy, controlPlanePolicy } from "../lib/iam";
import { asgTags, roleTags } from "../lib/tags";
import { stringify } from "yaml";
import { renderStoredFilesStep } from "../bootstrap/storedFiles";
import { ADDON_PREFIX, NODE_FILE_PREFIX } from "./addonStore";
import { nodeIdentity, nodeLaunchTemplate, secureParameter } from "./nodeCommon";
import { CertificateAuthority, IssuedCertificate, issueCertificate } from "./pki";

export interface ControlPlaneArgs {
  config: ClusterConfig;
  privateSubnetIds: pulumi.Input<string>[];
  securityGroupId: pulumi.Input<string>;
  /** The API's stable name (api.<cluster>.kubestead.internal): in the apiserver certificate and kubeconfigs. */
  apiHost: string;
  /** The load balancer's own DNS name: the exported admin kubeconfig dials it (verifying apiHost). */
  apiDnsName: pulumi.Output<string>;
  apiTargetGroupArn: pulumi.Input<string>;
  kubernetesCa: CertificateAuthority;
  etcdCa: CertificateAuthority;
  frontProxyCa: CertificateAuthority;
  serviceAccountKeyPem: pulumi.Output<string>;
  serviceAccountPublicKeyPem: pulumi.Output<string>;
  etcdEndpoints: pulumi.Output<string[]>;
  /** Bootstrap token <id>.<secret> the kubelets join with (secret). */
  bootstrapToken: pulumi.Output<string>;
  bootstrapTokenId: pulumi.Output<string>;
  bootstrapTokenSecret: pulumi.Output<string>;
  /** The add-on store the nodes apply from: its s3:// URI, its node-file URI and bucket ARN. */
  addonStoreUri: pulumi.Output<string>;
  addonStoreNodeUri: pulumi.Output<string>;
  addonStoreBucketArn: pulumi.Output<string>;
  /** IAM policy documents of add-ons that run on these nodes with the node role, by add-on name. */
  addonPolicies?: Record<string, object>;
  kmsKeyArn: pulumi.Input<string>;
  /** Service-linked role the auto scaling group launches with (ClusterKey.autoscalingRoleArn): the one the key policy admits. */
  autoscalingRoleArn: pulumi.Input<string>;
  amiId: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
}

/**
 * The control plane: identical nodes in an auto scaling group across the zones, registered with
 * the API load balancer's target group. Each runs containerd, the kubelet, and kube-apiserver,
 * kube-controller-manager and kube-scheduler as static pods rendered here, so every flag shows
 * up in a PR. Nodes hold no per-instance state: a replaced node boots the same files.
 */
export class ControlPlane extends pulumi.ComponentResource {
  public readonly asgName: pulumi.Output<string>;
  /** kubeconfig with an embedded cluster-admin client certificate (secret). */
  public readonly adminKubeconfig: pulumi.Output<string>;
  public readonly certificateExpiries: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:ControlPlane", name, {}, opts);
    const c = args.config;
    const k = c.kubernetes;
    const tags = roleTags(c, "controlplane", `${c.name}-controlplane`);
    const serviceIp = hostAddress(mustParseCidr(k.serviceCidr), 1);
    const issue = (id: string, ca: CertificateAuthority, spec: Parameters<typeof issueCertificate>[2]) =>
      issueCertificate(`${name}-${id}`, ca, spec, c.pki, this);

    const certs: Record<string, IssuedCertificate> = {
      apiServer: issue("apiserver", args.kubernetesCa, {
        commonName: "kube-apiserver",
        dnsNames: [
          args.apiHost,
          "kubernetes",
          "kubernetes.default",
          "kubernetes.default.svc",
          `kubernetes.default.svc.${k.clusterDomain}`,
          "localhost",
        ],
        ipAddresses: [serviceIp, "127.0.0.1"],
        usages: ["server_auth"],
      }),
      apiServerKubeletClient: issue("apiserver-kubelet-client", args.kubernetesCa, {
        commonName: "kube-apiserver-kubelet-client",
        organization: "system:masters",
        usages: ["client_auth"],
      }),
      apiServerEtcdClient: issue("apiserver-etcd-client", args.etcdCa, {
        commonName: "kube-apiserver-etcd-client",
        usages: ["client_auth"],
      }),
      frontProxyClient: issue("front-proxy-client", args.frontProxyCa, { commonName: "front-proxy-client", usages: ["client_auth"] }),
      controllerManager: issue("controller-manager", args.kubernetesCa, {
        commonName: "system:kube-controller-manager",
        usages: ["client_auth"],
      }),
      scheduler: issue("scheduler", args.kubernetesCa, { commonName: "system:kube-scheduler", usages: ["client_auth"] }),
      admin: issue("admin", args.kubernetesCa, { commonName: "kubernetes-admin", organization: "system:masters", usages: ["client_auth"] }),
    };

    // Secrets encryption at rest: a 32-byte key generated here, kept only in state and SSM.
    const encryptionKey = new random.RandomBytes(`${name}-encryption-key`, { length: 32 }, { parent: this });

    const secretTags = roleTags(c, "controlplane");
    const params = defaultKeyParameters(c.name);
    const keyValues: Record<keyof typeof params, pulumi.Output<string>> = {
      ca: args.kubernetesCa.keyPem,
      apiServer: certs.apiServer.keyPem,
      apiServerKubeletClient: certs.apiServerKubeletClient.keyPem,
      apiServerEtcdClient: certs.apiServerEtcdClient.keyPem,
      frontProxyClient: certs.frontProxyClient.keyPem,
      controllerManager: certs.controllerManager.keyPem,
      scheduler: certs.scheduler.keyPem,
      admin: certs.admin.keyPem,
      serviceAccount: args.serviceAccountKeyPem,
    };
    const keyParameters = Object.entries(keyValues).map(([key, value]) =>
      secureParameter(`${name}-${key}`, params[key as keyof typeof params], value, args.kmsKeyArn, secretTags, this),
    );
    const bootstrapKubeconfig = secureParameter(
      `${name}-bootstrap-kubeconfig`,
      bootstrapKubeconfigParameter(c.name, "controlplane"),
      args.bootstrapToken.apply((token) =>
        renderBootstrapKubeconfig({ server: "https://127.0.0.1:6443", caPath: "/etc/kubernetes/pki/ca.crt", token }),
      ),
      args.kmsKeyArn,
      secretTags,
      this,
    );

    // The bootstrap token Secret the applier applies beside the stored (public) add-on manifests.
    const tokenSecretParameter = `/kubestead/${c.name}/controlplane/bootstrap-token-secret.yaml`;
    const tokenSecret = secureParameter(
      `${name}-bootstrap-token-secret`,
      tokenSecretParameter,
      pulumi
        .all([args.bootstrapTokenId, args.bootstrapTokenSecret])
        .apply(([tokenId, tokenSecret]) => stringify(bootstrapTokenSecret({ tokenId, tokenSecret }), { lineWidth: 0 })),
      args.kmsKeyArn,
      secretTags,
      this,
    );

    // Render once with every public input resolved; the encryption config comes back as a secret to store.
    const rendered = pulumi
      .all([
        args.etcdEndpoints,
        args.kubernetesCa.certPem,
        args.etcdCa.certPem,
        args.frontProxyCa.certPem,
        args.serviceAccountPublicKeyPem,
        pulumi.all(Object.fromEntries(Object.entries(certs).map(([key, v]) => [key, v.certPem]))),
        pulumi.secret(encryptionKey.base64),
        pulumi.all([args.addonStoreUri, args.addonStoreNodeUri]),
      ])
      .apply(([etcdServers, ca, etcdCa, frontProxyCa, saPub, pems, encKey, [storeUri, nodeUri]]) => {
        const cp = controlPlaneFiles({
          cluster: c.name,
          kubernetesVersion: k.version,
          etcdServers,
          serviceCidr: k.serviceCidr,
          podCidr: k.podCidr,
          nodeCidrMaskSize: k.nodeCidrMaskSize,
          serviceAccountIssuer: `https://kubernetes.default.svc.${k.clusterDomain}`,
          audit: {
            maxAgeDays: c.controlPlane.auditLogMaxAgeDays,
            maxBackups: c.controlPlane.auditLogMaxBackups,
            maxSizeMiB: c.controlPlane.auditLogMaxSizeMiB,
          },
          encryptionKeys: [{ name: "key-1", secret: encKey }],
          certs: {
            ca,
            apiServer: pems.apiServer,
            apiServerKubeletClient: pems.apiServerKubeletClient,
            apiServerEtcdClient: pems.apiServerEtcdClient,
            frontProxyCa,
            frontProxyClient: pems.frontProxyClient,
            etcdCa,
            controllerManager: pems.controllerManager,
            scheduler: pems.scheduler,
            admin: pems.admin,
            serviceAccountPublic: saPub,
          },
          keyParameters: params,
        });
        const boot = kubernetesNodeBoot({
          cluster: c.name,
          region: c.region,
          kubernetes: k,
          checksums: c.checksums,
          role: "controlplane",
          caCertPem: ca,
          labels: {},
          taints: [],
          roleFiles: [...cp.files, ...applierFiles(storeUri, c.region)],
          roleSecrets: [...cp.secrets, { path: `${ADDON_SECRET_DIR}/bootstrap-token.yaml`, parameter: tokenSecretParameter, mode: "0600" }],
          beforeStart: [
            renderStoredFilesStep(nodeUri, applierStoredFiles()),
            renderControlPlaneKubeletCredentialStep({ cluster: c.name, validityDays: Math.floor(c.pki.leafValidityHours / 24) }),
          ],
          afterStart: [renderApplierBootStep()],
        });
        return { files: boot.files, secrets: boot.secrets, secretContents: cp.secretContents };
      });

    // The encryption config holds the key: it goes to SSM, never into user data.
    const encryptionParam = rendered.apply((r) => Object.keys(r.secretContents)[0]);
    const encryptionConfig = new ssm.Parameter(
      `${name}-encryption-config`,
      {
        name: encryptionParam,
        type: "SecureString",
        value: pulumi.secret(rendered.apply((r) => Object.values(r.secretContents)[0])),
        keyId: args.kmsKeyArn,
        tier: "Standard",
        tags: secretTags,
      },
      { parent: this },
    );

    const userData = rendered.apply((r) =>
      encodeUserData(
        renderCloudConfig({
          files: r.files,
          secrets: r.secrets,
          bootScriptPath: BOOT_SCRIPT_PATH,
          packages: ["awscli", "ca-certificates", "curl", "jq", "openssl"],
        }),
      ),
    );

    const identity = nodeIdentity(
      `${name}-node`,
      pulumi
        .all([args.partition, args.accountId, args.kmsKeyArn])
        .apply(([partition, accountId, kmsKeyArn]) =>
          controlPlanePolicy({ partition, accountId, region: c.region, cluster: c.name, kmsKeyArn }),
        ),
      tags,
      args.partition,
      this,
    );
    const lt = nodeLaunchTemplate(
      `${name}-nodes`,
      {
        description: `kubestead ${c.name} control plane`,
        imageId: args.amiId,
        instanceType: c.controlPlane.instanceType,
        instanceProfileArn: identity.instanceProfile.arn,
        securityGroupId: args.securityGroupId,
        userData,
        rootVolumeGiB: c.controlPlane.rootVolumeGiB,
        kmsKeyArn: args.kmsKeyArn,
        // Hop limit 2: the cluster autoscaler and EBS CSI controller run in pods on these nodes and
        // use the node role; workers keep 1.
        hopLimit: 2,
        tags,
      },
      this,
    );
    // Before the group: the nodes use these from their first boot.
    const addonStoreAccess = new iam.RolePolicy(
      `${name}-addon-store`,
      {
        role: identity.role.name,
        policy: pulumi
          .all([args.addonStoreBucketArn, args.kmsKeyArn])
          .apply(([arn, kmsKeyArn]) =>
            JSON.stringify(addonStorePolicy({ region: c.region, kmsKeyArn }, arn, [ADDON_PREFIX, NODE_FILE_PREFIX])),
          ),
      },
      { parent: this },
    );
    const addonRolePolicies = Object.entries(args.addonPolicies ?? {}).map(
      ([addon, policy]) =>
        new iam.RolePolicy(`${name}-${addon}`, { role: identity.role.name, policy: JSON.stringify(policy) }, { parent: this }),
    );
    const asg = new autoscaling.Group(
      `${name}-nodes`,
      {
        name: `${c.name}-controlplane`,
        minSize: c.controlPlane.nodes,
        maxSize: c.controlPlane.nodes,
        desiredCapacity: c.controlPlane.nodes,
        vpcZoneIdentifiers: args.privateSubnetIds,
        launchTemplate: { id: lt.id, version: lt.latestVersion.apply(String) },
        targetGroupArns: [args.apiTargetGroupArn],
        serviceLinkedRoleArn: args.autoscalingRoleArn,
        // ELB health: a node whose apiserver stops answering /readyz is replaced.
        healthCheckType: "ELB",
        healthCheckGracePeriod: 600,
        // One node at a time, so quorum of apiservers and leader election are never disturbed twice.
        instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 66, instanceWarmup: "300" } },
        tags: asgTags({ ...c.tags, ...tags, [`kubernetes.io/cluster/${c.name}`]: "owned" }),
      },
      {
        parent: this,
        // Nothing the boot reads may be missing when an instance starts (policy boot-prerequisites).
        dependsOn: [
          ...keyParameters,
          bootstrapKubeconfig,
          tokenSecret,
          encryptionConfig,
          addonStoreAccess,
          ...addonRolePolicies,
          ...identity.bootPrerequisites,
        ],
      },
    );

    this.asgName = asg.name;
    this.adminKubeconfig = pulumi.secret(
      pulumi.all([args.apiDnsName, args.kubernetesCa.certPem, certs.admin.certPem, certs.admin.keyPem]).apply(([dns, ca, cert, key]) =>
        renderKubeconfig({
          cluster: c.name,
          // Dials the load balancer by its own name (reachable wherever the NLB is, e.g. outside the
          // VPC when internet-facing) and verifies the certificate's stable name.
          server: `https://${dns}:6443`,
          tlsServerName: args.apiHost,
          caCertPem: ca,
          user: "kubernetes-admin",
          clientCertPem: cert,
          clientKeyPem: key,
        }),
      ),
    );
    this.certificateExpiries = Object.fromEntries(
      Object.entries(certs).map(([key, v]) => [key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`), v.notAfter]),
    );
    this.registerOutputs({ asgName: this.asgName });
  }
}

/** The applier's environment and systemd units on a control-plane node (the script comes from the store). */
function applierFiles(storeUri: string, region: string): { path: string; content: string; mode: string }[] {
  const units = renderApplierUnits({});
  return [
    { path: APPLIER_ENV_PATH, content: renderApplierEnv({ storeUri, region, kubeconfig: CP_KUBECONFIG.admin }), mode: "0644" },
    { path: `/etc/systemd/system/${APPLIER_UNIT}.service`, content: units.service, mode: "0644" },
    { path: `/etc/systemd/system/${APPLIER_UNIT}.timer`, content: units.timer, mode: "0644" },
  ];
}
