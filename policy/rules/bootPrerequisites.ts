/**
 * Boot prerequisites exist before the instance that needs them. An auto scaling group launches as
 * soon as it is created, and the engine creates a resource only after everything it depends on;
 * so each group must depend, directly or transitively, on what its nodes read at boot: the SSM
 * parameters in the secrets manifest of its launch template's user data, the instance profile and
 * its role with every inline policy and attachment on it, and, for workers (they join through the
 * load balancer), the API endpoint. Otherwise a `pulumi up` can boot a node that fails to fetch a
 * secret, has no permission yet, or finds no API to join.
 *
 * Edges: dependencies, property dependencies and the parent (a child registers only after its
 * parent, which registers only after its own dependencies). Reads outputs, as stack policies get.
 */
import { parse } from "yaml";
import { decodeUserData } from "../../bootstrap/cloudInit";
import { SECRETS_MANIFEST_PATH } from "../../bootstrap/types";
import { API_PORT } from "./apiTargets";
import type { Finding } from "./finding";
import { Graph, GraphResource, T, dependsThrough, resolveRefs, roleOf } from "./graph";
import { asList, asNumber, asRecord, isUnknown } from "./unknown";

/** Type tokens only this rule reads (graph.ts's T holds the shared ones). */
export const BOOT_T = {
  parameter: "aws:ssm/parameter:Parameter",
  instanceProfile: "aws:iam/instanceProfile:InstanceProfile",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  record: "aws:route53/record:Record",
} as const;

/** Resource URN → its parent's URN (GraphResource carries no parent). */
export type Parents = ReadonlyMap<string, string>;

/** What a launch template's boot reads from SSM. */
export interface BootParameters {
  parameters: string[];
  /** The user data is unknown (preview): nothing can be said about the parameters. */
  unknown: boolean;
  /** Why a cloud-config could not be read. */
  error?: string;
}

/**
 * Parameter names in the secrets manifest (`parameter<TAB>path<TAB>mode` lines) of base64 user
 * data, gzipped or not (bootstrap/cloudInit.ts encodeUserData). User data that is not a
 * cloud-config, or has no manifest, reads nothing.
 */
export function bootParameters(userData: unknown): BootParameters {
  if (isUnknown(userData)) return { parameters: [], unknown: true };
  if (typeof userData !== "string") return { parameters: [], unknown: false };
  let doc: unknown;
  try {
    const text = decodeUserData(userData);
    if (!text.startsWith("#cloud-config")) return { parameters: [], unknown: false };
    doc = parse(text);
  } catch (e) {
    return { parameters: [], unknown: false, error: e instanceof Error ? e.message : String(e) };
  }
  const manifest = asList(asRecord(doc)?.write_files)
    .map(asRecord)
    .find((f) => f?.path === SECRETS_MANIFEST_PATH);
  if (!manifest) return { parameters: [], unknown: false };
  if (typeof manifest.content !== "string") {
    return { parameters: [], unknown: false, error: `${SECRETS_MANIFEST_PATH} has no plain-text content` };
  }
  const parameters = manifest.content
    .split("\n")
    .map((line) => line.split("\t")[0].trim())
    .filter((p) => p !== "");
  return { parameters: [...new Set(parameters)], unknown: false };
}

function directDependencies(r: GraphResource): string[] {
  return [...r.dependencies, ...Object.values(r.propertyDependencies).flat()];
}

/** Every URN the engine creates before `from`. */
export function prerequisitesOf(g: Graph, from: GraphResource, parents: Parents): Set<string> {
  const seen = new Set<string>();
  const todo = [from.urn];
  for (let urn = todo.pop(); urn !== undefined; urn = todo.pop()) {
    const r = g.byUrn.get(urn);
    const next = r ? directDependencies(r) : [];
    const parent = parents.get(urn);
    if (parent) next.push(parent);
    for (const n of next) {
      if (n === from.urn || seen.has(n)) continue;
      seen.add(n);
      todo.push(n);
    }
  }
  return seen;
}

const known = (v: unknown): v is string => typeof v === "string" && v !== "" && !isUnknown(v);

/** Role policies and attachments on `role`: by name/ID/ARN, or through the `role` property's dependencies while unknown. */
function policiesOn(g: Graph, role: GraphResource): GraphResource[] {
  // Only a known `role` is looked up, so unknown or empty IDs in the set never match.
  const ids = new Set([role.props.name, role.props.id, role.props.arn]);
  return g.resources.filter(
    (r) =>
      (r.type === BOOT_T.rolePolicy || r.type === BOOT_T.rolePolicyAttachment) &&
      ((known(r.props.role) && ids.has(r.props.role)) || dependsThrough(r, "role", role.urn)),
  );
}

/** Instance profiles (and their roles) a launch template names; unresolved or unknown references add nothing. */
function identityOf(g: Graph, lt: GraphResource): { profiles: GraphResource[]; roles: GraphResource[] } {
  const raw = lt.props.iamInstanceProfile;
  const ref = asRecord(raw);
  // A whole-record unknown is resolved through the property's dependencies like an unknown ARN.
  const value = isUnknown(raw) ? raw : (ref?.arn ?? ref?.name);
  const profiles = resolveRefs(g, lt, "iamInstanceProfile", value, BOOT_T.instanceProfile, ["arn", "name", "id"]).targets;
  const roles = profiles.flatMap((p) => resolveRefs(g, p, "role", p.props.role, BOOT_T.role, ["name", "id", "arn"]).targets);
  return { profiles, roles };
}

/** Where worker nodes reach the API: TCP 6443 listeners and `api.` DNS records. */
function apiEndpoint(g: Graph): GraphResource[] {
  return g.resources.filter(
    (r) =>
      (r.type === T.listener && asNumber(r.props.port) === API_PORT) ||
      (r.type === BOOT_T.record && known(r.props.name) && r.props.name.startsWith("api.")),
  );
}

export function bootPrerequisiteProblems(g: Graph, parents: Parents = new Map()): Finding[] {
  const out: Finding[] = [];
  const params = g.resources.filter((r) => r.type === BOOT_T.parameter);
  const paramsNamed = (name: string) => params.filter((p) => p.props.name === name);
  // A parameter whose name is unknown may be the one a boot reads: then absence proves nothing.
  const someParamNameUnknown = params.some((p) => isUnknown(p.props.name));
  const endpoint = apiEndpoint(g);

  for (const asg of g.resources.filter((r) => r.type === T.asg)) {
    const group = `auto scaling group ${asg.name}`;
    const before = prerequisitesOf(g, asg, parents);
    // URN → what it is, for the message; a Map so a prerequisite shared by two templates is named once.
    const required = new Map<string, string>();
    const templates = [...new Set(directDependencies(asg))]
      .map((u) => g.byUrn.get(u))
      .filter((r): r is GraphResource => r?.type === T.launchTemplate);

    for (const lt of templates) {
      const boot = bootParameters(lt.props.userData);
      if (boot.error !== undefined) {
        out.push({
          urn: asg.urn,
          message: `${group}: the user data of launch template ${lt.name} cannot be read (${boot.error}), so the SSM parameters its boot fetches are unknown to the policy; render it with bootstrap/cloudInit.ts.`,
        });
      }
      for (const name of boot.parameters) {
        const found = paramsNamed(name);
        if (found.length === 0 && !someParamNameUnknown) {
          out.push({
            urn: asg.urn,
            message: `${group} boots nodes that read SSM parameter ${name} (secrets manifest of launch template ${lt.name}), but no resource in the stack creates it: create it in this stack (components/nodeCommon.ts secureParameter) or drop it from the manifest.`,
          });
        }
        for (const p of found) required.set(p.urn, `SSM parameter ${name} (${p.name}), which its boot reads`);
      }
      const { profiles, roles } = identityOf(g, lt);
      for (const p of profiles) required.set(p.urn, `instance profile ${p.name} of launch template ${lt.name}`);
      for (const role of roles) {
        required.set(role.urn, `IAM role ${role.name} of its instance profile`);
        for (const pol of policiesOn(g, role)) {
          const kind = pol.type === BOOT_T.rolePolicy ? "role policy" : "role policy attachment";
          required.set(pol.urn, `${kind} ${pol.name} on IAM role ${role.name}`);
        }
      }
    }

    if (roleOf(asg.props) === "worker") {
      for (const e of endpoint) {
        const what = e.type === T.listener ? `listener ${e.name} (TCP ${API_PORT})` : `DNS record ${String(e.props.name)} (${e.name})`;
        required.set(e.urn, `the API endpoint's ${what}, through which its nodes join`);
      }
    }

    for (const [urn, what] of required) {
      if (before.has(urn)) continue;
      out.push({
        urn: asg.urn,
        message: `${group} does not depend on ${what}, so an instance can boot before it exists: add it to the group's dependsOn.`,
      });
    }
  }
  return out;
}
