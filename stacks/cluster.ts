/**
 * One cluster from the typed config: network → PKI → etcd → control plane + API LB → workers →
 * add-ons. dev and prod are this same program with different Pulumi.<stack>.yaml values.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BackupBucket } from "../components/backupBucket";
import { ClusterKey } from "../components/clusterKey";
import { EtcdCluster } from "../components/etcdCluster";
import { Network } from "../components/network";
import { debianAmi } from "../components/nodeCommon";
import { ClusterPki } from "../components/pki";
import { SecurityGroups } from "../components/securityGroups";
import { ConfigError } from "../lib/config/problems";
import { ClusterConfig } from "../lib/config/types";
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
  const network = new Network(`${c.name}-network`, { config: c });
  const key = new ClusterKey(`${c.name}-key`, { config: c });
  const pki = new ClusterPki(`${c.name}-pki`, { cluster: c.name, pki: c.pki });
  const groups = new SecurityGroups(`${c.name}-sg`, { config: c, vpcId: network.vpcId, vpcCidr: network.vpcCidr });
  const backups = new BackupBucket(`${c.name}-backups`, { config: c, kmsKeyArn: key.keyArn });
  const identity = aws.getCallerIdentityOutput();
  const partition = aws.getPartitionOutput().partition;
  const amiId = debianAmi(network);

  const etcd = new EtcdCluster(`${c.name}-etcd`, {
    config: c,
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    securityGroupId: groups.etcd,
    etcdCa: pki.etcdCa,
    kmsKeyArn: key.keyArn,
    backupBucketName: backups.bucketName,
    backupBucketArn: backups.bucketArn,
    amiId,
    accountId: identity.accountId,
    partition,
  });

  const certificateExpiries: Record<string, pulumi.Output<string>> = {
    ...pki.certificateExpiries(),
    ...etcd.certificateExpiries,
  };
  return { config: c, network, key, pki, groups, backups, etcd, certificateExpiries };
}
