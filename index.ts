/** The kubestead stack program: `pulumi up -s dev|prod`. Outputs are what an operator needs. */
import * as pulumi from "@pulumi/pulumi";
import { buildCluster, readConfigOrExit } from "./stacks/cluster";

const cluster = buildCluster(readConfigOrExit());

export const vpcId = cluster.network.vpcId;
export const privateSubnetIds = cluster.network.privateSubnetIds;
export const publicSubnetIds = cluster.network.publicSubnetIds;
export const etcdEndpoints = cluster.etcd.clientEndpoints;
export const etcdAsgNames = cluster.etcd.asgNames;
export const backupBucket = cluster.backups.bucketName;
/** Where etcd snapshots land and the alarm that fires when they stop (`npm run health` reads this). */
export const etcdBackups = {
  uri: pulumi.interpolate`s3://${cluster.backups.bucketName}/${cluster.config.name}/`,
  alarmName: cluster.etcd.backupAlarm.name,
  alarmAfterMinutes: cluster.etcd.backupAlarm.afterMinutes,
};
export const certificateNotAfter = cluster.certificateExpiries;
/** When the current bootstrap token expires: nodes stop joining then unless a `pulumi up` rotated it. */
export const bootstrapTokenExpiration = cluster.bootstrapToken.expiration;
export const apiEndpoint = cluster.lb.endpoint;
export const controlPlaneAsgName = cluster.controlPlane.asgName;
export const adminKubeconfig = cluster.controlPlane.adminKubeconfig;
export const workerAsgNames = cluster.workers.map((w) => w.asgName);
/** The API's stable name (in certificates and node kubeconfigs); an alias to the load balancer. */
export const apiServerName = cluster.lb.apiHost;
/** Where the control plane reads its add-on manifests from. */
export const addonStore = cluster.addonStore.uri;
/** The public service-account issuer and its IAM OIDC provider: trust them in roles for your own pods (see README). */
export const serviceAccountIssuer = cluster.issuer.issuerUrl;
export const oidcProviderArn = cluster.issuer.providerArn;
/** Each add-on the control plane applies: its release and the sha256 of its stored manifest. */
export const addons = cluster.manifests.apply((ms) =>
  Object.fromEntries(ms.map((m) => [m.addon, { version: m.version, sha256: m.sha256 }])),
);
