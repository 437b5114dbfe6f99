/**
 * The benchmark's floor: N bare custom resources of a fake type and no inputs, registered through
 * the same mock runtime as the real program. What is left over when the program does no work:
 * SDK registration, the mock monitor and tools/offline/runtime.ts's recording of each resource.
 * N comes from config (`bench:resources`) so it travels the same path as a stack's config.
 */
import * as pulumi from "@pulumi/pulumi";

/** A custom resource with no inputs; AwsEmulator.generic echoes non-AWS types with a derived ID. */
class Bare extends pulumi.CustomResource {
  constructor(name: string) {
    super("kubestead:bench:Bare", name, {}, {});
  }
}

const config = new pulumi.Config("bench");
if (config.getBoolean("providers")) {
  // The reference floor: the provider SDKs the real program imports, loaded as it loads them, so
  // the difference to the plan is the program's own per-resource work.
  const aws = require("@pulumi/aws");
  for (const service of ["autoscaling", "ebs", "ec2", "iam", "kms", "lb", "route53", "s3", "ssm", "vpc"]) void aws[service];
  const k8s = require("@pulumi/kubernetes");
  void [k8s.Provider, k8s.helm.v3.Release, k8s.yaml.v2.ConfigGroup];
  require("@pulumi/tls");
  require("@pulumi/random");
  require("@pulumi/command");
}
const count = config.requireNumber("resources");
for (let i = 0; i < count; i++) new Bare(`bare-${i}`);
