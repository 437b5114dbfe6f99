/** A planned resource for the policy rules' unit tests: its dependencies are those of its properties. */
import type { GraphResource } from "../../policy/rules/graph";

export function graphResource(
  urn: string,
  type: string,
  props: Record<string, unknown>,
  propertyDependencies: Record<string, string[]> = {},
  name: string = urn,
): GraphResource {
  return {
    urn,
    type,
    name,
    props,
    protect: false,
    dependencies: [...new Set(Object.values(propertyDependencies).flat())],
    propertyDependencies,
  };
}
