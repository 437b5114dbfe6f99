/**
 * etcd backups: a snapshot script run by a systemd timer on every member, and a restore script
 * for the disaster-recovery runbook.
 *
 * Every member runs the timer, but only the leader uploads: the cluster gets one snapshot per
 * interval (not one per member), taken from the member that has every committed entry, and the
 * backup keeps working when any member is down — the next leader takes over. Followers skip the
 * snapshot entirely so they spend no disk I/O on it. Each upload is counted in CloudWatch
 * (ETCD_BACKUP_METRIC), which the stack's alarm watches.
 *
 * The restore gives the restored cluster a new token (so new cluster and member IDs: a member
 * returning with pre-restore data is refused), written to SSM once (`etcd-restore.sh new-token`)
 * and read from there by every member's restore and boot; where the tool can, it bumps the
 * revision and marks it compacted (ETCD_RESTORE_REVISION_BUMP).
 */
import { ETCD_METRIC_NAMESPACE } from "../lib/iamNames";
import { renderUnit } from "./systemd";

export const ETCD_BACKUP_SCRIPT_PATH = "/opt/kubestead/bin/etcd-backup.sh";
export const ETCD_RESTORE_SCRIPT_PATH = "/opt/kubestead/bin/etcd-restore.sh";
/** Count of snapshots uploaded, per cluster (dimension Cluster), in ETCD_METRIC_NAMESPACE. */
export const ETCD_BACKUP_METRIC = "BackupsUploaded";

/**
 * Environment the backup script honours (defaults in parentheses). A test points it at a loopback
 * member by setting these; set a TLS variable to "" to drop that flag.
 *  ETCDCTL_ENDPOINTS (https://127.0.0.1:2379), ETCDCTL_CACERT (/etc/etcd/pki/ca.crt),
 *  ETCDCTL_CERT (/etc/etcd/pki/backup.crt), ETCDCTL_KEY (/etc/etcd/pki/backup.key),
 *  ETCDCTL_DIAL_TIMEOUT (5s), ETCDCTL_COMMAND_TIMEOUT (30s): read by etcdctl itself;
 *  ETCD_BACKUP_WORK_DIR (/var/tmp): where the snapshot is staged before upload.
 */
export const ETCD_BACKUP_ENV = [
  "ETCDCTL_ENDPOINTS",
  "ETCDCTL_CACERT",
  "ETCDCTL_CERT",
  "ETCDCTL_KEY",
  "ETCDCTL_DIAL_TIMEOUT",
  "ETCDCTL_COMMAND_TIMEOUT",
  "ETCD_BACKUP_WORK_DIR",
] as const;

export interface EtcdBackupArgs {
  /** S3 bucket name. */
  bucket: string;
  region: string;
  /** Cluster name: the key prefix. */
  cluster: string;
  /**
   * Member name, in the object key so an operator sees who took it. Absent: read from the member's
   * env file (ETCD_NAME), so one script serves every member (bootstrap/etcd.ts etcdSharedFiles).
   */
  member?: string;
  /** Client URL of the local member (default https://127.0.0.1:2379). */
  endpoint?: string;
  /** KMS key for SSE-KMS; absent = the bucket's aws/s3 managed key. */
  kmsKeyId?: string;
}

const SAFE = /^[A-Za-z0-9._:/@-]+$/;

function checkArgs(args: EtcdBackupArgs): void {
  const problems: string[] = [];
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucket))
    problems.push(`bucket must be an S3 bucket name (got ${JSON.stringify(args.bucket)}): pass the backup bucket's name`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(args.region))
    problems.push(`region must be an AWS region (got ${JSON.stringify(args.region)}): pass aws:region`);
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(args.cluster))
    problems.push(`cluster must be a DNS label (got ${JSON.stringify(args.cluster)}): pass the cluster name`);
  if (args.member !== undefined && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(args.member))
    problems.push(`member must be a DNS label like etcd-0 (got ${JSON.stringify(args.member)}): pass the member name`);
  if (args.endpoint !== undefined && !/^https?:\/\/[A-Za-z0-9.:[\]-]+$/.test(args.endpoint))
    problems.push(`endpoint must be a client URL like https://127.0.0.1:2379 (got ${JSON.stringify(args.endpoint)}): fix the URL`);
  if (args.kmsKeyId !== undefined && !SAFE.test(args.kmsKeyId))
    problems.push(`kmsKeyId must be a KMS key ID or ARN (got ${JSON.stringify(args.kmsKeyId)}): pass the key's ARN`);
  if (problems.length > 0) throw new Error(`invalid etcd backup script arguments:\n  - ${problems.join("\n  - ")}`);
}

// String.raw keeps bash's backslashes; no `${` inside (a template would substitute it).
const BACKUP_BODY = String.raw`usage() {
  echo "usage: $0 [--local-only DIR]" >&2
  exit 2
}

log() {
  printf '%s etcd-backup[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$MEMBER" "$*" >&2
}

# Snapshot file tools moved to etcdutl in 3.5 (and left etcdctl in 3.6); 3.4 has only etcdctl.
snapshot_tool() {
  if command -v etcdutl >/dev/null 2>&1; then echo etcdutl; else echo etcdctl; fi
}

# is_leader: compare this member's ID with the leader's; "-w fields" prints both as exact
# decimals (the JSON form holds them as numbers that lose precision in jq).
is_leader() {
  local status member leader
  if ! status=$(etcdctl endpoint status -w fields); then
    log "cannot reach the local member at $ETCDCTL_ENDPOINTS"
    exit 1
  fi
  member=$(awk -F' : ' '$1 == "\"MemberID\"" { print $2 }' <<<"$status")
  leader=$(awk -F' : ' '$1 == "\"Leader\"" { print $2 }' <<<"$status")
  [ -n "$member" ] && [ "$member" = "$leader" ]
}

local_dir=""
case "$#:$*" in
  0:) ;;
  2:--local-only\ *) local_dir=$2 ;;
  *) usage ;;
esac

if [ -z "$local_dir" ] && ! is_leader; then
  log "not the leader: skipping (the leader uploads the cluster's snapshot)"
  exit 0
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="$stamp-$MEMBER.db"
if [ -n "$local_dir" ]; then
  mkdir -p "$local_dir"
  file="$local_dir/$name"
else
  work=$(mktemp -d "$WORK_DIR/etcd-backup.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  file="$work/$name"
fi

log "saving snapshot from $ETCDCTL_ENDPOINTS to $file"
etcdctl snapshot save "$file" >/dev/null
# A snapshot that does not parse is worse than none: it would be the one we restore from.
tool=$(snapshot_tool)
if ! status=$("$tool" snapshot status "$file" -w json); then
  log "snapshot $file failed verification with $tool"
  exit 1
fi
log "verified with $tool: $status"

if [ -n "$local_dir" ]; then
  log "local only: kept $file"
  printf '%s\n' "$file"
  exit 0
fi

dest="s3://$BUCKET/$CLUSTER/$name"
log "uploading to $dest"`;

/**
 * /opt/kubestead/bin/etcd-backup.sh. With `--local-only DIR` it writes the verified snapshot to
 * DIR, prints its path and skips the leader check and the upload (tests, manual backups).
 */
export function renderEtcdBackupScript(args: EtcdBackupArgs): string {
  checkArgs(args);
  const sse = args.kmsKeyId ? `--sse aws:kms --sse-kms-key-id "${args.kmsKeyId}"` : "--sse aws:kms";
  return `#!/usr/bin/env bash
# etcd snapshot backup for ${args.member ? `member ${args.member}` : "a member"} of cluster ${args.cluster}. Rendered by
# bootstrap/etcdBackup.ts. Only the leader uploads; see the module comment for why.
set -euo pipefail
umask 077
# /usr/local/bin first: the release binaries the boot step installed win over any distro copy.
export PATH="/usr/local/bin:$PATH"

readonly BUCKET="${args.bucket}"
readonly REGION="${args.region}"
readonly CLUSTER="${args.cluster}"
${
  args.member
    ? `readonly MEMBER="${args.member}"`
    : `# The same script on every member: the name comes from the member's env file.
ENV_FILE="\${ETCD_ENV_FILE:-/etc/etcd/etcd.env}"
[ -r "$ENV_FILE" ] || { echo "etcd-backup: cannot read $ENV_FILE" >&2; exit 1; }
MEMBER=$(sed -n 's/^ETCD_NAME=//p' "$ENV_FILE" | tail -n 1)
[ -n "$MEMBER" ] || { echo "etcd-backup: no ETCD_NAME in $ENV_FILE" >&2; exit 1; }
readonly MEMBER`
}
readonly WORK_DIR="\${ETCD_BACKUP_WORK_DIR:-/var/tmp}"
# etcdctl reads these itself; "-" (not ":-") so a test can set one to "" to drop it.
export ETCDCTL_API=3
export ETCDCTL_ENDPOINTS="\${ETCDCTL_ENDPOINTS:-${args.endpoint ?? "https://127.0.0.1:2379"}}"
export ETCDCTL_CACERT="\${ETCDCTL_CACERT-/etc/etcd/pki/ca.crt}"
export ETCDCTL_CERT="\${ETCDCTL_CERT-/etc/etcd/pki/backup.crt}"
export ETCDCTL_KEY="\${ETCDCTL_KEY-/etc/etcd/pki/backup.key}"
export ETCDCTL_DIAL_TIMEOUT="\${ETCDCTL_DIAL_TIMEOUT:-5s}"
export ETCDCTL_COMMAND_TIMEOUT="\${ETCDCTL_COMMAND_TIMEOUT:-30s}"

${BACKUP_BODY}
# The bucket has an Object Lock default retention: S3 refuses a PUT (and every multipart part)
# without a Content-MD5 or x-amz-checksum-* header, which older AWS CLIs do not send on their own.
aws s3 cp --only-show-errors --region "$REGION" ${sse} --checksum-algorithm SHA256 "$file" "$dest"
log "uploaded $dest"
# Freshness: the stack's alarm fires when uploads stop being counted here (README, backups).
if ! aws cloudwatch put-metric-data --region "$REGION" --namespace "${ETCD_METRIC_NAMESPACE}" \
  --metric-name ${ETCD_BACKUP_METRIC} --dimensions "Cluster=$CLUSTER" --unit Count --value 1; then
  log "uploaded, but could not publish ${ETCD_BACKUP_METRIC}: the backup alarm may fire"
fi
`;
}

/** etcd-backup.service: one snapshot run, as root (the backup key is root's), at low priority. */
export function renderEtcdBackupService(): string {
  return renderUnit({
    Unit: {
      Description: "etcd snapshot backup to S3 (uploaded by the leader only)",
      After: ["etcd.service", "network-online.target"],
      Wants: "network-online.target",
    },
    Service: {
      Type: "oneshot",
      ExecStart: ETCD_BACKUP_SCRIPT_PATH,
      // Backups must not compete with etcd's own fsyncs.
      Nice: "10",
      IOSchedulingClass: "idle",
      NoNewPrivileges: "true",
      ProtectSystem: "full",
      ProtectHome: "true",
      PrivateTmp: "true",
    },
  });
}

/** etcd-backup.timer: every intervalMinutes, first run 15 minutes after boot. */
export function renderEtcdBackupTimer(intervalMinutes: number): string {
  if (!Number.isInteger(intervalMinutes) || intervalMinutes < 5 || intervalMinutes > 1440) {
    throw new Error(
      `etcd backup intervalMinutes must be a whole number from 5 to 1440 (got ${JSON.stringify(intervalMinutes)}): set kubestead:etcd.backup.intervalMinutes, e.g. 60`,
    );
  }
  return renderUnit({
    Unit: { Description: `etcd snapshot backup every ${intervalMinutes} minutes` },
    Timer: {
      OnBootSec: "15min",
      OnUnitActiveSec: `${intervalMinutes}min`,
      AccuracySec: "1min",
      Unit: "etcd-backup.service",
    },
    Install: { WantedBy: "timers.target" },
  });
}

/**
 * What each restore adds to the snapshot's revision (etcdutl 3.6 `--bump-revision`, with
 * `--mark-compacted`), so no revision a client saw before the loss is ever handed out again and
 * every watch older than the restore is cancelled as compacted (informers relist instead of
 * silently missing events). It must exceed the writes made between the snapshot and the loss: the
 * snapshot is at most one backup interval (≤ 24 h) old plus the time to notice and restore, and
 * 10^9 covers that at 10,000 writes per second for 27 hours, far above what a kube-apiserver's
 * etcd commits on a gp3 volume. The cost is nothing: revisions are int64 (9.2 × 10^18), room for
 * nine billion restores.
 */
export const ETCD_RESTORE_REVISION_BUMP = 1_000_000_000;

export interface EtcdRestoreArgs {
  region: string;
  /** Cluster name: the prefix of new tokens. */
  cluster: string;
  /** SSM parameter of the live cluster token (etcdStateParameters().clusterToken). */
  tokenParameter: string;
}

// String.raw keeps bash's backslashes; no `${` inside (a template would substitute it).
const RESTORE_BODY = String.raw`usage() {
  cat >&2 <<'USAGE'
usage: etcd-restore.sh new-token
       etcd-restore.sh SNAPSHOT [--env-file FILE] [--data-dir DIR] [--name NAME]
         [--initial-cluster CLUSTER] [--initial-advertise-peer-urls URL]
         [--initial-cluster-token TOKEN] [--skip-hash-check] [--rerun]
Run new-token once, on one member: it writes a fresh cluster token to SSM. Then restore the same
snapshot on every member, etcd stopped; unset options come from the member's env file, the token
from SSM. --rerun: restore again on a member this round already restored (same token).
The README runbook ("Restoring after losing quorum") has every step.
USAGE
  exit 2
}

fail() {
  echo "etcd-restore: $*" >&2
  exit 1
}

new_token() {
  local token
  [ -n "$TOKEN_PARAM" ] || fail "no SSM parameter for the cluster token here: pass the same --initial-cluster-token to every restore"
  token="$CLUSTER-etcd-$(date -u +%Y%m%d%H%M%S)-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
  aws ssm put-parameter --region "$REGION" --name "$TOKEN_PARAM" --type String --overwrite --value "$token" >/dev/null
  echo "etcd-restore: wrote cluster token $token to $TOKEN_PARAM; restore on every member now" >&2
  printf '%s\n' "$token"
}

[ $# -ge 1 ] || usage
if [ "$1" = new-token ]; then
  [ $# -eq 1 ] || usage
  new_token
  exit 0
fi
snapshot=$1
shift
env_file=/etc/etcd/etcd.env
data_dir="" name="" cluster="" peer_urls="" token="" skip_hash="" rerun=""
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) env_file=$2; shift 2 ;;
    --data-dir) data_dir=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --initial-cluster) cluster=$2; shift 2 ;;
    --initial-advertise-peer-urls) peer_urls=$2; shift 2 ;;
    --initial-cluster-token) token=$2; shift 2 ;;
    --skip-hash-check) skip_hash=--skip-hash-check; shift ;;
    --rerun) rerun=1; shift ;;
    *) usage ;;
  esac
done

# env_value KEY: the last KEY=VALUE of the env file (read, never sourced).
env_value() {
  if [ -f "$env_file" ]; then sed -n "s/^$1=//p" "$env_file" | tail -n 1; fi
}
[ -n "$data_dir" ] || data_dir=$(env_value ETCD_DATA_DIR)
[ -n "$name" ] || name=$(env_value ETCD_NAME)
[ -n "$cluster" ] || cluster=$(env_value ETCD_INITIAL_CLUSTER)
[ -n "$peer_urls" ] || peer_urls=$(env_value ETCD_INITIAL_ADVERTISE_PEER_URLS)
missing=""
[ -n "$data_dir" ] || missing="$missing --data-dir"
[ -n "$name" ] || missing="$missing --name"
[ -n "$cluster" ] || missing="$missing --initial-cluster"
[ -n "$peer_urls" ] || missing="$missing --initial-advertise-peer-urls"
if [ -n "$missing" ]; then
  echo "etcd-restore: no value for$missing: pass them or provide $env_file" >&2
  exit 2
fi
[ -f "$snapshot" ] || fail "snapshot $snapshot not found"

# The token: never the one the lost cluster had. With it, the restored members would get the old
# member and cluster IDs back, and a member returning with pre-restore data would be let in.
if [ -z "$token" ]; then
  [ -n "$TOKEN_PARAM" ] || fail "pass --initial-cluster-token (the same new token on every member)"
  token=$(aws ssm get-parameter --region "$REGION" --name "$TOKEN_PARAM" --query Parameter.Value --output text) ||
    fail "cannot read $TOKEN_PARAM: run 'etcd-restore.sh new-token' once, on one member, first"
fi
case "$token" in
  "" | *[!A-Za-z0-9._-]*) fail "'$token' is not a cluster token (letters, digits, . _ -)" ;;
esac
if [ -z "$rerun" ] && [ "$token" = "$(env_value ETCD_INITIAL_CLUSTER_TOKEN)" ]; then
  fail "token $token is the one this member's cluster already has ($env_file): run 'etcd-restore.sh new-token' once, then restore on every member"
fi
# Never restore over a member's data: the operator moves it aside first, deliberately.
if [ -e "$data_dir/member" ]; then
  fail "$data_dir/member exists; stop etcd and move it aside first"
fi

# The data dir may be a mount point (it cannot be replaced), and the tools refuse an existing
# target: restore next to it, then move the member directory in.
mkdir -p "$data_dir"
staging="$data_dir/.restore-$$"
rm -rf "$staging"
if command -v etcdutl >/dev/null 2>&1; then tool=etcdutl; else tool=etcdctl; fi
set -- snapshot restore "$snapshot" --data-dir "$staging" --name "$name" \
  --initial-cluster "$cluster" --initial-advertise-peer-urls "$peer_urls" \
  --initial-cluster-token "$token"
if [ -n "$skip_hash" ]; then set -- "$@" "$skip_hash"; fi
# Asked of the tool, not its version: etcdutl 3.6 has the flags, 3.4's etcdctl does not.
help=$("$tool" snapshot restore --help 2>&1 || true)
case "$help" in
  *--bump-revision*) set -- "$@" --bump-revision "$REVISION_BUMP" --mark-compacted ;;
  *) echo "etcd-restore: WARNING: $tool cannot bump the revision (etcdutl 3.6 can): revisions restart from the snapshot's and watchers may miss events; restart every kube-apiserver after the restore (runbook step 5)" >&2 ;;
esac
echo "etcd-restore: $tool $* " >&2
ETCDCTL_API=3 "$tool" "$@"
mv "$staging/member" "$data_dir/member"
rm -rf "$staging"
if id -u etcd >/dev/null 2>&1; then chown -R etcd:etcd "$data_dir"; fi
chmod 0700 "$data_dir"
# Keep the env file's token the live one (boot also reads it from SSM).
if [ -w "$env_file" ]; then
  tmp=$(mktemp "$env_file.XXXXXX")
  grep -v '^ETCD_INITIAL_CLUSTER_TOKEN=' "$env_file" >"$tmp" || true
  printf 'ETCD_INITIAL_CLUSTER_TOKEN=%s\n' "$token" >>"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$env_file"
fi
# The restored member forms a new cluster; leaving "new" in the env file is right for the first
# start and ignored afterwards (the data dir holds a WAL).
echo "etcd-restore: restored $name into $data_dir/member with cluster token $token; start etcd on every member now" >&2
`;

/**
 * /opt/kubestead/bin/etcd-restore.sh, the same on every member (it reads the member's env file).
 * Without `args` it has no SSM parameter: `new-token` is refused and every restore must be given
 * `--initial-cluster-token` (tests, a cluster rendered without its state parameters).
 */
export function renderEtcdRestoreScript(args?: EtcdRestoreArgs): string {
  if (args) {
    const problems: string[] = [];
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(args.region)) problems.push(`region must be an AWS region (got ${JSON.stringify(args.region)})`);
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(args.cluster))
      problems.push(`cluster must be a DNS label (got ${JSON.stringify(args.cluster)})`);
    if (!/^\/[A-Za-z0-9._/-]+$/.test(args.tokenParameter))
      problems.push(`tokenParameter must be an SSM name (got ${JSON.stringify(args.tokenParameter)})`);
    if (problems.length > 0) throw new Error(`invalid etcd restore script arguments: ${problems.join("; ")}: fix the caller`);
  }
  return `#!/usr/bin/env bash
# Restore an etcd snapshot into a fresh data dir, with a new cluster token and the revision bumped
# (disaster recovery: README, "Restoring after losing quorum"). Rendered by bootstrap/etcdBackup.ts.
set -euo pipefail
umask 077
# /usr/local/bin first: the release binaries the boot step installed win over any distro copy.
export PATH="/usr/local/bin:$PATH"

readonly REGION="${args?.region ?? ""}"
readonly CLUSTER="${args?.cluster ?? ""}"
readonly TOKEN_PARAM="${args?.tokenParameter ?? ""}"
readonly REVISION_BUMP=${ETCD_RESTORE_REVISION_BUMP}

${RESTORE_BODY}`;
}
