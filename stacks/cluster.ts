/**
 * One cluster from the typed config: network → PKI → etcd → add-on store → control plane + API LB →
 * workers. The control plane applies the add-ons itself: nothing here talks to the Kubernetes API. dev and prod are this same program with different Pulumi.<stack>.yaml values.
 */
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import * as pulumi from "@pulumi/pulumi";
import { AddonStore } from "../components/addonStore";
import { ApiLoadBalancer } from "../components/apiLoadBalancer";
import { applierStoredFiles } from "../bootstrap/addons/applier";
import { nodeCsrVerifierStoredFiles } from "../bootstrap/addons/nodeCsrVerifier";
import { controlPlaneCertRefreshStoredFiles } from "../bootstrap/controlPlane/certRefresh";
import { addonNames, clusterAddons, storedManifests } from "../bootstrap/addons/manifests";
import { BootstrapToken } from "../components/bootstrapToken";
import { ControlPlane } from "../components/controlPlane";
import { WorkerIdentity } from "../components/workerIdentity";
import { WorkerPool } from "../components/workerPool";
import { addonPodRoles } from "../bootstrap/addons/podRoles";
import { BackupBucket } from "../components/backupBucket";
import { ClusterKey } from "../components/clusterKey";
import { EtcdCluster } from "../components/etcdCluster";
import { Network } from "../components/network";
import { NodeTermination } from "../components/nodeTermination";
import { debianAmi } from "../components/nodeCommon";
import { ClusterPki } from "../components/pki";
import { SecurityGroups } from "../components/securityGroups";
import { ServiceAccountIssuer } from "../components/serviceAccountIssuer";
import { Arch } from "../lib/arch";
import { programNow } from "../lib/clock";
import { ConfigError } from "../lib/config/problems";
import { ClusterConfig } from "../lib/config/types";
import { podRoleName, roleArn } from "../lib/oidc";
import { clusterKeyAliasArn } from "../lib/iam";
import { queueUrl } from "../lib/nodeTermination";
import { loadClusterConfig } from "./config";

export function readConfigOrExit(): ClusterConfig {
  try {
    return loadClusterConfig();
  } catch (e) {
    // RunError: the engine prints the message alone, without a stack trace.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

export function buildCluster(c: ClusterConfig) {
  const identity = getCallerIdentityOutput();
  const awsPartition = getPartitionOutput();
  const partition = awsPartition.partition;
  const network = new Network(`${c.name}-network`, { config: c, accountId: identity.accountId, partition });
  const key = new ClusterKey(`${c.name}-key`, { config: c, accountId: identity.accountId, partition });
  const pki = new ClusterPki(`${c.name}-pki`, { cluster: c.name, pki: c.pki, protect: c.protect });
  const groups = new SecurityGroups(`${c.name}-sg`, { config: c, vpcId: network.vpcId, vpcCidrs: network.vpcCidrs });
  const backups = new BackupBucket(`${c.name}-backups`, { config: c, kmsKeyArn: key.keyArn, accountId: identity.accountId });
  // One image lookup per architecture the node roles use.
  const amis = new Map<Arch, pulumi.Output<string>>();
  const amiFor = (arch: Arch) => amis.get(arch) ?? amis.set(arch, debianAmi(network, arch)).get(arch)!;

  const etcd = new EtcdCluster(`${c.name}-etcd`, {
    config: c,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    securityGroupId: groups.etcd,
    etcdCa: pki.etcdCa,
    kmsKeyArn: key.keyArn,
    autoscalingRoleArn: key.autoscalingRoleArn,
    backupBucketName: backups.bucketName,
    backupBucketArn: backups.bucketArn,
    amiId: amiFor(c.etcd.arch),
    accountId: identity.accountId,
    partition,
  });

  const lb = new ApiLoadBalancer(`${c.name}-api`, {
    config: c,
    vpcId: network.vpcId,
    subnetIds: c.controlPlane.apiLoadBalancer.scheme === "internal" ? network.privateSubnetIds : network.publicSubnetIds,
    securityGroupId: groups.apiLoadBalancer,
    privateZoneId: etcd.privateZoneId,
  });
  // Rotates by itself: the first `pulumi up` after its window makes a new one (lib/bootstrapTokenWindow.ts).
  const bootstrapToken = new BootstrapToken(`${c.name}-bootstrap-token`, { maxAgeDays: c.pki.bootstrapTokenMaxAgeDays, now: programNow() });
  // Pods that call AWS assume their own roles by web identity; nodes' IMDS is out of their reach.
  const podRoles = addonPodRoles(c.name, c.addons, c.region);
  // Drains before terminations: the queue and rules here, the hooks with each node group, the
  // handler an add-on (lib/nodeTermination.ts).
  const nodeTermination = c.addons.nodeTerminationHandler
    ? new NodeTermination(`${c.name}-node-termination`, { config: c, accountId: identity.accountId })
    : undefined;
  const issuer = new ServiceAccountIssuer(`${c.name}-sa-issuer`, {
    config: c,
    accountId: identity.accountId,
    partition,
    dnsSuffix: awsPartition.dnsSuffix,
    serviceAccountPublicKeyPem: pki.serviceAccountPublicKeyPem,
    podRoles,
    clusterKeyArn: key.keyArn,
  });
  // The add-on manifests, rendered here and stored for the control plane to apply. Role ARNs are
  // computed from their derived names, not taken from the roles: the manifests stay known in preview.
  const manifests = pulumi
    .all([network.vpcCidrs, identity.accountId, partition, awsPartition.dnsSuffix])
    .apply(([vpcCidrs, accountId, part, dnsSuffix]) =>
      storedManifests(
        clusterAddons({
          cluster: c.name,
          region: c.region,
          kubernetes: c.kubernetes,
          addons: c.addons,
          apiServerHost: lb.apiHost,
          vpcCidrs,
          podRoleArns: Object.fromEntries(podRoles.map((r) => [r.addon, roleArn(part, accountId, podRoleName(c.name, c.region, r.addon))])),
          clusterAdminsBinding: c.controlPlane.clusterAdminsBinding,
          // From the queue's name like the role ARNs: known in preview.
          nodeTerminationQueueUrl: queueUrl(c.region, dnsSuffix, accountId, c.name),
          // The alias, not the key's ARN: known in preview, and EC2 resolves it when it creates a volume.
          volumeKmsKeyId: clusterKeyAliasArn(part, c.region, accountId, c.name),
        }),
      ),
    );
  const addonStore = new AddonStore(`${c.name}-addons`, {
    config: c,
    kmsKeyArn: key.keyArn,
    manifests,
    addonNames: addonNames(c.addons),
    nodeFiles: [...applierStoredFiles(), ...nodeCsrVerifierStoredFiles(), ...controlPlaneCertRefreshStoredFiles(c.region)],
  });
  const controlPlane = new ControlPlane(`${c.name}-controlplane`, {
    config: c,
    privateSubnetIds: network.privateSubnetIds,
    securityGroupId: groups.controlPlane,
    apiHost: lb.apiHost,
    apiDnsName: lb.dnsName,
    apiTargetGroupArn: lb.targetGroupArn,
    kubernetesCa: pki.kubernetesCa,
    etcdCa: pki.etcdCa,
    frontProxyCa: pki.frontProxyCa,
    serviceAccountKeyPem: pki.serviceAccountKeyPem,
    serviceAccountPublicKeyPem: pki.serviceAccountPublicKeyPem,
    serviceAccountIssuerUrl: issuer.issuerUrl,
    etcdEndpoints: etcd.clientEndpoints,
    bootstrapTokenId: bootstrapToken.id,
    bootstrapTokenSecret: bootstrapToken.secret,
    bootstrapTokenExpiration: bootstrapToken.expiration,
    addonStoreUri: addonStore.uri,
    addonStoreNodeUri: addonStore.nodeUri,
    addonStoreBucketArn: addonStore.bucketArn,
    addonStoreBucket: addonStore.bucketName,
    addonStoreObjects: addonStore.objects,
    kmsKeyArn: key.keyArn,
    autoscalingRoleArn: key.autoscalingRoleArn,
    amiId: amiFor(c.controlPlane.arch),
    accountId: identity.accountId,
    partition,
  });

  const workers = buildWorkers(c, {
    network,
    groups,
    lb,
    pki,
    key,
    amiFor,
    bootstrapToken: bootstrapToken.token,
    accountId: identity.accountId,
    partition,
  });

  const certificateExpiries: Record<string, pulumi.Output<string>> = {
    ...pki.certificateExpiries(),
    ...etcd.certificateExpiries,
    ...controlPlane.certificateExpiries,
  };
  return {
    config: c,
    network,
    key,
    pki,
    groups,
    backups,
    etcd,
    lb,
    controlPlane,
    bootstrapToken,
    issuer,
    nodeTermination,
    addonStore,
    manifests,
    workers,
    certificateExpiries,
  };
}

/** Worker pools share one identity (IAM role, bootstrap kubeconfig in SSM). */
function buildWorkers(
  c: ClusterConfig,
  d: {
    network: Network;
    groups: SecurityGroups;
    lb: ApiLoadBalancer;
    pki: ClusterPki;
    key: ClusterKey;
    amiFor: (arch: Arch) => pulumi.Output<string>;
    bootstrapToken: pulumi.Output<string>;
    accountId: pulumi.Output<string>;
    partition: pulumi.Output<string>;
  },
): WorkerPool[] {
  const identity = new WorkerIdentity(`${c.name}-workers`, {
    config: c,
    apiHost: d.lb.apiHost,
    bootstrapToken: d.bootstrapToken,
    kmsKeyArn: d.key.keyArn,
    accountId: d.accountId,
    partition: d.partition,
  });
  return c.workers.map(
    (pool) =>
      new WorkerPool(`${c.name}-${pool.name}`, {
        config: c,
        pool,
        privateSubnetIds: d.network.privateSubnetIds,
        securityGroupId: d.groups.workers,
        instanceProfileArn: identity.instanceProfileArn,
        // Boot reads the bootstrap kubeconfig and joins through the API's name: both exist first.
        bootPrerequisites: identity.bootPrerequisites,
        apiEndpoint: d.lb.endpointResources,
        kubernetesCaCertPem: d.pki.kubernetesCa.certPem,
        kmsKeyArn: d.key.keyArn,
        autoscalingRoleArn: d.key.autoscalingRoleArn,
        amiId: d.amiFor(pool.arch),
      }),
  );
}
