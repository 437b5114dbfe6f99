/**
 * What keeps an etcd member sound after it has started (the boot step, etcdBootStep.ts, decides how
 * it starts):
 *
 *  - etcd-settle.service, after etcd on every boot: once any member answers a health check (a quorum
 *    read) it records that the cluster was founded, in SSM outside every member's disk, and, when
 *    this member joined as a learner, promotes it as soon as etcd accepts (a learner is promoted
 *    only once its log has caught up with the leader's). The marker is what makes a later boot with
 *    an empty volume and no healthy peer fail closed instead of founding a second cluster.
 *  - etcd-defrag.timer: daily, member i at hourUtc + i × staggerMinutes, so one member at a time;
 *    only when every member is healthy, only this member (`defrag --endpoints` = its own URL), and
 *    only when enough of its database file is free space to be worth the pause.
 *  - Corruption checks on start and after each compaction (etcd feature gates, 3.5 flags).
 *
 * The marker and the cluster token live under /kubestead/<cluster>/etcd/state/<incarnation>/: the
 * incarnation is a random ID of the stack's etcd cluster (components/etcdCluster.ts), so a marker
 * left behind by a destroyed stack of the same name names another incarnation and is never read.
 */
import { etcdStatePrefix } from "../lib/iamNames";
import { EtcdDefragConfig } from "../lib/config/etcdLifecycle";
import { ETCD_BIN_DIR, ETCD_ENV_PATH, ETCD_PKI_DIR } from "./etcdSpec";
import { renderUnit } from "./systemd";

export const ETCD_LIFECYCLE_SCRIPT_PATH = `${ETCD_BIN_DIR}/etcd-lifecycle.sh`;
export const ETCD_SETTLE_UNIT = "etcd-settle.service";
export const ETCD_DEFRAG_UNIT = "etcd-defrag.service";
export const ETCD_DEFRAG_TIMER = "etcd-defrag.timer";

/** SSM names of one etcd cluster incarnation's runtime state (written by members, never by Pulumi). */
export interface EtcdStateParameters {
  /** Exists once the cluster has been founded: `<prefix><incarnation>/founded`. */
  founded: string;
  /** The cluster token of the last restore: `<prefix><incarnation>/cluster-token`. */
  clusterToken: string;
}

const INCARNATION = /^[a-z0-9]{6,32}$/;

export function etcdStateParameters(cluster: string, incarnation: string): EtcdStateParameters {
  if (!INCARNATION.test(incarnation)) {
    throw new Error(
      `etcd incarnation must be 6–32 lowercase letters and digits (got ${JSON.stringify(incarnation)}): pass the cluster's random incarnation ID`,
    );
  }
  const dir = `${etcdStatePrefix(cluster)}${incarnation}`;
  return { founded: `${dir}/founded`, clusterToken: `${dir}/cluster-token` };
}

/**
 * Corruption checks by release: etcd 3.6 moved them behind feature gates, 3.5 has them as
 * experimental flags (3.4 lacks the compaction hash check). The initial check compares this
 * member's hash with its peers' before it serves; the compaction check compares hashes after each
 * compaction and raises a CORRUPT alarm on the cluster when they differ.
 */
export function etcdCorruptCheckEnv(version: string): [string, string][] {
  const m = /^3\.(\d+)\./.exec(version);
  if (!m) throw new Error(`etcd version must be like 3.6.14 (got ${JSON.stringify(version)}): pass the release version`);
  const minor = Number(m[1]);
  if (minor >= 6) return [["ETCD_FEATURE_GATES", "InitialCorruptCheck=true,CompactHashCheck=true"]];
  if (minor === 5)
    return [
      ["ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK", "true"],
      ["ETCD_EXPERIMENTAL_COMPACT_HASH_CHECK_ENABLED", "true"],
    ];
  return [["ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK", "true"]];
}

export interface EtcdLifecycleScriptArgs {
  region: string;
  /** Client URLs of every member, this one included (default endpoints; a test overrides them). */
  clientUrls: string[];
  /** Absent: no marker is written (a cluster rendered without its state parameters). */
  state?: EtcdStateParameters;
  defrag: Pick<EtcdDefragConfig, "minFreePercent">;
}

// String.raw keeps bash's backslashes; no `${` inside (a template would substitute it).
const LIFECYCLE_BODY = String.raw`log() {
  printf '%s etcd-lifecycle[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$MEMBER" "$*" >&2
}

# etcdctl_at ENDPOINT ARGS...: etcdctl against one member with the backup client cert.
etcdctl_at() {
  local endpoint=$1
  shift
  env -u ETCDCTL_ENDPOINTS -u ETCDCTL_CACERT -u ETCDCTL_CERT -u ETCDCTL_KEY ETCDCTL_API=3 \
    etcdctl --endpoints="$endpoint" --cacert="$ETCD_PKI/ca.crt" \
    --cert="$ETCD_PKI/backup.crt" --key="$ETCD_PKI/backup.key" \
    --dial-timeout=5s --command-timeout=15s "$@"
}

# env_value KEY: the last KEY=VALUE of the member's env file (read, never sourced).
env_value() {
  sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1
}

# healthy_member CLIENT_URL...: the first whose member passes a health check (a quorum read).
healthy_member() {
  local url
  for url in "$@"; do
    if etcdctl_at "$url" endpoint health >/dev/null 2>&1; then
      printf '%s\n' "$url"
      return 0
    fi
  done
  return 1
}

# self_entry ENDPOINT: "<id> <is-learner>" of this member (found by its peer URL).
self_entry() {
  etcdctl_at "$1" member list -w simple |
    awk -F', ' -v url="$PEER_URL" '$4 == url { print $1, $6; found = 1 } END { exit !found }'
}

# mark_founded ENDPOINT: create the founded marker unless it exists (never overwrite it).
mark_founded() {
  local cluster_id err
  [ -n "$FOUNDED_PARAM" ] || return 0
  cluster_id=$(etcdctl_at "$1" endpoint status -w fields | awk -F' : ' '$1 == "\"ClusterID\"" { print $2 }')
  err=$(aws ssm put-parameter --region "$REGION" --name "$FOUNDED_PARAM" --type String \
    --value "cluster $cluster_id answered through $1; recorded by $MEMBER at $(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    2>&1 >/dev/null) && {
    log "recorded that cluster $cluster_id was founded: $FOUNDED_PARAM"
    return 0
  }
  case "$err" in
    *ParameterAlreadyExists*) return 0 ;;
  esac
  log "cannot record $FOUNDED_PARAM: $err"
  return 1
}

# settle CLIENT_URL...: see the module comment of bootstrap/etcdLifecycle.ts.
settle() {
  local n=1 endpoint="" entry id learner
  until endpoint=$(healthy_member "$@"); do
    if [ "$n" -ge "$TRIES" ]; then
      log "no member answered a health check after $n tries; the unit restarts and tries again"
      exit 1
    fi
    n=$((n + 1))
    sleep "$DELAY"
  done
  mark_founded "$endpoint" || exit 1
  n=1
  while :; do
    if ! entry=$(self_entry "$endpoint"); then
      log "$PEER_URL is not a member of the cluster $endpoint answers for"
      exit 1
    fi
    read -r id learner <<<"$entry"
    if [ "$learner" != "true" ]; then
      log "$MEMBER ($id) is a voting member"
      return 0
    fi
    # etcd refuses while the learner's log lags the leader's; a healthy member forwards to the leader.
    if etcdctl_at "$endpoint" member promote "$id" >/dev/null 2>&1; then
      log "promoted learner $MEMBER ($id) to a voting member"
      return 0
    fi
    if [ "$n" -ge "$TRIES" ]; then
      log "learner $MEMBER ($id) not promoted after $n tries; the unit restarts and tries again"
      exit 1
    fi
    n=$((n + 1))
    sleep "$DELAY"
    endpoint=$(healthy_member "$@") || endpoint=$SELF_URL
  done
}

# db_size FIELD STATUS_JSON: a size from "endpoint status -w json" (3.4 has dbSizeInUse there,
# not in "-w fields"); empty when absent.
db_size() {
  grep -o "\"$1\":[0-9]*" <<<"$2" | head -n 1 | cut -d: -f2 || true
}

# defrag CLIENT_URL...: defragment this member when every listed member is healthy.
defrag() {
  local url status size inuse free
  for url in "$@"; do
    if ! etcdctl_at "$url" endpoint health >/dev/null 2>&1; then
      log "$url is not healthy: no defragmentation while any member is down"
      return 0
    fi
  done
  status=$(etcdctl_at "$SELF_URL" endpoint status -w json)
  size=$(db_size dbSize "$status")
  inuse=$(db_size dbSizeInUse "$status")
  case "$size:$inuse" in
    *[!0-9:]* | :* | *: | 0:*)
      log "$SELF_URL reports no database sizes ($size, $inuse): not defragmenting"
      return 0
      ;;
  esac
  free=$(((size - inuse) * 100 / size))
  if [ "$free" -lt "$MIN_FREE_PERCENT" ]; then
    log "$SELF_URL: $free% of $size bytes free, below $MIN_FREE_PERCENT%: nothing to defragment"
    return 0
  fi
  log "defragmenting $SELF_URL: $free% of $size bytes free"
  # This member only: it pauses while the file is rewritten, the others keep serving.
  etcdctl_at "$SELF_URL" defrag --command-timeout=10m
  status=$(etcdctl_at "$SELF_URL" endpoint status -w json)
  log "defragmented $SELF_URL: $(db_size dbSize "$status") bytes"
}`;

/** /opt/kubestead/bin/etcd-lifecycle.sh: `settle` (etcd-settle.service) and `defrag` (etcd-defrag.timer). */
export function renderEtcdLifecycleScript(args: EtcdLifecycleScriptArgs): string {
  const problems: string[] = [];
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(args.region)) problems.push(`region must be an AWS region (got ${JSON.stringify(args.region)})`);
  if (args.clientUrls.length === 0 || args.clientUrls.some((u) => !/^https?:\/\/[A-Za-z0-9.:[\]-]+$/.test(u)))
    problems.push(`clientUrls must be the members' client URLs (got ${JSON.stringify(args.clientUrls)})`);
  const pct = args.defrag.minFreePercent;
  if (!Number.isInteger(pct) || pct < 0 || pct > 90) problems.push(`defrag.minFreePercent must be 0–90 (got ${JSON.stringify(pct)})`);
  if (problems.length > 0) throw new Error(`invalid etcd lifecycle script arguments: ${problems.join("; ")}: fix the caller`);
  return `#!/usr/bin/env bash
# etcd member lifecycle, the same on every member (it reads the member's env file). Rendered by
# bootstrap/etcdLifecycle.ts: edit the renderer, not the node.
#   etcd-lifecycle.sh settle   record the founded marker, promote this member if it is a learner
#   etcd-lifecycle.sh defrag   defragment this member when every member is healthy
set -euo pipefail
export PATH="/usr/local/bin:$PATH"

readonly REGION="${args.region}"
readonly FOUNDED_PARAM="${args.state?.founded ?? ""}"
readonly MIN_FREE_PERCENT=${pct}
# Overridable, for tests on loopback: the env file, the PKI dir, the members' client URLs, the pace.
readonly ENV_FILE="\${ETCD_ENV_FILE:-${ETCD_ENV_PATH}}"
readonly ETCD_PKI="\${ETCD_PKI:-${ETCD_PKI_DIR}}"
read -r -a CLIENT_URLS <<<"\${ETCD_CLIENT_URLS:-${args.clientUrls.join(" ")}}"
readonly TRIES="\${ETCD_LIFECYCLE_TRIES:-720}"
readonly DELAY="\${ETCD_LIFECYCLE_DELAY:-5}"

${LIFECYCLE_BODY}

MEMBER=$(env_value ETCD_NAME)
PEER_URL=$(env_value ETCD_INITIAL_ADVERTISE_PEER_URLS)
SELF_URL=$(env_value ETCD_ADVERTISE_CLIENT_URLS)
readonly MEMBER PEER_URL SELF_URL
case "${"$"}{1:-}" in
  settle) settle "\${CLIENT_URLS[@]}" ;;
  defrag) defrag "\${CLIENT_URLS[@]}" ;;
  *)
    echo "usage: $0 settle|defrag" >&2
    exit 2
    ;;
esac
`;
}

/** etcd-settle.service: on every boot, after etcd (a reboot may find this member still a learner). */
export function renderEtcdSettleService(): string {
  return renderUnit({
    Unit: {
      Description: "etcd member: record that the cluster was founded, promote a learner",
      After: ["etcd.service", "network-online.target"],
      Wants: "network-online.target",
    },
    Service: {
      // simple, not oneshot: a learner may take long to catch up, and nothing waits for it.
      Type: "simple",
      ExecStart: `${ETCD_LIFECYCLE_SCRIPT_PATH} settle`,
      Restart: "on-failure",
      RestartSec: "30s",
      NoNewPrivileges: "true",
      ProtectSystem: "full",
      ProtectHome: "true",
      PrivateTmp: "true",
    },
    Install: { WantedBy: "multi-user.target" },
  });
}

/** etcd-defrag.service: one defragmentation check of this member. */
export function renderEtcdDefragService(): string {
  return renderUnit({
    Unit: { Description: "etcd defragmentation of this member, when every member is healthy", After: "etcd.service" },
    Service: {
      Type: "oneshot",
      ExecStart: `${ETCD_LIFECYCLE_SCRIPT_PATH} defrag`,
      NoNewPrivileges: "true",
      ProtectSystem: "full",
      ProtectHome: "true",
      PrivateTmp: "true",
    },
  });
}

/** Minutes after midnight UTC at which member `index` checks: hourUtc, then staggerMinutes apart. */
export function etcdDefragMinute(index: number, d: Pick<EtcdDefragConfig, "hourUtc" | "staggerMinutes">): number {
  return (d.hourUtc * 60 + index * d.staggerMinutes) % (24 * 60);
}

/** etcd-defrag.timer of member `index`: wall-clock (not boot-relative), so members never overlap. */
export function renderEtcdDefragTimer(index: number, d: Pick<EtcdDefragConfig, "hourUtc" | "staggerMinutes">): string {
  if (!Number.isInteger(index) || index < 0) throw new Error(`member index must be a whole number ≥ 0 (got ${index})`);
  const at = etcdDefragMinute(index, d);
  const hh = String(Math.floor(at / 60)).padStart(2, "0");
  const mm = String(at % 60).padStart(2, "0");
  return renderUnit({
    Unit: { Description: `etcd defragmentation check, daily at ${hh}:${mm} UTC (member ${index})` },
    Timer: { OnCalendar: `*-*-* ${hh}:${mm}:00 UTC`, AccuracySec: "1min", Unit: ETCD_DEFRAG_UNIT },
    Install: { WantedBy: "timers.target" },
  });
}
