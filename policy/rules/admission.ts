/**
 * What the control plane admits, read from what its nodes boot with: the kube-apiserver static pod
 * manifest and the AdmissionConfiguration it points at, both files of the control-plane launch
 * template's cloud-config (decoded like bootPrerequisites.ts does). Two rules:
 *
 * - Pod Security Admission enforces at least baseline cluster-wide, exempting no namespace beyond
 *   the allowed ones (kube-system, where the add-ons run with host access) and no user or runtime
 *   class. PodSecurity is a default plugin; without a configuration it enforces "privileged",
 *   i.e. nothing.
 * - AlwaysPullImages is enabled (CIS 1.2.11), so no pod runs a private image that another
 *   namespace's credentials pulled onto the node.
 */
import { createHash } from "node:crypto";
import { parse } from "yaml";
import { BOOT_SCRIPT_PATH } from "../../bootstrap/bootScript";
import { decodeUserData } from "../../bootstrap/cloudInit";
import { MANIFEST } from "../../bootstrap/controlPlane/paths";
import { flagsOf, listOf } from "../../lib/cis/flags";
import { asList, asRecord, isUnknown } from "./unknown";

/** The Pod Security Standards levels that keep privileged pods out (bootstrap/controlPlane/admissionConfig.ts lists all three). */
const ENFORCING = ["baseline", "restricted"];

export interface NodeFiles {
  /** Path → content of the cloud-config's write_files. */
  files: Map<string, string>;
  /** The user data is unknown (preview): nothing can be said. */
  unknown: boolean;
  /** Why the user data could not be read. */
  error?: string;
}

/** The files a base64 (gzipped or not) cloud-config user data writes. */
export function userDataFiles(userData: unknown): NodeFiles {
  if (isUnknown(userData)) return { files: new Map(), unknown: true };
  if (typeof userData !== "string" || userData === "") return { files: new Map(), unknown: false, error: "it has no user data" };
  try {
    const text = decodeUserData(userData);
    if (!text.startsWith("#cloud-config")) return { files: new Map(), unknown: false, error: "its user data is not a cloud-config" };
    const files = new Map<string, string>();
    for (const f of asList(asRecord(parse(text))?.write_files).map(asRecord)) {
      if (typeof f?.path === "string" && typeof f.content === "string") files.set(f.path, f.content);
    }
    return { files, unknown: false };
  } catch (e) {
    return { files: new Map(), unknown: false, error: `its user data cannot be read (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** A node file kept in the add-on store (an aws:s3 BucketObjectv2 with metadata.path). */
export interface StoredObject {
  path: string;
  content: string;
}

/**
 * The files a node has after boot: its user data's, plus those its boot script installs from the
 * add-on store (`install_stored NAME SHA256 PATH MODE`, bootstrap/storedFiles.ts), taken from the
 * stored object for that path — and only when its content matches the sha256 the user data pins.
 */
export function withStoredFiles(nf: NodeFiles, stored: StoredObject[]): NodeFiles {
  if (nf.unknown || nf.error) return nf;
  const script = nf.files.get(BOOT_SCRIPT_PATH);
  if (script === undefined) return nf;
  const files = new Map(nf.files);
  for (const m of script.matchAll(/^install_stored '([^']+)' '([a-f0-9]{64})' '([^']+)' '[0-7]+'$/gm)) {
    const [, name, sha, path] = m;
    const obj = stored.find((o) => o.path === path);
    if (!obj || isUnknown(obj.content)) {
      if (obj) return { files, unknown: true };
      return { files, unknown: false, error: `its boot installs ${path} from the add-on store (${name}), but no stored object carries it` };
    }
    if (createHash("sha256").update(obj.content, "utf8").digest("hex") !== sha)
      return {
        files,
        unknown: false,
        error: `the stored ${path} does not match the sha256 its user data pins, so the node would refuse it`,
      };
    files.set(path, obj.content);
  }
  return { files, unknown: false };
}

interface ApiServer {
  flags: Map<string, string>;
  /** The problem instead, when the manifest is missing or unreadable. */
  problem?: string;
}

function apiServer(nf: NodeFiles): ApiServer {
  if (nf.error) return { flags: new Map(), problem: `${nf.error}, so the apiserver's admission settings are unknown to the policy` };
  const text = nf.files.get(MANIFEST.apiServer);
  if (text === undefined)
    return {
      flags: new Map(),
      problem: `its user data writes no ${MANIFEST.apiServer}, so the apiserver's admission settings are unknown to the policy; render it with bootstrap/controlPlane/files.ts`,
    };
  try {
    return { flags: flagsOf(text) };
  } catch (e) {
    return { flags: new Map(), problem: `${MANIFEST.apiServer} cannot be read (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** The PodSecurity plugin's configuration in the admission config file (inline, or a `path` to another file). */
function podSecurityConfiguration(nf: NodeFiles, flags: Map<string, string>): { config?: Record<string, unknown>; problem?: string } {
  const path = flags.get("admission-control-config-file");
  const none =
    "so Pod Security Admission runs with its built-in defaults, which enforce privileged (nothing); render it with bootstrap/controlPlane/admissionConfig.ts";
  if (!path) return { problem: `the apiserver has no --admission-control-config-file, ${none}` };
  const text = nf.files.get(path);
  if (text === undefined) return { problem: `the admission config ${path} is not in the user data, ${none}` };
  let plugin: Record<string, unknown> | undefined;
  try {
    plugin = asList(asRecord(parse(text))?.plugins)
      .map(asRecord)
      .find((p) => p?.name === "PodSecurity");
  } catch (e) {
    return { problem: `the admission config ${path} cannot be read (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!plugin) return { problem: `the admission config ${path} configures no PodSecurity plugin, ${none}` };
  const inline = asRecord(plugin.configuration);
  if (inline) return { config: inline };
  const ref = typeof plugin.path === "string" ? nf.files.get(plugin.path) : undefined;
  const fromFile = ref === undefined ? undefined : asRecord(parse(ref));
  return fromFile
    ? { config: fromFile }
    : { problem: `the PodSecurity configuration in ${path} has no content the policy can read, ${none}` };
}

export function podSecurityProblems(userData: unknown, allowedExemptNamespaces: string[], stored: StoredObject[] = []): string[] {
  const nf = withStoredFiles(userDataFiles(userData), stored);
  if (nf.unknown) return [];
  const api = apiServer(nf);
  if (api.problem) return [api.problem];
  if (listOf(api.flags, "disable-admission-plugins").includes("PodSecurity"))
    return ["the apiserver disables the PodSecurity admission plugin (--disable-admission-plugins): remove it from that flag."];
  const { config, problem } = podSecurityConfiguration(nf, api.flags);
  if (problem) return [problem];
  const out: string[] = [];
  const defaults = asRecord(config?.defaults) ?? {};
  const enforce = typeof defaults.enforce === "string" ? defaults.enforce : "privileged";
  if (!ENFORCING.includes(enforce)) {
    out.push(
      `Pod Security Admission enforces "${enforce}" by default, which admits privileged, host-network and hostPath pods in every namespace: enforce at least baseline (kubestead:controlPlane.podSecurity.enforce).`,
    );
  }
  const exemptions = asRecord(config?.exemptions) ?? {};
  const extra = asList(exemptions.namespaces).filter((n) => typeof n === "string" && !allowedExemptNamespaces.includes(n));
  if (extra.length > 0) {
    out.push(
      `Pod Security Admission exempts namespace(s) ${extra.join(", ")} beyond the allowed ${allowedExemptNamespaces.join(", ") || "none"}: pods there run unchecked; drop them from kubestead:controlPlane.podSecurity.exemptNamespaces or add them to allowedExemptNamespaces in the policy config.`,
    );
  }
  for (const kind of ["usernames", "runtimeClasses"]) {
    const list = asList(exemptions[kind]);
    if (list.length > 0)
      out.push(
        `Pod Security Admission exempts ${kind} ${list.join(", ")}: any pod they create, or that uses them, skips the check in every namespace; remove the exemption.`,
      );
  }
  return out;
}

export function alwaysPullImagesProblems(userData: unknown, stored: StoredObject[] = []): string[] {
  const nf = withStoredFiles(userDataFiles(userData), stored);
  if (nf.unknown) return [];
  const api = apiServer(nf);
  if (api.problem) return [api.problem];
  const enabled = listOf(api.flags, "enable-admission-plugins").includes("AlwaysPullImages");
  const disabled = listOf(api.flags, "disable-admission-plugins").includes("AlwaysPullImages");
  if (enabled && !disabled) return [];
  return [
    "the apiserver does not enable the AlwaysPullImages admission plugin (CIS 1.2.11): a pod on a node can run any private image another namespace's credentials pulled there; set kubestead:controlPlane.alwaysPullImages to true.",
  ];
}
