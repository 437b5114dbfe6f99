import { createHash } from "node:crypto";
import * as autoscaling from "@pulumi/aws/autoscaling";
import type * as ec2 from "@pulumi/aws/ec2";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as s3 from "@pulumi/aws/s3";
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
import { APISERVER_KUBELET_CLIENT_USER, CLUSTER_ADMINS_GROUP, SYSTEM_MASTERS } from "../bootstrap/addons/clusterAdmins";
import { bootstrapTokenSecret } from "../bootstrap/addons/nodeBootstrap";
import { renderControlPlaneKubeletCredentialStep } from "../bootstrap/controlPlane/kubeletCredential";
import { renderKmsPluginWaitStep } from "../bootstrap/controlPlane/kmsPlugin";
import { KUBECONFIG as CP_KUBECONFIG, MANIFEST } from "../bootstrap/controlPlane/paths";
import { renderKubeconfig } from "../bootstrap/kubeconfig";
import { kubernetesNodeBoot } from "../bootstrap/node/boot";
import { sessionManagerAgent } from "../lib/config/sessionManager";
import { hostAddress, mustParseCidr } from "../lib/cidr";
import { ClusterConfig } from "../lib/config/types";
import { addonStorePolicy, controlPlanePolicy, encryptionAtRestKeyPolicy, encryptionAtRestPolicy } from "../lib/iam";
import { jwksUri } from "../lib/oidc";
import { asgTags, ENCRYPTION_AT_REST_TAG, roleTags } from "../lib/tags";
import { stringify } from "yaml";
import type { NodeFile, SecretFile } from "../bootstrap/types";
import { renderStoredFilesStep, storedNodeFileName } from "../bootstrap/storedFiles";
import { ADDON_PREFIX, NODE_FILE_PREFIX } from "./addonStore";
import { NodeIdentity, nodeIdentity, nodeLaunchTemplate, secureParameter, terminatingHook } from "./nodeCommon";
import { CertificateAuthority, IssuedCertificate, certificateParameter, issueCertificate } from "./pki";
import { CERT_REFRESH_TAG, certRefreshDelayHours, certRefreshNodeFiles, renderCertRefreshBootStep } from "../bootstrap/certRefresh";
import {
  CONTROL_PLANE_LEAVES,
  controlPlaneCertParameters,
  controlPlaneCertRefreshEntries,
  controlPlaneCertRefreshStoredFiles,
} from "../bootstrap/controlPlane/certRefresh";
import { nodeCsrVerifierFiles, nodeCsrVerifierStoredFiles, renderNodeCsrVerifierBootStep } from "../bootstrap/addons/nodeCsrVerifier";

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
  /**
   * The public service-account issuer (ServiceAccountIssuer.issuerUrl): new tokens carry it, and
   * the in-cluster issuer (https://kubernetes.default.svc.<domain>) stays accepted.
   */
  serviceAccountIssuerUrl: pulumi.Input<string>;
  etcdEndpoints: pulumi.Output<string[]>;
  /**
   * The bootstrap token's halves (secret) and its RFC 3339 expiry, for the token Secret the
   * applier applies. Control-plane kubelets never join with it (their credential is signed locally).
   */
  bootstrapTokenId: pulumi.Output<string>;
  bootstrapTokenSecret: pulumi.Output<string>;
  bootstrapTokenExpiration: pulumi.Output<string>;
  /** The add-on store the nodes apply from: its s3:// URI, its node-file URI and bucket ARN. */
  addonStoreUri: pulumi.Output<string>;
  addonStoreNodeUri: pulumi.Output<string>;
  addonStoreBucketArn: pulumi.Output<string>;
  /** The store's bucket name: the control plane writes its large node files there (storedFiles.ts). */
  addonStoreBucket: pulumi.Output<string>;
  /** The store's objects the nodes read at boot (the applier): the group depends on them. */
  addonStoreObjects: pulumi.Resource[];
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
    const { certs, exportedAdmin } = issueControlPlaneCertificates(name, args, this);
    const encryptionKey = secretsEncryptionKey(name, c, this);
    const secrets = storeControlPlaneSecrets(name, args, certs, this);
    const identity = controlPlaneIdentity(name, args, this);
    // Encryption at rest through KMS v2 (every stage but secretbox): a key of its own that only
    // this role may encrypt and decrypt with, through the KMS plugin beside every apiserver.
    const atRest = c.controlPlane.encryption.stage === "secretbox" ? undefined : encryptionAtRestKey(name, c, identity.role, args, this);
    const storedPaths = storedInStore(atRest !== undefined);
    const rendered = renderControlPlaneNode(args, {
      certs,
      encryptionKey,
      atRest,
      storedPaths,
      tokenSecretParameter: secrets.tokenSecretParameter,
    });
    const storedObjects = uploadStoredNodeFiles(name, args, rendered, storedPaths, this);
    const encryptionConfig = encryptionConfigParameter(name, args, rendered, this);
    const lt = controlPlaneLaunchTemplate(name, args, identity, controlPlaneUserData(rendered), this);
    const storeAccess = addonStoreAccess(name, args, identity.role, this);
    const asg = controlPlaneGroup(
      name,
      args,
      lt,
      { secrets, encryptionConfig, addonStoreAccess: storeAccess, identity, atRest, storedObjects },
      this,
    );
    if (c.addons.nodeTerminationHandler) terminatingHook(`${name}-drain`, asg.name, this);

    this.asgName = asg.name;
    this.adminKubeconfig = exportedAdminKubeconfig(args, exportedAdmin);
    this.certificateExpiries = certificateExpiries({ ...certs, adminKubeconfig: exportedAdmin });
    this.registerOutputs({ asgName: this.asgName });
  }
}

/** The leaves every control-plane node holds, and the exported admin kubeconfig's own certificate. */
function issueControlPlaneCertificates(
  name: string,
  args: ControlPlaneArgs,
  parent: pulumi.Resource,
): { certs: Record<string, IssuedCertificate>; exportedAdmin: IssuedCertificate } {
  const c = args.config;
  const k = c.kubernetes;
  const serviceIp = hostAddress(mustParseCidr(k.serviceCidr), 1);
  const issue = (id: string, ca: CertificateAuthority, spec: Parameters<typeof issueCertificate>[2]) =>
    issueCertificate(`${name}-${id}`, ca, spec, c.pki, parent);

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
    // No group: the cluster-admins add-on binds this user to system:kubelet-api-admin.
    apiServerKubeletClient: issue("apiserver-kubelet-client", args.kubernetesCa, {
      commonName: APISERVER_KUBELET_CLIENT_USER,
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
    // admin.conf on each node: revocable (a group bound by the cluster-admins add-on).
    admin: issue("admin", args.kubernetesCa, {
      commonName: "kubernetes-admin",
      organization: CLUSTER_ADMINS_GROUP,
      usages: ["client_auth"],
    }),
    // super-admin.conf, the break-glass: system:masters works before any binding exists (the
    // add-on applier needs that at bring-up) and can't be revoked, so its key lives only in SSM
    // under the control-plane path and on control-plane disks, and it is never exported.
    superAdmin: issue("super-admin", args.kubernetesCa, {
      commonName: "kubernetes-super-admin",
      organization: SYSTEM_MASTERS,
      usages: ["client_auth"],
    }),
  };
  // The exported adminKubeconfig's own certificate, short-lived and on no node: re-issuing it
  // (once half its validity has passed, on the next `pulumi up`) changes no user data.
  const exportedAdmin = issue("admin-kubeconfig", args.kubernetesCa, {
    commonName: "kubestead-admin",
    organization: CLUSTER_ADMINS_GROUP,
    usages: ["client_auth"],
    validityHours: c.pki.adminValidityHours,
    earlyRenewalHours: Math.min(c.pki.earlyRenewalHours, Math.floor(c.pki.adminValidityHours / 2)),
  });
  return { certs, exportedAdmin };
}

/**
 * Secrets encryption at rest: a 32-byte key generated here, kept only in state and SSM.
 * Protected in production: a new key makes every Secret written under the old one unreadable
 * once the old key leaves the encryption config.
 */
function secretsEncryptionKey(name: string, c: ClusterConfig, parent: pulumi.Resource): random.RandomBytes {
  return new random.RandomBytes(`${name}-encryption-key`, { length: 32 }, { parent, protect: c.protect });
}

/** What the control-plane nodes' boot fetches from SSM: the keys, the leaves and the bootstrap token Secret. */
interface ControlPlaneSecrets {
  keyParameters: ssm.Parameter[];
  certParameters: ssm.Parameter[];
  tokenSecret: ssm.Parameter;
  /** The token Secret's parameter name, for the applier's environment. */
  tokenSecretParameter: string;
}

/** Stores the keys (secure), the leaves (public) and the bootstrap token Secret (secure) in SSM. */
function storeControlPlaneSecrets(
  name: string,
  args: ControlPlaneArgs,
  certs: Record<string, IssuedCertificate>,
  parent: pulumi.Resource,
): ControlPlaneSecrets {
  const c = args.config;
  const secretTags = controlPlaneSecretTags(c);
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
    superAdmin: certs.superAdmin.keyPem,
    serviceAccount: args.serviceAccountKeyPem,
  };
  const keyParameters = Object.entries(keyValues).map(([key, value]) =>
    secureParameter(`${name}-${key}`, params[key as keyof typeof params], value, args.kmsKeyArn, secretTags, parent),
  );
  // The leaves, public, beside their keys: the nodes' refresh timer re-reads them, so a leaf
  // `pulumi up` renewed reaches running nodes (bootstrap/controlPlane/certRefresh.ts).
  const certParams = controlPlaneCertParameters(c.name);
  const certParameters = CONTROL_PLANE_LEAVES.map((key) =>
    certificateParameter(`${name}-${key}-cert`, certParams[key], certs[key].certPem, secretTags, parent),
  );
  // The bootstrap token Secret the applier applies beside the stored (public) add-on manifests; it
  // re-reads the parameter on every run, so a token rotated by pulumi up reaches the cluster.
  const tokenSecretParameter = `/kubestead/${c.name}/controlplane/bootstrap-token-secret.yaml`;
  const tokenSecret = secureParameter(
    `${name}-bootstrap-token-secret`,
    tokenSecretParameter,
    pulumi
      .all([args.bootstrapTokenId, args.bootstrapTokenSecret, args.bootstrapTokenExpiration])
      .apply(([tokenId, tokenSecret, expiration]) =>
        stringify(bootstrapTokenSecret({ tokenId, tokenSecret, expiration }), { lineWidth: 0 }),
      ),
    args.kmsKeyArn,
    secretTags,
    parent,
  );
  return { keyParameters, certParameters, tokenSecret, tokenSecretParameter };
}

/** The nodes' role (the control-plane policy), instance profile and baseline policies. */
function controlPlaneIdentity(name: string, args: ControlPlaneArgs, parent: pulumi.Resource): NodeIdentity {
  const c = args.config;
  return nodeIdentity(
    `${name}-node`,
    pulumi
      .all([args.partition, args.accountId, args.kmsKeyArn])
      .apply(([partition, accountId, kmsKeyArn]) =>
        controlPlanePolicy({ partition, accountId, region: c.region, cluster: c.name, kmsKeyArn }),
      ),
    controlPlaneTags(c),
    args.partition,
    parent,
    { sessionManager: c.sessionManager !== undefined },
  );
}

/** The nodes' own tags (Name `<cluster>-controlplane`): role, instance profile, launch template, group. */
function controlPlaneTags(c: ClusterConfig): Record<string, string> {
  return roleTags(c, "controlplane", `${c.name}-controlplane`);
}

/** The tags of what the control plane stores (SSM parameters, node files in the store). */
function controlPlaneSecretTags(c: ClusterConfig): Record<string, string> {
  return roleTags(c, "controlplane");
}
/** A control-plane node as rendered: user-data files and secrets, the encryption config to store, the stored node files. */
interface RenderedNode {
  files: NodeFile[];
  secrets: SecretFile[];
  /** The encryption config, keyed by its SSM parameter: it holds the key. */
  secretContents: Record<string, string>;
  /** The files delivered through the store (storedInStore). */
  stored: NodeFile[];
}

/** What the node render takes besides the args: the leaves, the keys and where the node finds things. */
interface RenderInputs {
  certs: Record<string, IssuedCertificate>;
  encryptionKey: random.RandomBytes;
  atRest: EncryptionAtRest | undefined;
  storedPaths: string[];
  tokenSecretParameter: string;
}

/**
 * Renders the node (files, secrets, stored files) once with every public input resolved; the
 * encryption config comes back as a secret to store.
 */
function renderControlPlaneNode(args: ControlPlaneArgs, inputs: RenderInputs): pulumi.Output<RenderedNode> {
  const c = args.config;
  const k = c.kubernetes;
  const encryption = c.controlPlane.encryption;
  const params = defaultKeyParameters(c.name);
  const { certs, encryptionKey, atRest, storedPaths, tokenSecretParameter } = inputs;
  const atRestKeyArn: pulumi.Output<string | undefined> = atRest ? atRest.key.arn : pulumi.output(undefined);
  return pulumi
    .all([
      args.etcdEndpoints,
      args.kubernetesCa.certPem,
      args.etcdCa.certPem,
      args.frontProxyCa.certPem,
      args.serviceAccountPublicKeyPem,
      pulumi.all(Object.fromEntries(Object.entries(certs).map(([key, v]) => [key, v.certPem]))),
      pulumi.secret(encryptionKey.base64),
      pulumi.all([args.addonStoreUri, args.addonStoreNodeUri, args.serviceAccountIssuerUrl, atRestKeyArn]),
    ])
    .apply(([etcdServers, ca, etcdCa, frontProxyCa, saPub, pems, encKey, [storeUri, nodeUri, publicIssuer, keyArn]]) => {
      const inClusterIssuer = `https://kubernetes.default.svc.${k.clusterDomain}`;
      const cp = controlPlaneFiles({
        cluster: c.name,
        kubernetesVersion: k.version,
        etcdServers,
        serviceCidr: k.serviceCidr,
        podCidr: k.podCidr,
        nodeCidrMaskSize: k.nodeCidrMaskSize,
        // Public first (pods' AWS roles trust it), in-cluster still accepted: tokens projected
        // before the change stay valid until the kubelet renews them. API tokens keep the
        // in-cluster audience.
        serviceAccountIssuer: publicIssuer,
        acceptedServiceAccountIssuers: [inClusterIssuer],
        serviceAccountJwksUri: jwksUri(publicIssuer),
        apiAudiences: [inClusterIssuer],
        audit: {
          maxAgeDays: c.controlPlane.auditLogMaxAgeDays,
          maxBackups: c.controlPlane.auditLogMaxBackups,
          maxSizeMiB: c.controlPlane.auditLogMaxSizeMiB,
        },
        encryptionKeys: [{ name: "key-1", secret: encKey }],
        encryption: {
          stage: encryption.stage,
          resources: encryption.resources,
          kmsPlugin: keyArn
            ? { image: encryption.kmsPluginImage, version: encryption.kmsPluginVersion, keyArn, region: c.region }
            : undefined,
        },
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
          superAdmin: pems.superAdmin,
          serviceAccountPublic: saPub,
        },
        keyParameters: params,
        podSecurity: c.controlPlane.podSecurity,
        alwaysPullImages: c.controlPlane.alwaysPullImages,
        oidc: c.controlPlane.oidc,
      });
      // The static pods reach the node through the store, pinned by sha256 in user data, which
      // would otherwise outgrow EC2's 16 KiB: a changed manifest still changes the user data.
      const stored = cp.files.filter((f) => storedPaths.includes(f.path));
      const boot = kubernetesNodeBoot({
        cluster: c.name,
        region: c.region,
        kubernetes: k,
        arch: c.controlPlane.arch,
        checksums: c.checksums[c.controlPlane.arch] ?? {},
        sessionManager: sessionManagerAgent(c.sessionManager, c.controlPlane.arch),
        role: "controlplane",
        caCertPem: ca,
        labels: {},
        taints: [],
        roleFiles: [
          ...cp.files.filter((f) => !storedPaths.includes(f.path)),
          ...applierFiles(storeUri, c.region, { [TOKEN_SECRET_FILE]: tokenSecretParameter }),
          ...nodeCsrVerifierFiles({ cluster: c.name, region: c.region, kubeconfig: CP_KUBECONFIG.superAdmin }),
          ...certRefreshNodeFiles(controlPlaneCertRefreshEntries(c.name)),
        ],
        roleSecrets: [...cp.secrets, { path: `${ADDON_SECRET_DIR}/${TOKEN_SECRET_FILE}`, parameter: tokenSecretParameter, mode: "0600" }],
        beforeStart: [
          renderStoredFilesStep(nodeUri, [
            ...applierStoredFiles(),
            ...nodeCsrVerifierStoredFiles(),
            ...controlPlaneCertRefreshStoredFiles(c.region),
            ...stored,
          ]),
          renderControlPlaneKubeletCredentialStep({ cluster: c.name, validityDays: Math.floor(c.pki.leafValidityHours / 24) }),
        ],
        // The plugin answers before the add-ons are applied (Secrets among them).
        afterStart: [
          ...(keyArn ? [renderKmsPluginWaitStep(keyArn)] : []),
          renderApplierBootStep(),
          renderNodeCsrVerifierBootStep(),
          renderCertRefreshBootStep(),
        ],
      });
      return { files: boot.files, secrets: boot.secrets, secretContents: cp.secretContents, stored };
    });
}

/** Uploads the stored node files: public (no key material), so not secret though rendered beside the key. */
function uploadStoredNodeFiles(
  name: string,
  args: ControlPlaneArgs,
  rendered: pulumi.Output<RenderedNode>,
  storedPaths: string[],
  parent: pulumi.Resource,
): s3.BucketObjectv2[] {
  const secretTags = controlPlaneSecretTags(args.config);
  return storedPaths.map((path) => {
    const file = rendered.apply((r) => {
      const f = r.stored.find((x) => x.path === path);
      if (!f) throw new Error(`control-plane file ${path} was not rendered: keep storedInStore() in step with controlPlaneFiles()`);
      return f;
    });
    const fileName = storedNodeFileName({ path });
    return new s3.BucketObjectv2(
      `${name}-node-${fileName}`,
      {
        bucket: args.addonStoreBucket,
        key: `${NODE_FILE_PREFIX}${fileName}`,
        content: pulumi.unsecret(file.apply((f) => f.content)),
        contentType: "text/plain",
        serverSideEncryption: "aws:kms",
        kmsKeyId: args.kmsKeyArn,
        metadata: {
          path,
          mode: pulumi.unsecret(file.apply((f) => f.mode)),
          sha256: pulumi.unsecret(file.apply((f) => createHash("sha256").update(f.content, "utf8").digest("hex"))),
        },
        tags: secretTags,
      },
      { parent },
    );
  });
}

/** The encryption config holds the key: it goes to SSM, never into user data. */
function encryptionConfigParameter(
  name: string,
  args: ControlPlaneArgs,
  rendered: pulumi.Output<RenderedNode>,
  parent: pulumi.Resource,
): ssm.Parameter {
  const encryptionParam = rendered.apply((r) => Object.keys(r.secretContents)[0]);
  return new ssm.Parameter(
    `${name}-encryption-config`,
    {
      name: encryptionParam,
      type: "SecureString",
      value: pulumi.secret(rendered.apply((r) => Object.values(r.secretContents)[0])),
      keyId: args.kmsKeyArn,
      tier: "Standard",
      tags: controlPlaneSecretTags(args.config),
    },
    { parent },
  );
}

/**
 * The nodes' user data. Not a secret, though rendered beside the encryption key: that key goes only
 * to SSM (secretContents), and renderCloudConfig refuses any key material. A public user data shows
 * up in the plan JSON, so a PR's plan diff sees what control-plane nodes boot with.
 */
function controlPlaneUserData(rendered: pulumi.Output<RenderedNode>): pulumi.Output<string> {
  return pulumi.unsecret(
    rendered.apply((r) =>
      encodeUserData(
        renderCloudConfig({
          files: r.files,
          secrets: r.secrets,
          bootScriptPath: BOOT_SCRIPT_PATH,
          packages: ["awscli", "ca-certificates", "curl", "jq", "openssl"],
        }),
      ),
    ),
  );
}

/** The nodes' launch template: the image, the instance profile, the user data. */
function controlPlaneLaunchTemplate(
  name: string,
  args: ControlPlaneArgs,
  identity: NodeIdentity,
  userData: pulumi.Output<string>,
  parent: pulumi.Resource,
): ec2.LaunchTemplate {
  const c = args.config;
  return nodeLaunchTemplate(
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
      // Hop limit 1: no pod reaches IMDS, so none acts as this role; add-ons that call AWS assume
      // their own roles by web identity (ServiceAccountIssuer). The cloud-controller-manager keeps
      // this role's CCM statement: it must run before the pod network and before anything else,
      // so it is a host-network pod, and host-network pods reach IMDS at hop limit 1.
      hopLimit: 1,
      tags: controlPlaneTags(c),
      // How long a renewed certificate may wait for the refresh timer (policy cert-refresh-window).
      templateTags: { [CERT_REFRESH_TAG]: String(certRefreshDelayHours()) },
    },
    parent,
  );
}

/** The nodes' read access to the add-on store. Before the group: the nodes use these from their first boot. */
function addonStoreAccess(name: string, args: ControlPlaneArgs, role: iam.Role, parent: pulumi.Resource): iam.RolePolicy {
  const c = args.config;
  return new iam.RolePolicy(
    `${name}-addon-store`,
    {
      role: role.name,
      policy: pulumi
        .all([args.addonStoreBucketArn, args.kmsKeyArn])
        .apply(([arn, kmsKeyArn]) =>
          JSON.stringify(addonStorePolicy({ region: c.region, kmsKeyArn }, arn, [ADDON_PREFIX, NODE_FILE_PREFIX])),
        ),
    },
    { parent },
  );
}

/** Everything a control-plane instance reads at boot: its group depends on all of it. */
interface ControlPlaneBootPrerequisites {
  secrets: ControlPlaneSecrets;
  encryptionConfig: ssm.Parameter;
  addonStoreAccess: iam.RolePolicy;
  identity: NodeIdentity;
  atRest: EncryptionAtRest | undefined;
  storedObjects: s3.BucketObjectv2[];
}

/** The auto scaling group: every node from the launch template, registered with the API target group. */
function controlPlaneGroup(
  name: string,
  args: ControlPlaneArgs,
  lt: ec2.LaunchTemplate,
  boot: ControlPlaneBootPrerequisites,
  parent: pulumi.Resource,
): autoscaling.Group {
  const c = args.config;
  return new autoscaling.Group(
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
      // One node at a time, so quorum of apiservers and leader election are never disturbed twice:
      // 66 % of three keeps two in service. Health is the API target group's (/readyz through the
      // NLB): a new node counts only once its apiserver serves. A checkpoint after each node
      // pauses the refresh (controlPlaneRefreshPreferences) to watch it and cancel if needed.
      instanceRefresh: { strategy: "Rolling", preferences: controlPlaneRefreshPreferences(c.controlPlane.nodes) },
      tags: asgTags({ ...c.tags, ...controlPlaneTags(c), [`kubernetes.io/cluster/${c.name}`]: "owned" }),
    },
    {
      parent,
      // Nothing the boot reads may be missing when an instance starts (policy boot-prerequisites).
      dependsOn: [
        ...boot.secrets.keyParameters,
        ...boot.secrets.certParameters,
        boot.secrets.tokenSecret,
        boot.encryptionConfig,
        boot.addonStoreAccess,
        ...boot.identity.bootPrerequisites,
        // The plugin's first Encrypt needs the key and this role's grant on it.
        ...(boot.atRest ? [boot.atRest.key, boot.atRest.grant] : []),
        // Boot downloads these from the store and refuses to go on without them.
        ...boot.storedObjects,
        ...args.addonStoreObjects,
      ],
    },
  );
}

/** The exported admin kubeconfig (secret): the short-lived exported admin certificate, dialling the load balancer. */
function exportedAdminKubeconfig(args: ControlPlaneArgs, exportedAdmin: IssuedCertificate): pulumi.Output<string> {
  const c = args.config;
  return pulumi.secret(
    pulumi.all([args.apiDnsName, args.kubernetesCa.certPem, exportedAdmin.certPem, exportedAdmin.keyPem]).apply(([dns, ca, cert, key]) =>
      renderKubeconfig({
        cluster: c.name,
        // Dials the load balancer by its own name (reachable wherever the NLB is, e.g. outside the
        // VPC when internet-facing) and verifies the certificate's stable name.
        server: `https://${dns}:6443`,
        tlsServerName: args.apiHost,
        caCertPem: ca,
        user: "kubestead-admin",
        clientCertPem: cert,
        clientKeyPem: key,
      }),
    ),
  );
}

/** Every certificate's notAfter, keyed by kebab-case name (`api-server`, `admin-kubeconfig`). */
function certificateExpiries(certs: Record<string, IssuedCertificate>): Record<string, pulumi.Output<string>> {
  return Object.fromEntries(Object.entries(certs).map(([key, v]) => [key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`), v.notAfter]));
}

/**
 * The control plane's refresh: at least 66 % in service (one node of three at a time), terminate
 * before launch (the group is at its maximum), a checkpoint after each node with five minutes to
 * look before the next. No automatic rollback: the provider starts refreshes without a desired
 * configuration, and AWS rolls back only those that have one.
 */
export function controlPlaneRefreshPreferences(nodes: number) {
  // AWS reaches a checkpoint once at least that share of instances is new: one node of three is
  // 33.3 %, so the checkpoints round down (33, 66, 100), or the first would only be reached by the
  // second node. The last is always 100.
  const checkpoints = Array.from({ length: nodes }, (_, i) => (i + 1 === nodes ? 100 : Math.floor((100 * (i + 1)) / nodes)));
  return {
    minHealthyPercentage: 66,
    maxHealthyPercentage: 100,
    instanceWarmup: "300",
    skipMatching: true,
    checkpointPercentages: [...new Set(checkpoints)],
    checkpointDelay: "300",
  };
}

/** The token Secret's file in ADDON_SECRET_DIR. */
const TOKEN_SECRET_FILE = "bootstrap-token.yaml";

/** The applier's environment and systemd units on a control-plane node (the script comes from the store). */
function applierFiles(
  storeUri: string,
  region: string,
  secretParameters: Record<string, string>,
): { path: string; content: string; mode: string }[] {
  const units = renderApplierUnits({});
  return [
    {
      path: APPLIER_ENV_PATH,
      // super-admin.conf: the applier applies the cluster-admins binding admin.conf depends on.
      content: renderApplierEnv({ storeUri, region, kubeconfig: CP_KUBECONFIG.superAdmin, secretParameters }),
      mode: "0644",
    },
    { path: `/etc/systemd/system/${APPLIER_UNIT}.service`, content: units.service, mode: "0644" },
    { path: `/etc/systemd/system/${APPLIER_UNIT}.timer`, content: units.timer, mode: "0644" },
  ];
}

/** Control-plane files delivered through the add-on store rather than user data (the largest): the static pods. */
function storedInStore(kmsPlugin: boolean): string[] {
  return [MANIFEST.apiServer, MANIFEST.controllerManager, MANIFEST.scheduler, ...(kmsPlugin ? [MANIFEST.kmsPlugin] : [])];
}

/** The encryption-at-rest key and the control-plane role's grant on it (encryptionAtRestKey). */
interface EncryptionAtRest {
  key: kms.Key;
  grant: iam.RolePolicy;
}

/**
 * The encryption-at-rest key and the control-plane role's grant on it. A key of its own rather than
 * the cluster key: every node role, S3 and EC2 use the cluster key (through SSM, S3 and EC2, each
 * under its own condition), its policy hands use to the account's IAM policies, and disabling or
 * rotating it touches volumes, backups and node secrets alike. This key's policy names the one
 * principal that may encrypt or decrypt with it, its CloudTrail events are the apiserver's data-key
 * wraps and nothing else, and losing it loses the Secrets (etcd snapshots included): it is
 * protected and retained with `protect`, like the cluster key.
 */
function encryptionAtRestKey(
  name: string,
  c: ClusterConfig,
  role: iam.Role,
  args: Pick<ControlPlaneArgs, "partition" | "accountId">,
  parent: pulumi.Resource,
): EncryptionAtRest {
  const key = new kms.Key(
    `${name}-encryption-at-rest`,
    {
      description: `kubestead ${c.name}: Kubernetes Secrets at rest (the apiserver's KMS v2 plugin)`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      // KMS refuses a policy naming a principal that does not exist yet: the role comes first.
      policy: pulumi
        .all([args.partition, args.accountId, role.arn])
        .apply(([partition, accountId, roleArn]) => JSON.stringify(encryptionAtRestKeyPolicy(partition, accountId, roleArn, c.name))),
      tags: roleTags(c, "controlplane", `${c.name}-encryption-at-rest`, ENCRYPTION_AT_REST_TAG),
    },
    { parent, protect: c.protect, retainOnDelete: c.protect },
  );
  new kms.Alias(`${name}-encryption-at-rest`, { name: `alias/kubestead/${c.name}/encryption-at-rest`, targetKeyId: key.keyId }, { parent });
  const grant = new iam.RolePolicy(
    `${name}-encryption-at-rest`,
    { role: role.name, policy: key.arn.apply((arn) => JSON.stringify(encryptionAtRestPolicy(arn, c.name))) },
    { parent },
  );
  return { key, grant };
}
