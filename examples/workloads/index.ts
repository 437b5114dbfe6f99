/**
 * Deploying workloads on a kubestead cluster with Pulumi's Kubernetes provider. The cluster stack
 * itself never talks to the Kubernetes API (its control plane applies its own add-ons); a project
 * like this one does, so run it where the API load balancer is reachable: inside the VPC, over its
 * VPN, or anywhere when the load balancer is internet-facing and your address is in allowedCidrs.
 *
 *   cd examples/workloads && pulumi stack init dev
 *   pulumi config set clusterStack <org>/kubestead/dev
 *   pulumi up
 */
import { Deployment } from "@pulumi/kubernetes/apps/v1/deployment";
import { Namespace } from "@pulumi/kubernetes/core/v1/namespace";
import { Provider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const cluster = new pulumi.StackReference(config.require("clusterStack"));

// The exported kubeconfig dials the load balancer and verifies the API's stable name (tls-server-name).
const provider = new Provider("kubestead", {
  kubeconfig: cluster.requireOutput("adminKubeconfig") as pulumi.Output<string>,
  enableServerSideApply: true,
});

const ns = new Namespace("hello", { metadata: { name: "hello" } }, { provider });

const labels = { app: "hello" };
export const deployment = new Deployment(
  "hello",
  {
    metadata: { namespace: ns.metadata.name, name: "hello" },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          // Spread over zones: the cluster's nodes span three.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: labels },
            },
          ],
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "hello",
              image: "registry.k8s.io/e2e-test-images/agnhost:2.53",
              args: ["netexec", "--http-port=8080"],
              ports: [{ containerPort: 8080 }],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
                runAsUser: 65534,
              },
            },
          ],
        },
      },
    },
  },
  { provider },
).metadata.name;
