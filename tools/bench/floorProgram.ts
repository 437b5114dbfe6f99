/**
 * The benchmark's floor: N bare custom resources of a fake type and no inputs, registered through
 * the same mock runtime as the real program. What is left over when the program does no work:
 * SDK registration, the mock monitor and tools/offline/runtime.ts's recording of each resource.
 * N comes from config (`bench:resources`) so it travels the same path as a stack's config.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerModules } from "./providerModules";

/** A custom resource with no inputs; AwsEmulator.generic echoes non-AWS types with a derived ID. */
class Bare extends pulumi.CustomResource {
  constructor(name: string) {
    super("kubestead:bench:Bare", name, {}, {});
  }
}

const config = new pulumi.Config("bench");
if (config.getBoolean("providers")) {
  // The reference floor: the provider SDK modules the program imports, loaded as it loads them,
  // so the difference to the plan is the program's own work.
  for (const m of providerModules()) require(m);
}
const count = config.requireNumber("resources");
for (let i = 0; i < count; i++) new Bare(`bare-${i}`);
