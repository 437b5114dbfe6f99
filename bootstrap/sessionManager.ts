/**
 * The boot step that installs the SSM agent when kubestead:sessionManager asks for it. Debian's
 * images ship none; the agent's Debian package is pinned by version and sha256 and verified by the
 * boot script's install_release before dpkg ever reads it. Every node role runs this step first,
 * so a node whose later steps fail can still be reached while its group replaces it. Best effort:
 * a shell is a convenience, never a boot prerequisite, so a withdrawn release, a bad checksum or an
 * S3 error logs a warning and the boot goes on (a failed boot would have every group, etcd
 * members included, replace its nodes in a loop).
 */
import { sessionManagerAgentUrl, type SessionManagerAgent } from "../lib/config/sessionManager";

/** Where the verified package is put for dpkg (removed once installed). */
export function sessionManagerPackagePath(a: SessionManagerAgent): string {
  return `/var/cache/kubestead/amazon-ssm-agent_${a.version}_${a.arch}.deb`;
}

/** The systemd unit the package installs. */
export const SSM_AGENT_UNIT = "amazon-ssm-agent.service";

const VERSION = /^\d+\.\d+\.\d+\.\d+$/;
const SHA256 = /^[0-9a-f]{64}$/;

export function renderSessionManagerStep(a: SessionManagerAgent): string {
  // Values are single-quoted below: only a shape that cannot escape the quoting gets through.
  if (!VERSION.test(a.version) || !SHA256.test(a.sha256)) {
    throw new Error(
      `session manager step: version ${JSON.stringify(a.version)} and sha256 ${JSON.stringify(a.sha256)} must be an SSM agent release (3.3.1802.0) and a lowercase hex sha256: check kubestead:sessionManager`,
    );
  }
  const deb = sessionManagerPackagePath(a);
  return [
    "# Session Manager (kubestead:sessionManager): the pinned SSM agent, checksum verified before dpkg reads it.",
    "# In a subshell: install_release's die ends only the subshell, and the boot goes on without the agent.",
    "if (",
    `  install_release '${sessionManagerAgentUrl(a.version, a.arch)}' '${a.sha256}' '${deb}' &&`,
    `    DEBIAN_FRONTEND=noninteractive dpkg -i '${deb}' &&`,
    `    systemctl enable --now ${SSM_AGENT_UNIT}`,
    "); then",
    `  log "Session Manager agent ${a.version} installed and started"`,
    "else",
    `  log "WARNING: the Session Manager agent ${a.version} could not be installed; this node boots without it (check kubestead:sessionManager)"`,
    "fi",
    `rm -f '${deb}'`,
    "",
  ].join("\n");
}
