import * as autoscaling from "@pulumi/aws/autoscaling";
import * as pulumi from "@pulumi/pulumi";
import { BOOT_SCRIPT_PATH } from "../bootstrap/bootScript";
import { encodeUserData, renderCloudConfig } from "../bootstrap/cloudInit";
import { kubernetesNodeBoot } from "../bootstrap/node/boot";
import { sessionManagerAgent } from "../lib/config/sessionManager";
import { NODE_ROLE_LABEL, NODE_ROLE_VALUE } from "../bootstrap/node/files";
import { formatTaint } from "../bootstrap/node/labels";
import { ClusterConfig, WorkerPoolConfig } from "../lib/config/types";
import { asgTags, roleTags } from "../lib/tags";
import { nodeLaunchTemplate, terminatingHook } from "./nodeCommon";

export interface WorkerPoolArgs {
  config: ClusterConfig;
  pool: WorkerPoolConfig;
  /** Private subnet IDs of every cluster zone, in `config.zones` order. */
  privateSubnetIds: pulumi.Input<string>[];
  securityGroupId: pulumi.Input<string>;
  instanceProfileArn: pulumi.Input<string>;
  kubernetesCaCertPem: pulumi.Output<string>;
  kmsKeyArn: pulumi.Input<string>;
  /** Service-linked role the auto scaling group launches with (ClusterKey.autoscalingRoleArn): the one the key policy admits. */
  autoscalingRoleArn: pulumi.Input<string>;
  amiId: pulumi.Input<string>;
  /**
   * What the nodes read at boot besides the API (WorkerIdentity.bootPrerequisites): the group
   * depends on them, so no instance boots before they exist.
   */
  bootPrerequisites: pulumi.Resource[];
  /**
   * The API endpoint nodes join through (the API load balancer's listener, its DNS record, or the
   * ApiLoadBalancer component itself): the group depends on it.
   */
  apiEndpoint: pulumi.Resource[];
}

/**
 * One pool of worker nodes: a launch template and an auto scaling group over the pool's zones.
 * Nodes join by kubelet TLS bootstrap with a token fetched from SSM at boot. The group's desired
 * capacity is left to the cluster autoscaler after creation (ignoreChanges), so Pulumi and the
 * autoscaler never fight over it.
 */
export class WorkerPool extends pulumi.ComponentResource {
  public readonly asgName: pulumi.Output<string>;

  constructor(name: string, args: WorkerPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:WorkerPool", name, {}, opts);
    const c = args.config;
    const p = args.pool;
    const k = c.kubernetes;
    const tags = roleTags(c, "worker", `${c.name}-${p.name}`, { "kubestead.io/pool": p.name });
    const subnets = p.zones.map((z) => args.privateSubnetIds[c.zones.indexOf(z)]);
    const labels = { "kubestead.io/pool": p.name, ...p.labels, [NODE_ROLE_LABEL]: NODE_ROLE_VALUE.worker };

    // The pool's kubelet release: the control plane's, or pinned older while the control plane
    // is upgraded first (README: Upgrades), with that release's kubelet checksum.
    const kubelet: Record<string, string> = p.kubernetesVersion === k.version ? {} : { kubelet: p.kubeletSha256 ?? "" };
    const userData = args.kubernetesCaCertPem.apply((ca) => {
      const { files, secrets } = kubernetesNodeBoot({
        cluster: c.name,
        region: c.region,
        kubernetes: { ...k, version: p.kubernetesVersion },
        arch: p.arch,
        checksums: { ...(c.checksums[p.arch] ?? {}), ...kubelet },
        sessionManager: sessionManagerAgent(c.sessionManager, p.arch),
        role: "worker",
        caCertPem: ca,
        labels,
        taints: p.taints,
      });
      return encodeUserData(renderCloudConfig({ files, secrets, bootScriptPath: BOOT_SCRIPT_PATH }));
    });

    const lt = nodeLaunchTemplate(
      `${name}-nodes`,
      {
        description: `kubestead ${c.name} worker pool ${p.name}`,
        imageId: args.amiId,
        instanceType: p.instanceTypes[0],
        instanceProfileArn: args.instanceProfileArn,
        securityGroupId: args.securityGroupId,
        userData,
        rootVolumeGiB: p.rootVolumeGiB,
        kmsKeyArn: args.kmsKeyArn,
        hopLimit: p.metadataHopLimit,
        tags,
      },
      this,
    );

    const launchTemplate = { launchTemplateId: lt.id, version: lt.latestVersion.apply(String) };
    const mixed = p.spot || p.instanceTypes.length > 1;
    const asg = new autoscaling.Group(
      `${name}-nodes`,
      {
        name: `${c.name}-${p.name}`,
        minSize: p.minSize,
        maxSize: p.maxSize,
        desiredCapacity: p.desiredCapacity,
        vpcZoneIdentifiers: subnets,
        ...(mixed
          ? {
              mixedInstancesPolicy: {
                launchTemplate: {
                  launchTemplateSpecification: launchTemplate,
                  overrides: p.instanceTypes.map((instanceType) => ({ instanceType })),
                },
                instancesDistribution: {
                  onDemandBaseCapacity: p.spot?.onDemandBase ?? p.maxSize,
                  onDemandPercentageAboveBaseCapacity: p.spot?.onDemandPercentageAboveBase ?? 100,
                  spotAllocationStrategy: "price-capacity-optimized",
                },
              },
              // Replace spot instances at elevated interruption risk before they are reclaimed.
              capacityRebalance: Boolean(p.spot),
            }
          : { launchTemplate: { id: lt.id, version: lt.latestVersion.apply(String) } }),
        serviceLinkedRoleArn: args.autoscalingRoleArn,
        healthCheckType: "EC2",
        healthCheckGracePeriod: 300,
        // A changed launch template starts a refresh that `pulumi up` does not wait for: the
        // upgrade order (etcd, control plane, pools) is kept by the change report, one stage per
        // update (README: Upgrades). Each replaced node is drained first (the terminating hook).
        // maxHealthyPercentage 100: terminate before launching, so a pool at maxSize still rolls.
        instanceRefresh: {
          strategy: "Rolling",
          preferences: {
            minHealthyPercentage: p.minHealthyPercentage,
            maxHealthyPercentage: 100,
            instanceWarmup: "300",
            skipMatching: true,
          },
        },
        tags: asgTags({ ...tags, ...autoscalerTags(c.name, labels, p) }),
      },
      {
        parent: this,
        ignoreChanges: ["desiredCapacity"],
        dependsOn: [...args.bootPrerequisites, ...args.apiEndpoint],
      },
    );

    if (c.addons.nodeTerminationHandler) terminatingHook(`${name}-drain`, asg.name, this);

    this.asgName = asg.name;
    this.registerOutputs({ asgName: this.asgName });
  }
}

/**
 * cluster-autoscaler discovery tags and node-template tags, so it can scale a pool up from zero
 * knowing the labels and taints its nodes will have.
 */
export function autoscalerTags(cluster: string, labels: Record<string, string>, p: WorkerPoolConfig): Record<string, string> {
  const out: Record<string, string> = {
    "k8s.io/cluster-autoscaler/enabled": "true",
    [`k8s.io/cluster-autoscaler/${cluster}`]: "owned",
    [`kubernetes.io/cluster/${cluster}`]: "owned",
  };
  for (const [key, value] of Object.entries(labels)) out[`k8s.io/cluster-autoscaler/node-template/label/${key}`] = value;
  for (const t of p.taints)
    out[`k8s.io/cluster-autoscaler/node-template/taint/${t.key}`] = formatTaint(t).split("=").slice(1).join("=") || `:${t.effect}`;
  return out;
}
