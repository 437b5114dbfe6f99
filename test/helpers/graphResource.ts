/** A planned resource for the policy rules' unit tests: its dependencies are those of its properties. */
import type { EtcdMemberView } from "../../policy/rules/etcdQuorum";
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

/** etcd member `i` as the quorum rule sees it: one instance in `zone`, its volume there too. */
export function etcdMemberView(i: number, zone: string, over: Partial<EtcdMemberView> = {}): EtcdMemberView {
  return {
    urn: `urn:m${i}`,
    name: `m${i}`,
    member: String(i),
    maxSize: 1,
    zones: { zones: [zone], unknown: false, unresolved: [] },
    volume: { urn: `urn:v${i}`, zone },
    ...over,
  };
}
