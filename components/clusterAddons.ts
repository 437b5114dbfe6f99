import * as command from "@pulumi/command";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import { Provider } from "@pulumi/kubernetes/provider";
import { ConfigGroup } from "@pulumi/kubernetes/yaml/v2/configGroup";
import * as pulumi from "@pulumi/pulumi";
import { ciliumChart, ciliumValues } from "../bootstrap/addons/cilium";
import { cloudControllerManagerObjects } from "../bootstrap/addons/cloudControllerManager";
import { clusterAutoscalerChart, clusterAutoscalerValues } from "../bootstrap/addons/clusterAutoscaler";
import { corednsObjects } from "../bootstrap/addons/coredns";
import { csrApproverChart, csrApproverValues } from "../bootstrap/addons/csrApprover";
import { ebsCsiChart, ebsCsiValues } from "../bootstrap/addons/ebsCsi";
import { kubeProxyObjects } from "../bootstrap/addons/kubeProxy";
import { metricsServerChart, metricsServerValues } from "../bootstrap/addons/metricsServer";
import { bootstrapTokenSecret, nodeBootstrapRbac } from "../bootstrap/addons/nodeBootstrap";
import { HelmChartRef, K8sObject } from "../bootstrap/addons/objects";
import { ClusterConfig } from "../lib/config/types";
import { readinessGateScript } from "../lib/readiness";

export interface ClusterAddonsArgs {
  config: ClusterConfig;
  /** Admin kubeconfig (secret) pointing at the API load balancer. */
  adminKubeconfig: pulumi.Output<string>;
  apiDnsName: pulumi.Output<string>;
  kubernetesCaCertPem: pulumi.Output<string>;
  vpcCidr: pulumi.Output<string>;
  bootstrapTokenId: pulumi.Output<string>;
  bootstrapTokenSecret: pulumi.Output<string>;
  /** Resources the API depends on (the control-plane group): the gate starts polling after them. */
  controlPlane: pulumi.Resource;
}

/**
 * Everything applied inside the cluster, through a Kubernetes provider built from the admin
 * kubeconfig — and only after a gate has seen the apiserver answer /readyz through the API load
 * balancer, so a first `pulumi up` waits for the control plane instead of failing.
 */
export class ClusterAddons extends pulumi.ComponentResource {
  public readonly readinessGate: command.local.Command;
  public readonly provider: Provider;

  constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:ClusterAddons", name, {}, opts);
    const c = args.config;
    const k = c.kubernetes;

    this.readinessGate = new command.local.Command(
      `${name}-apiserver-ready`,
      {
        create: readinessGateScript(),
        environment: {
          KUBESTEAD_API: pulumi.interpolate`https://${args.apiDnsName}:6443`,
          KUBESTEAD_CA_PEM: args.kubernetesCaCertPem,
          KUBESTEAD_TIMEOUT_SECONDS: "1200",
        },
        triggers: [args.apiDnsName],
      },
      { parent: this, dependsOn: [args.controlPlane] },
    );

    this.provider = new Provider(
      `${name}-provider`,
      {
        kubeconfig: args.adminKubeconfig,
        enableServerSideApply: true,
      },
      { parent: this, dependsOn: [this.readinessGate] },
    );
    const inCluster = { parent: this, provider: this.provider, dependsOn: [this.readinessGate] };

    const objects = (id: string, objs: pulumi.Input<K8sObject[]>, extra: pulumi.CustomResourceOptions = {}) =>
      new ConfigGroup(`${name}-${id}`, { objs: objs as pulumi.Input<pulumi.Input<Record<string, unknown>>[]> }, { ...inCluster, ...extra });
    const chart = (id: string, ref: HelmChartRef, values: pulumi.Input<Record<string, unknown>>, deps: pulumi.Resource[] = []) =>
      new Release(
        `${name}-${id}`,
        {
          chart: ref.chart,
          version: ref.version,
          namespace: ref.namespace,
          repositoryOpts: { repo: ref.repo },
          values,
          atomic: true,
          timeout: 600,
        },
        { ...inCluster, dependsOn: [this.readinessGate, ...deps] },
      );

    // Node join: the bootstrap token (a secret object) and the RBAC that lets kubelets use it.
    objects(
      "node-bootstrap",
      pulumi.secret(
        pulumi
          .all([args.bootstrapTokenId, args.bootstrapTokenSecret])
          .apply(([tokenId, tokenSecret]) => [bootstrapTokenSecret({ tokenId, tokenSecret }), ...nodeBootstrapRbac()]),
      ),
    );
    const ccm = objects(
      "cloud-controller-manager",
      cloudControllerManagerObjects({
        version: c.addons.cloudControllerManagerVersion,
        clusterName: c.name,
        podCidr: k.podCidr,
        region: c.region,
      }),
    );
    objects(
      "kube-proxy",
      args.apiDnsName.apply((dns) =>
        kubeProxyObjects({ kubernetesVersion: k.version, podCidr: k.podCidr, apiServerUrl: `https://${dns}:6443`, mode: k.proxyMode }),
      ),
    );
    const cni = chart(
      "cilium",
      ciliumChart({ version: c.addons.ciliumVersion }),
      args.apiDnsName.apply((dns) =>
        ciliumValues({ version: c.addons.ciliumVersion, clusterName: c.name, apiServerHost: dns, apiServerPort: 6443 }),
      ),
      [ccm],
    );
    const dns = objects(
      "coredns",
      corednsObjects({ version: c.addons.corednsVersion, clusterDnsIp: k.clusterDnsIp, clusterDomain: k.clusterDomain }),
      { dependsOn: [this.readinessGate, cni] },
    );
    // The approver's pods need pod networking and cluster DNS (it resolves every name in a CSR);
    // an atomic release installed before them times out and rolls back, failing `pulumi up`.
    const approver = chart(
      "csr-approver",
      csrApproverChart({ chartVersion: c.addons.charts.csrApprover }),
      args.vpcCidr.apply((vpcCidr) => csrApproverValues({ chartVersion: c.addons.charts.csrApprover, region: c.region, vpcCidr })),
      [cni, dns],
    );
    // metrics-server turns ready only once it can scrape kubelets over their approved serving certificates.
    if (c.addons.metricsServer)
      chart("metrics-server", metricsServerChart(c.addons.charts.metricsServer), metricsServerValues(), [cni, approver]);
    if (c.addons.clusterAutoscaler) {
      chart(
        "cluster-autoscaler",
        clusterAutoscalerChart({ chartVersion: c.addons.charts.clusterAutoscaler }),
        clusterAutoscalerValues({
          chartVersion: c.addons.charts.clusterAutoscaler,
          imageVersion: c.addons.clusterAutoscalerVersion,
          clusterName: c.name,
          region: c.region,
        }),
        [cni],
      );
    }
    if (c.addons.ebsCsiDriver)
      chart("ebs-csi-driver", ebsCsiChart(c.addons.charts.ebsCsiDriver), ebsCsiValues({ clusterName: c.name, region: c.region }), [cni]);
    this.registerOutputs({});
  }
}
