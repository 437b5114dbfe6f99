/**
 * The offline plan: every resource the stack program registered under the mock runtime, with
 * the options the engine would see. Written as JSON by `npm run plan`, read by the report, the
 * policy runner and `npm run render`. Secret values are replaced by SECRET_MASK in the JSON
 * file; in memory (`PlanResource.inputs/outputs`) they are plain and `secretPaths` lists them.
 */

export const SECRET_MASK = "[secret]";

/** How a plan made with --preview shows a value not known until deployment (the SDK's unknownValue). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface PlanResourceOptions {
  protect: boolean;
  ignoreChanges: string[];
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  additionalSecretOutputs: string[];
  aliases: string[];
}

export interface PlanResource {
  urn: string;
  /** Pulumi type token, e.g. aws:ec2/vpc:Vpc or kubestead:components:Network. */
  type: string;
  name: string;
  /** true for provider-backed resources, false for components. */
  custom: boolean;
  id?: string;
  /** URN of the parent, undefined for the stack itself. */
  parent?: string;
  provider?: string;
  /** URNs this resource depends on (explicit and through inputs). */
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  options: PlanResourceOptions;
  /** Dotted property paths (in inputs or outputs, prefixed `inputs.` / `outputs.`) that are secret. */
  secretPaths: string[];
}

export interface Plan {
  project: string;
  stack: string;
  /** ISO time the plan was made. */
  createdAt: string;
  resources: PlanResource[];
  /** Stack outputs; secret ones masked in the JSON file. */
  outputs: Record<string, unknown>;
  secretOutputs: string[];
}
