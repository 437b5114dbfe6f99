/**
 * Who may join as which node. A bootstrap token lets its holder ask for a kubelet client
 * certificate under any `system:node:<name>`; instead of approving every such request (the
 * `nodeclient` auto-approval kubeadm sets up), a control-plane timer approves one only when EC2
 * says the name is a running worker of this cluster:
 *
 * - the request comes from a bootstrap token (renewals by a node's own certificate stay with the
 *   controller manager's `selfnodeclient` approval) and asks for the kubelet client signer;
 * - its subject is exactly `O=system:nodes, CN=system:node:<name>` with client-auth usages;
 * - exactly one pending or running instance has that private DNS name, tagged with this cluster and
 *   the worker role (so no worker credential can claim a control-plane or another cluster's name);
 * - no Node of that name exists yet (a token cannot take over a registered node).
 *
 * A request that fails a check on its own content, or names an instance that is not one of this
 * cluster's workers, is denied; one whose name EC2 doesn't know yet, or whose Node still exists
 * (an instance replaced under a reused address), is left pending and looked at again next run.
 */
import { renderUnit } from "../systemd";
import type { StoredNodeFile } from "../storedFiles";

export const CSR_VERIFIER_PATH = "/opt/kubestead/bin/node-csr-verify.sh";
export const CSR_VERIFIER_ENV_PATH = "/etc/kubestead/node-csr-verify.env";
export const CSR_VERIFIER_UNIT = "kubestead-node-csr-verify";
/** The signer of kubelet client certificates. */
export const KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";

// String.raw keeps bash backslashes; the script avoids `${`, which a template substitutes.
const SCRIPT = String.raw`#!/usr/bin/env bash
# Approves kubelet client certificate requests from bootstrap tokens only for this cluster's
# running workers (bootstrap/addons/nodeCsrVerifier.ts).
set -euo pipefail
# shellcheck source=/dev/null
. /etc/kubestead/node-csr-verify.env
: "$CLUSTER" "$AWS_REGION" "$KUBECONFIG_PATH"
readonly SIGNER="kubernetes.io/kube-apiserver-client-kubelet"

log() { echo "node-csr-verify: $*" >&2; }
k() { kubectl --kubeconfig "$KUBECONFIG_PATH" --request-timeout=30s "$@"; }

# subject_of BASE64_PEM: the request's subject, one RDN per line (O=..., CN=...).
subject_of() {
  printf '%s' "$1" | base64 -d | openssl req -noout -subject -nameopt sep_multiline,utf8 2>/dev/null |
    sed -n 's/^ *\([A-Z]*\)=\(.*\)$/\1=\2/p'
}

# instance_role NAME: "<cluster tag> <role tag>" of each pending or running instance with that
# private DNS name, one line each.
instance_roles() {
  aws ec2 describe-instances --region "$AWS_REGION" \
    --filters "Name=private-dns-name,Values=$1" "Name=instance-state-name,Values=pending,running" \
    --query "Reservations[].Instances[].[Tags[?Key=='kubestead.io/cluster']|[0].Value, Tags[?Key=='kubestead.io/role']|[0].Value]" \
    --output text
}

# decide CSR USER USAGES_JSON REQUEST
decide() {
  local csr="$1" user="$2" usages="$3" request="$4"
  case "$user" in
    system:bootstrap:*) ;;
    *) return 0 ;; # not a join: the controller manager handles renewals
  esac
  local subject cn org node
  subject=$(subject_of "$request")
  cn=$(printf '%s\n' "$subject" | sed -n 's/^CN=//p')
  org=$(printf '%s\n' "$subject" | sed -n 's/^O=//p')
  if [ "$org" != "system:nodes" ] || [ "$(printf '%s\n' "$subject" | grep -c .)" != 2 ] || [[ "$cn" != system:node:* ]]; then
    deny "$csr" "subject must be O=system:nodes, CN=system:node:<name> only"
    return 0
  fi
  node=$(printf '%s' "$cn" | sed 's/^system:node://')
  if ! [[ "$node" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ ]]; then
    deny "$csr" "node name is not a DNS name"
    return 0
  fi
  local usage bad=""
  while read -r usage || [ -n "$usage" ]; do
    case "$usage" in
      "" | "client auth" | "digital signature" | "key encipherment") ;;
      *) bad="$usage" ;;
    esac
  done < <(printf '%s' "$usages" | tr -d '[]"' | tr ',' '\n')
  if [ -n "$bad" ]; then
    deny "$csr" "usage $bad is not a client certificate's"
    return 0
  fi
  local roles
  roles=$(instance_roles "$node") || {
    log "$csr: EC2 lookup of $node failed; left pending"
    return 0
  }
  if [ -z "$roles" ]; then
    log "$csr: no pending or running instance is named $node (yet); left pending"
    return 0
  fi
  if [ "$(printf '%s\n' "$roles" | grep -c .)" != 1 ] || [ "$(printf '%s' "$roles" | tr -s '[:space:]' ' ')" != "$CLUSTER worker" ]; then
    deny "$csr" "$node is not exactly one worker instance of cluster $CLUSTER"
    return 0
  fi
  if k get node "$node" >/dev/null 2>&1; then
    log "$csr: node $node is registered already; left pending until it is gone"
    return 0
  fi
  k certificate approve "$csr" >/dev/null
  log "$csr: approved for $node (worker instance of $CLUSTER) requested by $user"
}

deny() {
  k certificate deny "$1" >/dev/null
  log "$1: denied: $2"
}

# Pending requests for the kubelet client signer: name, requester, usages, request (base64 PEM).
pending=$(k get csr -o jsonpath='{range .items[?(@.spec.signerName=="'"$SIGNER"'")]}{.metadata.name}{"\t"}{.spec.username}{"\t"}{.spec.usages}{"\t"}{.spec.request}{"\t"}{.status.conditions}{"\n"}{end}')
while IFS=$'\t' read -r csr user usages request conditions; do
  [ -n "$csr" ] || continue
  [ -z "$conditions" ] || continue # approved, denied or failed already
  decide "$csr" "$user" "$usages" "$request" || log "$csr: check failed; left pending"
done <<<"$pending"
`;

export function renderNodeCsrVerifierScript(): string {
  return SCRIPT;
}

export interface NodeCsrVerifierArgs {
  cluster: string;
  region: string;
  /** Kubeconfig with rights to approve kubelet client requests (the control plane's admin one). */
  kubeconfig: string;
}

export function renderNodeCsrVerifierEnv(a: NodeCsrVerifierArgs): string {
  for (const [k, v] of Object.entries(a)) {
    if (!/^[A-Za-z0-9._/:-]+$/.test(v)) throw new Error(`node CSR verifier: ${k} must be a plain name or path (got ${JSON.stringify(v)})`);
  }
  return [`CLUSTER=${a.cluster}`, `AWS_REGION=${a.region}`, `KUBECONFIG_PATH=${a.kubeconfig}`, ""].join("\n");
}

/** A oneshot run every 15 s after the previous one ends: a joining kubelet waits seconds, not minutes. */
export function renderNodeCsrVerifierUnits(): { service: string; timer: string } {
  return {
    service: renderUnit({
      Unit: {
        Description: "kubestead: approve kubelet join requests only for this cluster's running workers",
        After: ["network-online.target", "kubelet.service"],
        Wants: "network-online.target",
      },
      Service: { Type: "oneshot", ExecStart: CSR_VERIFIER_PATH, TimeoutStartSec: "5min" },
    }),
    timer: renderUnit({
      Unit: { Description: "kubestead: look at pending kubelet join requests" },
      Timer: { OnActiveSec: "30s", OnUnitInactiveSec: "15s" },
      Install: { WantedBy: "timers.target" },
    }),
  };
}

/** The script is large: it reaches the node through the add-on store, pinned by sha256 in user data. */
export function nodeCsrVerifierStoredFiles(): StoredNodeFile[] {
  return [{ path: CSR_VERIFIER_PATH, content: renderNodeCsrVerifierScript(), mode: "0755" }];
}

/** Env and units (small: in user data). */
export function nodeCsrVerifierFiles(a: NodeCsrVerifierArgs): { path: string; content: string; mode: string }[] {
  const units = renderNodeCsrVerifierUnits();
  return [
    { path: CSR_VERIFIER_ENV_PATH, content: renderNodeCsrVerifierEnv(a), mode: "0644" },
    { path: `/etc/systemd/system/${CSR_VERIFIER_UNIT}.service`, content: units.service, mode: "0644" },
    { path: `/etc/systemd/system/${CSR_VERIFIER_UNIT}.timer`, content: units.timer, mode: "0644" },
  ];
}

export function renderNodeCsrVerifierBootStep(): string {
  return `# Kubelet join requests are approved only for this cluster's running workers: start the verifier.
systemctl daemon-reload
systemctl enable --now ${CSR_VERIFIER_UNIT}.timer
`;
}
