import * as autoscaling from "@pulumi/aws/autoscaling";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ebs from "@pulumi/aws/ebs";
import * as ec2 from "@pulumi/aws/ec2";
import * as route53 from "@pulumi/aws/route53";
import * as ssm from "@pulumi/aws/ssm";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { encodeUserData, renderCloudConfig } from "../bootstrap/cloudInit";
import { BOOT_SCRIPT_PATH } from "../bootstrap/bootScript";
import {
  ETCD_BACKUP_METRIC,
  ETCD_BACKUP_SCRIPT_PATH,
  ETCD_LIFECYCLE_SCRIPT_PATH,
  ETCD_PEER_CN,
  ETCD_RESTORE_SCRIPT_PATH,
  EtcdMemberOptions,
  EtcdMemberSpec,
  etcdCertParameters,
  etcdKeyParameters,
  etcdMemberFiles,
  etcdSharedFileParameters,
  etcdStateParameters,
} from "../bootstrap/etcd";
import { ClusterConfig } from "../lib/config/types";
import { privateDomain } from "../lib/dns";
import { etcdPolicy } from "../lib/iam";
import { ETCD_METRIC_NAMESPACE, secretPathPrefix } from "../lib/iamNames";
import { asgTags, roleTags } from "../lib/tags";
import { NodeIdentity, nodeIdentity, nodeLaunchTemplate, secureParameter } from "./nodeCommon";
import { CertificateAuthority, IssuedCertificate, certificateParameter, issueCertificate } from "./pki";
import { CERT_REFRESH_SCRIPT_PATH, CERT_REFRESH_TAG, certRefreshDelayHours } from "../bootstrap/certRefresh";
import { etcdUrl } from "../lib/releases";
import { sessionManagerAgent } from "../lib/config/sessionManager";

export interface EtcdClusterArgs {
  config: ClusterConfig;
  vpcId: pulumi.Input<string>;
  /** Private subnet IDs, one per zone, in `config.zones` order. */
  privateSubnetIds: pulumi.Input<string>[];
  securityGroupId: pulumi.Input<string>;
  etcdCa: CertificateAuthority;
  kmsKeyArn: pulumi.Input<string>;
  /** Service-linked role the auto scaling group launches with (ClusterKey.autoscalingRoleArn): the one the key policy admits. */
  autoscalingRoleArn: pulumi.Input<string>;
  backupBucketName: pulumi.Input<string>;
  backupBucketArn: pulumi.Input<string>;
  amiId: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
}

/** Device name the data volume is attached as (Nitro shows it as NVMe; the boot step resolves it). */
const DATA_DEVICE = "/dev/xvdf";

/** Where the scripts every member shares live in SSM (bootstrap/etcd.ts etcdSharedFiles). */
export function etcdSharedFilesPrefix(cluster: string): string {
  return `${secretPathPrefix(cluster, "etcd")}files/`;
}

/**
 * A dedicated etcd cluster: one member per zone, each with a stable identity (its own ENI, a
 * fixed private IP, a DNS record) and its own encrypted gp3 data volume that outlives the
 * instance. Each member runs in an auto scaling group of one: a failed instance is replaced and
 * the replacement re-attaches the member's ENI and volume at boot, rejoining as the same member.
 */
export class EtcdCluster extends pulumi.ComponentResource {
  /** https://<ip>:2379 of every member. */
  public readonly clientEndpoints: pulumi.Output<string[]>;
  public readonly memberIps: pulumi.Output<string>[];
  public readonly memberDnsNames: string[];
  public readonly asgNames: pulumi.Output<string>[];
  public readonly certificateExpiries: Record<string, pulumi.Output<string>>;
  /** The cluster's private zone (privateDomain(cluster)), where the API's stable name lives too. */
  public readonly privateZoneId: pulumi.Output<string>;
  /** The alarm that fires when no snapshot was uploaded for `afterMinutes` (README, backups). */
  public readonly backupAlarm: { name: pulumi.Output<string>; afterMinutes: number };
  /** Random ID of this etcd cluster: its founded marker and token live under …/etcd/state/<incarnation>/. */
  public readonly incarnation: pulumi.Output<string>;

  constructor(name: string, args: EtcdClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:EtcdCluster", name, {}, opts);
    const c = args.config;
    const dnsZone = etcdZone(name, args, this);
    const members = etcdMembers(name, args, dnsZone, this);
    const issued = issueEtcdCertificates(name, args, members, this);
    const incarnation = etcdIncarnation(name, c, this);
    const memberKeys = storeEtcdKeys(name, args, members, issued, this);
    const memberCerts = storeEtcdCertificates(name, args, members, issued, this);
    const identity = etcdIdentity(name, args, this);
    const peerList = pulumi.all(members.map((m) => m.eni.privateIp));
    const sharedScripts = etcdSharedScripts(name, args, members, peerList, incarnation, this);
    this.asgNames = members.map((m, i) => {
      const userData = etcdMemberUserData(args, members, i, { peerList, certs: issued.certs[i], backup: issued.backup, incarnation });
      const lt = etcdMemberLaunchTemplate(name, args, m, identity, userData, this);
      return etcdMemberGroup(name, args, m, lt, { keys: memberKeys[i], certs: memberCerts[i], sharedScripts, identity }, this).name;
    });
    const alarm = backupsStoppedAlarm(name, c, this);

    this.memberIps = members.map((m) => m.eni.privateIp);
    this.memberDnsNames = members.map((m) => m.dnsName);
    this.clientEndpoints = peerList.apply((ips) => ips.map((ip) => `https://${ip}:2379`));
    this.certificateExpiries = etcdCertificateExpiries(members, issued);
    this.privateZoneId = dnsZone.zoneId;
    this.backupAlarm = { name: alarm.name, afterMinutes: c.etcd.lifecycle.backupAlarm.afterMinutes };
    this.incarnation = incarnation;
    this.registerOutputs({
      clientEndpoints: this.clientEndpoints,
      asgNames: this.asgNames,
      privateZoneId: this.privateZoneId,
      backupAlarmName: alarm.name,
    });
  }
}

/** One member's stable identity: its zone, name, tags, ENI (its address), data volume and DNS name. */
interface EtcdMember {
  i: number;
  zone: string;
  memberName: string;
  tags: Record<string, string>;
  eni: ec2.NetworkInterface;
  volume: ebs.Volume;
  dnsName: string;
}

/** A member's own certificates. */
interface MemberCertificates {
  server: IssuedCertificate;
  peer: IssuedCertificate;
}

/** The cluster's private zone (privateDomain(cluster)): the members' stable names. */
function etcdZone(name: string, args: EtcdClusterArgs, parent: pulumi.Resource): route53.Zone {
  const c = args.config;
  const domain = privateDomain(c.name);
  return new route53.Zone(
    `${name}-zone`,
    {
      name: domain,
      comment: `kubestead ${c.name}: stable names of etcd members`,
      vpcs: [{ vpcId: args.vpcId }],
      forceDestroy: true,
      tags: roleTags(c, "etcd", domain),
    },
    { parent },
  );
}

/** Per member (one per zone): its ENI, its data volume and its DNS record. */
function etcdMembers(name: string, args: EtcdClusterArgs, dnsZone: route53.Zone, parent: pulumi.Resource): EtcdMember[] {
  const c = args.config;
  const zones = c.zones.slice(0, c.etcd.members);
  const domain = privateDomain(c.name);
  return zones.map((zone, i) => {
    const memberName = `etcd-${i}`;
    const tags = roleTags(c, "etcd", `${c.name}-${memberName}`, { "kubestead.io/member": String(i) });
    const eni = new ec2.NetworkInterface(
      `${name}-${i}`,
      {
        subnetId: args.privateSubnetIds[i],
        securityGroups: [args.securityGroupId],
        description: `kubestead ${c.name} ${memberName}: the member's stable address`,
        tags,
      },
      // The member's identity (its address is its peer URL): protected in production, so a
      // replacement needs the member-replacement runbook, not a stray diff.
      { parent, protect: c.protect },
    );
    // Data outlives instances; in prod it also outlives `pulumi destroy`.
    const volume = new ebs.Volume(
      `${name}-${i}-data`,
      {
        availabilityZone: zone,
        size: c.etcd.volumeSizeGiB,
        type: "gp3",
        iops: c.etcd.volumeIops,
        throughput: 125,
        encrypted: true,
        kmsKeyId: args.kmsKeyArn,
        tags: { ...tags, Name: `${c.name}-${memberName}-data` },
      },
      { parent, protect: c.protect, retainOnDelete: c.protect },
    );
    const dnsName = `${memberName}.${domain}`;
    new route53.Record(`${name}-${i}`, { zoneId: dnsZone.zoneId, name: dnsName, type: "A", ttl: 60, records: [eni.privateIp] }, { parent });
    return { i, zone, memberName, tags, eni, volume, dnsName };
  });
}

/** Identities: per-member server and peer certificates, one backup/maintenance client. */
function issueEtcdCertificates(
  name: string,
  args: EtcdClusterArgs,
  members: EtcdMember[],
  parent: pulumi.Resource,
): { certs: MemberCertificates[]; backup: IssuedCertificate } {
  const c = args.config;
  const certs = members.map((m) => ({
    server: issueCertificate(
      `${name}-${m.i}-server`,
      args.etcdCa,
      {
        commonName: m.memberName,
        dnsNames: [m.dnsName, "localhost"],
        ipAddresses: [m.eni.privateIp, "127.0.0.1"],
        // client_auth too: etcd's gRPC gateway (the HTTP/JSON API on the client port) dials the
        // member itself with this cert, and --client-cert-auth rejects a server-only cert
        // (https://github.com/etcd-io/etcd/issues/9785; kubeadm does the same). No new privilege:
        // the member's peer cert, from the same CA, is already a valid client cert.
        usages: ["server_auth", "client_auth"],
      },
      c.pki,
      parent,
    ),
    // Loopback too (as kubeadm's etcd peer cert has): etcd checks a peer cert against the URL
    // it dials and against the remote address of an incoming peer, so members sharing one host
    // (the integration test, a single-host lab) must find 127.0.0.1 in it. Harmless across
    // hosts: no other host's traffic arrives from 127.0.0.1.
    // One CN for every peer: the peer port admits only it (ETCD_PEER_CERT_ALLOWED_CN), so client
    // identities from the same CA (backup, apiserver) cannot speak the peer protocol.
    peer: issueCertificate(
      `${name}-${m.i}-peer`,
      args.etcdCa,
      {
        commonName: ETCD_PEER_CN,
        dnsNames: [m.dnsName, "localhost"],
        ipAddresses: [m.eni.privateIp, "127.0.0.1"],
        usages: ["server_auth", "client_auth"],
      },
      c.pki,
      parent,
    ),
  }));
  const backup = issueCertificate(
    `${name}-backup`,
    args.etcdCa,
    { commonName: "kube-etcd-backup", usages: ["client_auth"] },
    c.pki,
    parent,
  );
  return { certs, backup };
}

/**
 * The cluster's incarnation (hex). A new stack of the same name gets a new incarnation, so it never
 * reads the founded marker a destroyed one left in SSM (bootstrap/etcdLifecycle.ts). Replacing it
 * reopens founding after a quorum loss: protected with the rest of the cluster's state.
 */
function etcdIncarnation(name: string, c: ClusterConfig, parent: pulumi.Resource): pulumi.Output<string> {
  return new random.RandomId(`${name}-incarnation`, { byteLength: 6 }, { parent, protect: c.protect }).hex;
}

/** Stores the keys (secure) in SSM; per member, the parameters its boot fetches, for its group's dependsOn. */
function storeEtcdKeys(
  name: string,
  args: EtcdClusterArgs,
  members: EtcdMember[],
  { certs, backup }: { certs: MemberCertificates[]; backup: IssuedCertificate },
  parent: pulumi.Resource,
): ssm.Parameter[][] {
  const c = args.config;
  const secretTags = roleTags(c, "etcd");
  const backupKeyParam = etcdKeyParameters(c.name, "etcd-0").backup;
  const backupKey = secureParameter(`${name}-backup-key`, backupKeyParam, backup.keyPem, args.kmsKeyArn, secretTags, parent);
  return members.map((m, i) => {
    const p = etcdKeyParameters(c.name, m.memberName);
    return [
      backupKey,
      secureParameter(`${name}-${i}-server-key`, p.server, certs[i].server.keyPem, args.kmsKeyArn, secretTags, parent),
      secureParameter(`${name}-${i}-peer-key`, p.peer, certs[i].peer.keyPem, args.kmsKeyArn, secretTags, parent),
    ];
  });
}

/**
 * Stores the certificates, public, beside the keys: each member's refresh timer re-reads its own, so
 * a leaf `pulumi up` renewed reaches running members (bootstrap/certRefresh.ts). Per member, for
 * its group's dependsOn.
 */
function storeEtcdCertificates(
  name: string,
  args: EtcdClusterArgs,
  members: EtcdMember[],
  { certs, backup }: { certs: MemberCertificates[]; backup: IssuedCertificate },
  parent: pulumi.Resource,
): ssm.Parameter[][] {
  const c = args.config;
  const secretTags = roleTags(c, "etcd");
  const backupCert = certificateParameter(
    `${name}-backup-cert`,
    etcdCertParameters(c.name, "etcd-0").backup,
    backup.certPem,
    secretTags,
    parent,
  );
  return members.map((m, i) => {
    const p = etcdCertParameters(c.name, m.memberName);
    return [
      backupCert,
      certificateParameter(`${name}-${i}-server-cert`, p.server, certs[i].server.certPem, secretTags, parent),
      certificateParameter(`${name}-${i}-peer-cert`, p.peer, certs[i].peer.certPem, secretTags, parent),
    ];
  });
}

/** The members' role (the etcd policy: keys, state, backups), instance profile and baseline policies. */
function etcdIdentity(name: string, args: EtcdClusterArgs, parent: pulumi.Resource): NodeIdentity {
  const c = args.config;
  return nodeIdentity(
    `${name}-node`,
    pulumi
      .all([args.partition, args.accountId, args.kmsKeyArn, args.backupBucketArn])
      .apply(([partition, accountId, kmsKeyArn, bucketArn]) =>
        etcdPolicy({ partition, accountId, region: c.region, cluster: c.name, kmsKeyArn }, bucketArn),
      ),
    roleTags(c, "etcd"),
    args.partition,
    parent,
    { sessionManager: c.sessionManager !== undefined },
  );
}

/** Member i as the renderers see it, with every member's address resolved. */
function memberSpec(c: ClusterConfig, members: EtcdMember[], i: number, ips: string[]): EtcdMemberSpec {
  return {
    name: members[i].memberName,
    ip: ips[i],
    dnsName: members[i].dnsName,
    members: members.map((o, j) => ({ name: o.memberName, ip: ips[j], dnsName: o.dnsName })),
    clusterToken: `${c.name}-etcd`,
    snapshotCount: c.etcd.snapshotCount,
  };
}

/** What every member shares in its render: release, backups, state parameters, lifecycle (the PKI is filled per member). */
function memberOptions(c: ClusterConfig, inc: string, bucket: string, kmsKeyArn: string): EtcdMemberOptions {
  return {
    cluster: c.name,
    region: c.region,
    pki: { caCert: "", serverCert: "", peerCert: "", backupCert: "" },
    // The bucket's own key, not the AWS-managed aws/s3 key.
    backup: { bucket, intervalMinutes: c.etcd.backup.intervalMinutes, kmsKeyId: kmsKeyArn },
    release: { version: c.etcd.version, sha256: c.etcd.sha256, url: etcdUrl(c.etcd.version, c.etcd.arch) },
    device: DATA_DEVICE,
    state: etcdStateParameters(c.name, inc),
    defrag: c.etcd.lifecycle.defrag,
    sharedFilesPrefix: etcdSharedFilesPrefix(c.name),
    certRefresh: true,
    sessionManager: sessionManagerAgent(c.sessionManager, c.etcd.arch),
  };
}

/**
 * The scripts every member has the same (backup, restore, lifecycle), too large for user data next to
 * the certificates: plain String parameters (nothing secret), fetched at boot like the keys.
 * Advanced tier: up to 8 KB, and SSM never lets a parameter go back to Standard.
 */
function etcdSharedScripts(
  name: string,
  args: EtcdClusterArgs,
  members: EtcdMember[],
  peerList: pulumi.Output<string[]>,
  incarnation: pulumi.Output<string>,
  parent: pulumi.Resource,
): ssm.Parameter[] {
  const c = args.config;
  const secretTags = roleTags(c, "etcd");
  const sharedFiles = pulumi.all([peerList, incarnation, args.backupBucketName, args.kmsKeyArn]).apply(([ips, inc, bucket, kmsKeyArn]) =>
    etcdSharedFileParameters(memberSpec(c, members, 0, ips), {
      ...memberOptions(c, inc, bucket, kmsKeyArn),
      sharedFilesPrefix: etcdSharedFilesPrefix(c.name),
    }),
  );
  return [ETCD_BACKUP_SCRIPT_PATH, ETCD_RESTORE_SCRIPT_PATH, ETCD_LIFECYCLE_SCRIPT_PATH, CERT_REFRESH_SCRIPT_PATH].map((path) => {
    const base = path.slice(path.lastIndexOf("/") + 1);
    return new ssm.Parameter(
      `${name}-file-${base.replace(/\.sh$/, "")}`,
      {
        name: `${etcdSharedFilesPrefix(c.name)}${base}`,
        type: "String",
        tier: "Advanced",
        value: sharedFiles.apply((fs) => {
          const f = fs.find((x) => x.path === path);
          if (!f) throw new Error(`etcd shared file ${path} was not rendered: keep EtcdCluster in step with etcdSharedFiles`);
          return f.content;
        }),
        tags: secretTags,
      },
      { parent },
    );
  });
}

/** What a member's user data embeds besides the args: every address, its leaves, the incarnation. */
interface MemberRenderInputs {
  peerList: pulumi.Output<string[]>;
  certs: MemberCertificates;
  backup: IssuedCertificate;
  incarnation: pulumi.Output<string>;
}

/** Member i's user data: its files (certificates, ENI and volume IDs, peers) as cloud-config. */
function etcdMemberUserData(args: EtcdClusterArgs, members: EtcdMember[], i: number, r: MemberRenderInputs): pulumi.Output<string> {
  const c = args.config;
  const m = members[i];
  return pulumi
    .all([
      r.peerList,
      pulumi.all([
        m.eni.id,
        m.volume.id,
        args.etcdCa.certPem,
        r.certs.server.certPem,
        r.certs.peer.certPem,
        r.backup.certPem,
        args.backupBucketName,
        args.kmsKeyArn,
        r.incarnation,
      ]),
    ])
    .apply(([ips, [eniId, volumeId, caCert, serverCert, peerCert, backupCert, bucket, kmsKeyArn, inc]]) => {
      const { files, secrets } = etcdMemberFiles(memberSpec(c, members, i, ips), {
        ...memberOptions(c, inc, bucket, kmsKeyArn),
        pki: { caCert, serverCert, peerCert, backupCert },
        volumeId,
        eniId,
      });
      return encodeUserData(renderCloudConfig({ files, secrets, bootScriptPath: BOOT_SCRIPT_PATH, hostname: m.memberName }));
    });
}

/** A member's launch template: the image, the instance profile, its user data, the backup schedule. */
function etcdMemberLaunchTemplate(
  name: string,
  args: EtcdClusterArgs,
  m: EtcdMember,
  identity: NodeIdentity,
  userData: pulumi.Output<string>,
  parent: pulumi.Resource,
): ec2.LaunchTemplate {
  const c = args.config;
  const i = m.i;
  return nodeLaunchTemplate(
    `${name}-${i}`,
    {
      description: `kubestead ${c.name} ${m.memberName}`,
      imageId: args.amiId,
      instanceType: c.etcd.instanceType,
      instanceProfileArn: identity.instanceProfile.arn,
      securityGroupId: args.securityGroupId,
      userData,
      rootVolumeGiB: 20,
      kmsKeyArn: args.kmsKeyArn,
      hopLimit: 1,
      tags: m.tags,
      // The backup schedule, where the policy pack can see it.
      templateTags: {
        "kubestead.io/backup-interval-minutes": String(c.etcd.backup.intervalMinutes),
        // How long a renewed certificate may wait for the refresh timer (policy cert-refresh-window).
        [CERT_REFRESH_TAG]: String(certRefreshDelayHours()),
      },
    },
    parent,
  );
}

/** Everything a member reads at boot: its group depends on all of it. */
interface MemberBootPrerequisites {
  keys: ssm.Parameter[];
  certs: ssm.Parameter[];
  sharedScripts: ssm.Parameter[];
  identity: NodeIdentity;
}

/**
 * A member's auto scaling group of one, pinned to the member's zone (its volume lives there). No
 * instanceRefresh: a release or image change touches every member's template in one update,
 * and a refresh per group would start in all of them at once and take quorum with it. Members
 * are replaced one at a time by the upgrade runbook (README: Upgrades), each after the
 * cluster is healthy again; policy instance-refresh-safe refuses a refresh here.
 */
function etcdMemberGroup(
  name: string,
  args: EtcdClusterArgs,
  m: EtcdMember,
  lt: ec2.LaunchTemplate,
  boot: MemberBootPrerequisites,
  parent: pulumi.Resource,
): autoscaling.Group {
  const c = args.config;
  const i = m.i;
  return new autoscaling.Group(
    `${name}-${i}`,
    {
      name: `${c.name}-${m.memberName}`,
      minSize: 1,
      maxSize: 1,
      desiredCapacity: 1,
      vpcZoneIdentifiers: [args.privateSubnetIds[i]],
      launchTemplate: { id: lt.id, version: lt.latestVersion.apply(String) },
      serviceLinkedRoleArn: args.autoscalingRoleArn,
      healthCheckType: "EC2",
      healthCheckGracePeriod: 300,
      tags: asgTags(m.tags),
    },
    // Nothing the boot reads may be missing when the instance starts.
    { parent, dependsOn: [...boot.keys, ...boot.certs, ...boot.sharedScripts, ...boot.identity.bootPrerequisites] },
  );
}

/**
 * Backups stopped: the leader counts each upload (etcd-backup.sh); hours without one breach,
 * and so do hours without data at all (no leader, no permission, no network).
 */
function backupsStoppedAlarm(name: string, c: ClusterConfig, parent: pulumi.Resource): cloudwatch.MetricAlarm {
  const lifecycle = c.etcd.lifecycle;
  const after = lifecycle.backupAlarm.afterMinutes;
  return new cloudwatch.MetricAlarm(
    `${name}-backups-stopped`,
    {
      name: `${c.name}-etcd-backups-stopped`,
      alarmDescription: `No etcd snapshot of ${c.name} uploaded for ${after / 60} hours: check etcd-backup.service on the members (README, etcd backups)`,
      namespace: ETCD_METRIC_NAMESPACE,
      metricName: ETCD_BACKUP_METRIC,
      dimensions: { Cluster: c.name },
      statistic: "Sum",
      period: 3600,
      evaluationPeriods: after / 60,
      datapointsToAlarm: after / 60,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
      alarmActions: lifecycle.backupAlarm.actions,
      okActions: lifecycle.backupAlarm.actions,
      tags: roleTags(c, "etcd"),
    },
    { parent },
  );
}

/** Every certificate's notAfter: `etcd-<i>-server`, `etcd-<i>-peer`, `etcd-backup-client`. */
function etcdCertificateExpiries(
  members: EtcdMember[],
  { certs, backup }: { certs: MemberCertificates[]; backup: IssuedCertificate },
): Record<string, pulumi.Output<string>> {
  return Object.fromEntries([
    ...members.flatMap((m, i) => [
      [`etcd-${m.i}-server`, certs[i].server.notAfter],
      [`etcd-${m.i}-peer`, certs[i].peer.notAfter],
    ]),
    ["etcd-backup-client", backup.notAfter],
  ]);
}
