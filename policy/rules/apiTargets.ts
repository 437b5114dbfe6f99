/** The API server's load balancer pieces, found by tag: shared by the control-plane and load-balancer rules. */
import { Graph, GraphResource, T, withRole } from "./graph";
import { asNumber } from "./unknown";

export const API_PORT = 6443;

/** Target groups tagged role api-lb on port 6443. */
export function apiTargetGroups(g: Graph): GraphResource[] {
  return withRole(g, T.targetGroup, "api-lb").filter((tg) => asNumber(tg.props.port) === API_PORT);
}
