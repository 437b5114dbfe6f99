/**
 * The etcd member's boot step (a snippet for renderBootScript): install etcd, attach the member's
 * ENI (its stable IP) and EBS data volume, mount the volume, decide whether this member starts a
 * new cluster or rejoins an existing one, and start etcd.
 *
 * New or existing — etcd must see --initial-cluster-state=new only when the cluster is being
 * created (https://etcd.io/docs/v3.5/op-guide/runtime-configuration/#replace-a-failed-machine):
 *  1. The data dir holds a WAL: the member ran before (its volume outlived the instance). etcd
 *     ignores the initial-cluster settings and rejoins under its own identity → `existing`.
 *  2. No WAL, and no other member passes a health check (a quorum read):
 *     a. the cluster was never founded (no marker in SSM, see etcdLifecycle.ts): it is being
 *        created, all members boot with empty volumes at about the same time → `new`;
 *     b. the marker exists: quorum is lost, and founding again would start an empty cluster under
 *        the members' identities. Wait a few minutes for a peer, then fail closed with the runbook
 *        (README, "Restoring after losing quorum"). A marker that cannot be read counts as present.
 *  3. No WAL, a peer is healthy: the cluster runs without us. Ask it for the member list:
 *     a. our entry has no name: an earlier boot added us and died before etcd started → `existing`;
 *     b. our entry never published client URLs: a founding member booting late → `new`;
 *     c. our entry served before but its data is gone (volume lost): `member remove` it, then
 *        `member add --learner` ourselves → `existing`;
 *     d. no entry (an earlier boot removed it): `member add --learner` → `existing`.
 *     For `existing` the initial cluster is rebuilt from the live member list. A learner does not
 *     vote, so a member catching up from an empty log never counts towards quorum;
 *     etcd-settle.service promotes it once etcd accepts (etcdLifecycle.ts).
 * Before deciding, the cluster token is taken from SSM when a restore wrote one there
 * (etcd-restore.sh new-token), so every member founds and restores with the same, current token.
 */
import { CERT_REFRESH_UNIT } from "./certRefresh";
import { ETCD_DEFRAG_TIMER, ETCD_SETTLE_UNIT, EtcdStateParameters } from "./etcdLifecycle";
import { ETCD_NETWORK_SCRIPT_PATH, ETCD_NETWORK_UNIT } from "./etcdNetwork";
import { ETCD_ENV_PATH, ETCD_PKI_DIR, EtcdMemberSpec, etcdUrls, assertEtcdSpec } from "./etcdSpec";

export interface EtcdRelease {
  /** etcd release without the leading v, e.g. 3.5.21. */
  version: string;
  /** sha256 of the release tarball. */
  sha256: string;
  /** Default: the GitHub release tarball for linux-amd64. */
  url?: string;
}

export interface EtcdBootStepOptions {
  /** Download, verify and install etcd; absent = the AMI already has /usr/local/bin/etcd. */
  release?: EtcdRelease;
  /** The member's EBS data volume; absent = attached by other means (at launch). */
  volumeId?: string;
  /** Device name requested at attach time (default /dev/xvdf; Nitro exposes NVMe, resolved by serial). */
  device?: string;
  /**
   * The member's ENI carrying its stable IP; absent = the IP is already on the instance. Needs
   * etcd-network.sh and its unit on the node (etcdMemberFiles adds them; bootstrap/etcdNetwork.ts).
   */
  eniId?: string;
  /** Enable etcd-backup.timer (default true). */
  backupTimer?: boolean;
  /**
   * The cluster's founded marker and live token in SSM (etcdStateParameters); absent = boot neither
   * reads them nor refuses to found again, and etcd-settle.service is not started.
   */
  state?: EtcdStateParameters;
  /** Start etcd-settle.service, which must be on the node (default: when `state` is set). */
  settle?: boolean;
  /** Enable etcd-defrag.timer, which must be on the node (default: when `state` is set). */
  defragTimer?: boolean;
  /** Enable the certificate refresh timer, which must be on the node (bootstrap/certRefresh.ts; default false). */
  certRefreshTimer?: boolean;
}

export const ETCD_DEFAULT_DEVICE = "/dev/xvdf";

const VERSION = /^\d+\.\d+\.\d+$/;
const SHA256 = /^[0-9a-f]{64}$/;

export function etcdReleaseUrl(version: string): string {
  return `https://github.com/etcd-io/etcd/releases/download/v${version}/etcd-v${version}-linux-amd64.tar.gz`;
}

// Helpers in String.raw (bash backslashes kept); they avoid `${`, which a template substitutes.
/** The bash functions of the boot step (exported for tests that source them with stub tools). */
export const ETCD_BOOT_HELPERS = String.raw`# etcdctl_at ENDPOINT ARGS...: etcdctl against one member with the backup client cert. Flags,
# not ETCDCTL_* variables: etcdctl rejects a flag that an exported variable also sets.
etcdctl_at() {
  local endpoint=$1
  shift
  env -u ETCDCTL_ENDPOINTS -u ETCDCTL_CACERT -u ETCDCTL_CERT -u ETCDCTL_KEY ETCDCTL_API=3 \
    etcdctl --endpoints="$endpoint" --cacert="$ETCD_PKI/ca.crt" \
    --cert="$ETCD_PKI/backup.crt" --key="$ETCD_PKI/backup.key" \
    --dial-timeout=5s --command-timeout=15s "$@"
}

# attach_eni ENI_ID: attach the member's ENI as the second interface. A replacement instance may
# find it still attached to its terminating predecessor: wait until it is released.
attach_eni() {
  local eni=$1 owner
  owner=$(aws ec2 describe-network-interfaces --network-interface-ids "$eni" \
    --query 'NetworkInterfaces[0].Attachment.InstanceId' --output text)
  if [ "$owner" = "$INSTANCE_ID" ]; then
    log "ENI $eni already attached"
    return 0
  fi
  if [ "$owner" != "None" ]; then
    log "ENI $eni is attached to $owner; waiting for its release"
    aws ec2 wait network-interface-available --network-interface-ids "$eni"
  fi
  aws ec2 attach-network-interface --network-interface-id "$eni" \
    --instance-id "$INSTANCE_ID" --device-index 1 >/dev/null
  log "ENI $eni attached"
}

# wait_for_ip IP: etcd can only bind once the address is up (put there by etcd-network.sh, or
# already on the instance when the member has no ENI of its own).
wait_for_ip() {
  local ip=$1 n=0
  until ip -o -4 addr show | grep -qF "inet $ip/"; do
    n=$((n + 1))
    if [ "$n" -gt 90 ]; then die "address $ip is not configured on any interface after 3 minutes"; fi
    sleep 2
  done
}

# attach_volume VOLUME_ID DEVICE: attach the data volume here, waiting for a predecessor to let go.
attach_volume() {
  local volume=$1 device=$2 owner
  owner=$(aws ec2 describe-volumes --volume-ids "$volume" \
    --query 'Volumes[0].Attachments[0].InstanceId' --output text)
  if [ "$owner" = "$INSTANCE_ID" ]; then
    log "volume $volume already attached"
    return 0
  fi
  if [ "$owner" != "None" ]; then
    log "volume $volume is attached to $owner; waiting for its release"
    aws ec2 wait volume-available --volume-ids "$volume"
  fi
  aws ec2 attach-volume --volume-id "$volume" --instance-id "$INSTANCE_ID" --device "$device" >/dev/null
  aws ec2 wait volume-in-use --volume-ids "$volume" \
    --filters "Name=attachment.instance-id,Values=$INSTANCE_ID" Name=attachment.status,Values=attached
  log "volume $volume attached"
}

# data_device VOLUME_ID DEVICE: print the block device. Nitro instances expose EBS as NVMe and
# ignore the requested name; udev links the volume ID (the NVMe serial) under /dev/disk/by-id.
data_device() {
  local volume=$1 device=$2 serial n=0
  serial="/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$(printf '%s' "$volume" | tr -d -)"
  while [ "$n" -lt 90 ]; do
    if [ -n "$volume" ] && [ -e "$serial" ]; then
      readlink -f "$serial"
      return 0
    fi
    if [ -b "$device" ]; then
      readlink -f "$device"
      return 0
    fi
    n=$((n + 1))
    sleep 2
  done
  die "data volume $volume appeared neither as $device nor as $serial"
}

# mount_data_volume DEVICE DIR: format only a blank volume (blkid -p exits 2 when it finds no
# signature) so data is never overwritten; mount by UUID through fstab so reboots remount it.
mount_data_volume() {
  local device=$1 dir=$2 rc=0 uuid
  blkid -p "$device" >/dev/null 2>&1 || rc=$?
  case "$rc" in
    0) ;;
    2)
      log "formatting blank volume $device"
      mkfs.ext4 -q -L etcd-data "$device"
      ;;
    *) die "blkid failed on $device (exit $rc)" ;;
  esac
  uuid=$(blkid -s UUID -o value "$device")
  install -d -m 0700 "$dir"
  if ! grep -qF "UUID=$uuid " /etc/fstab; then
    printf 'UUID=%s %s ext4 defaults,noatime,nofail,x-systemd.device-timeout=60s 0 2\n' "$uuid" "$dir" >>/etc/fstab
    systemctl daemon-reload
  fi
  if ! mountpoint -q "$dir"; then mount "$dir"; fi
  chown etcd:etcd "$dir"
  chmod 0700 "$dir"
}

# set_env FILE KEY VALUE: replace one KEY=VALUE line of an environment file atomically.
set_env() {
  local file=$1 key=$2 value=$3 tmp
  tmp=$(mktemp "$file.XXXXXX")
  grep -v "^$key=" "$file" >"$tmp" || true
  printf '%s=%s\n' "$key" "$value" >>"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$file"
}

# healthy_peer CLIENT_URL...: print the first URL whose member passes a health check.
healthy_peer() {
  local url
  for url in "$@"; do
    if etcdctl_at "$url" --command-timeout="$ETCD_PEER_TIMEOUT" endpoint health >/dev/null 2>&1; then
      printf '%s\n' "$url"
      return 0
    fi
  done
  return 1
}

# ssm_value NAME: print a parameter's value. Exit 3 when it does not exist, 1 on any other error,
# so a failed read is never taken for "absent". AWS CLI warnings on stderr are no error.
ssm_value() {
  local err rc=0
  err=$(mktemp)
  aws ssm get-parameter --region "$AWS_REGION" --name "$1" --query Parameter.Value --output text 2>"$err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    if grep -q ParameterNotFound "$err"; then rc=3; else rc=1; fi
    log "SSM parameter $1: $(tr '\n' ' ' <"$err")"
  fi
  rm -f "$err"
  return "$rc"
}

# ssm_lookup NAME: ssm_value, retrying errors other than "absent" (IAM and SSM may lag a new node).
ssm_lookup() {
  local n=1 rc
  while :; do
    rc=0
    ssm_value "$1" || rc=$?
    if [ "$rc" -ne 1 ] || [ "$n" -ge "$ETCD_SSM_TRIES" ]; then return "$rc"; fi
    n=$((n + 1))
    sleep "$ETCD_SSM_DELAY"
  done
}

# etcd_live_token: the cluster token to found and restore with: the one the last restore wrote to
# SSM (etcd-restore.sh new-token), else the rendered one.
etcd_live_token() {
  local token rc=0
  [ -n "$ETCD_TOKEN_PARAM" ] || return 0
  token=$(ssm_lookup "$ETCD_TOKEN_PARAM") || rc=$?
  case "$rc" in
    0) ;;
    3) return 0 ;;
    *) die "cannot read the cluster token $ETCD_TOKEN_PARAM from SSM" ;;
  esac
  case "$token" in
    "" | *[!A-Za-z0-9._-]*) die "SSM parameter $ETCD_TOKEN_PARAM holds '$token', not a cluster token" ;;
  esac
  log "cluster token $token (from $ETCD_TOKEN_PARAM)"
  set_env "$ETCD_ENV_FILE" ETCD_INITIAL_CLUSTER_TOKEN "$token"
}

# etcd_founded: true when the founded marker exists; one that cannot be read counts as existing.
etcd_founded() {
  local value rc=0
  [ -n "$ETCD_FOUNDED_PARAM" ] || return 1
  value=$(ssm_lookup "$ETCD_FOUNDED_PARAM") || rc=$?
  case "$rc" in
    0) log "$ETCD_FOUNDED_PARAM: $value" ;;
    3) return 1 ;;
    *) log "cannot read $ETCD_FOUNDED_PARAM: assuming the cluster was founded" ;;
  esac
}

# etcd_wait_for_peer CLIENT_URL...: print a healthy peer, polling for a few minutes.
etcd_wait_for_peer() {
  local n=1
  while [ "$n" -le "$ETCD_PEER_TRIES" ]; do
    if [ $# -gt 0 ] && healthy_peer "$@"; then return 0; fi
    log "no healthy peer yet ($n/$ETCD_PEER_TRIES)"
    n=$((n + 1))
    sleep "$ETCD_PEER_DELAY"
  done
  return 1
}

# etcd_add_learner PEER NAME PEER_URL: add this member as a learner. etcd admits one learner at a
# time, and (strict reconfig check) only while its leader has heard from every voter for a few
# seconds: retry while it refuses. A lost reply is fine: the entry is there.
etcd_add_learner() {
  local peer=$1 name=$2 url=$3 n=1
  until etcdctl_at "$peer" member add "$name" --peer-urls="$url" --learner >/dev/null; do
    if etcdctl_at "$peer" member list -w simple | awk -F', ' -v url="$url" '$4 == url { f = 1 } END { exit !f }'; then
      return 0
    fi
    if [ "$n" -ge "$ETCD_JOIN_TRIES" ]; then die "cannot add $name as a learner through $peer"; fi
    n=$((n + 1))
    sleep "$ETCD_PEER_DELAY"
  done
}

# etcd_decide_state NAME PEER_URL OTHER_CLIENT_URL...: the decision documented in etcdBootStep.ts.
etcd_decide_state() {
  local name=$1 peer_url=$2 peer="" entry id member_name client_urls cluster
  shift 2
  if compgen -G "$ETCD_DATA_DIR/member/wal/*.wal" >/dev/null; then
    log "data dir holds a WAL: restarting as an existing member"
    set_env "$ETCD_ENV_FILE" ETCD_INITIAL_CLUSTER_STATE existing
    return 0
  fi
  if [ $# -gt 0 ]; then peer=$(healthy_peer "$@") || peer=""; fi
  if [ -z "$peer" ]; then
    if ! etcd_founded; then
      log "no healthy peer and no founded marker: bootstrapping a new cluster"
      set_env "$ETCD_ENV_FILE" ETCD_INITIAL_CLUSTER_STATE new
      return 0
    fi
    if ! peer=$(etcd_wait_for_peer "$@"); then
      die "refusing to found a new etcd cluster: this member's data volume is empty, no other member answers, and the cluster was founded before ($ETCD_FOUNDED_PARAM). Quorum is lost: restore the newest snapshot on every member (README, 'etcd: backups and restore runbook', 'Restoring after losing quorum') or bring the members' data volumes back. To found a new, empty cluster on purpose, delete $ETCD_FOUNDED_PARAM first."
    fi
  fi
  log "cluster is up (healthy peer $peer); looking for $name"
  entry=$(etcdctl_at "$peer" member list -w simple |
    awk -F', ' -v url="$peer_url" '$4 == url { print $1 "|" $3 "|" $5 }')
  if [ -n "$entry" ]; then
    IFS='|' read -r id member_name client_urls <<<"$entry"
    if [ -z "$member_name" ]; then
      log "$name was added by an earlier boot and never started"
    elif [ -z "$client_urls" ]; then
      log "$name is a founding member that never started: joining the new cluster"
      set_env "$ETCD_ENV_FILE" ETCD_INITIAL_CLUSTER_STATE new
      return 0
    else
      log "$name ($id) served before but its data is gone: removing the stale entry"
      etcdctl_at "$peer" member remove "$id" >/dev/null
      entry=""
    fi
  fi
  if [ -z "$entry" ]; then
    log "adding $name at $peer_url as a learner (etcd-settle.service promotes it once it has caught up)"
    etcd_add_learner "$peer" "$name" "$peer_url"
  fi
  # The unstarted entry (ours) has no name yet: fill it in.
  cluster=$(etcdctl_at "$peer" member list -w simple |
    awk -F', ' -v me="$name" -v url="$peer_url" '
      { n = $3; if ($4 == url) n = me; printf "%s%s=%s", sep, n, $4; sep = "," }')
  set_env "$ETCD_ENV_FILE" ETCD_INITIAL_CLUSTER "$cluster"
  set_env "$ETCD_ENV_FILE" ETCD_INITIAL_CLUSTER_STATE existing
  log "joining the existing cluster as $name: $cluster"
}`;

function q(s: string): string {
  // Values are validated to be shell-safe; quoting anyway keeps shellcheck and readers calm.
  return `"${s}"`;
}

export function renderEtcdBootStep(m: EtcdMemberSpec, opts: EtcdBootStepOptions = {}): string {
  assertEtcdSpec(m);
  const u = etcdUrls(m);
  const device = opts.device ?? ETCD_DEFAULT_DEVICE;
  const problems: string[] = [];
  if (opts.volumeId !== undefined && !/^vol-[0-9a-f]{8,17}$/.test(opts.volumeId))
    problems.push(`volumeId must look like vol-0123456789abcdef0 (got ${JSON.stringify(opts.volumeId)}): pass the member's EBS volume ID`);
  if (opts.eniId !== undefined && !/^eni-[0-9a-f]{8,17}$/.test(opts.eniId))
    problems.push(`eniId must look like eni-0123456789abcdef0 (got ${JSON.stringify(opts.eniId)}): pass the member's ENI ID`);
  if (!/^\/dev\/[a-z0-9]+$/.test(device))
    problems.push(`device must be a /dev name like /dev/xvdf (got ${JSON.stringify(device)}): use /dev/xvdf`);
  if (opts.release !== undefined) {
    if (!VERSION.test(opts.release.version))
      problems.push(`release.version must be like 3.5.21 (got ${JSON.stringify(opts.release.version)}): drop the leading v`);
    if (!SHA256.test(opts.release.sha256))
      problems.push(
        `release.sha256 must be 64 lowercase hex digits (got ${JSON.stringify(opts.release.sha256)}): copy it from the release's SHA256SUMS`,
      );
    if (opts.release.url !== undefined && !/^https:\/\/[^\s"'$`\\]+$/.test(opts.release.url))
      problems.push(
        `release.url must be an https URL without quotes or spaces (got ${JSON.stringify(opts.release.url)}): fix the mirror URL`,
      );
  }
  if (problems.length > 0) throw new Error(`invalid etcd boot step for ${m.name}:\n  - ${problems.join("\n  - ")}`);

  const others = m.members.filter((p) => p.name !== m.name).map((p) => q(`https://${p.ip}:${u.clientPort}`));
  const lines: string[] = [
    `# ---- etcd member ${m.name} (${m.dnsName}), rendered by bootstrap/etcdBootStep.ts ----`,
    `readonly ETCD_DATA_DIR=${q(u.dataDir)}`,
    `readonly ETCD_ENV_FILE=${q(ETCD_ENV_PATH)}`,
    `readonly ETCD_PKI=${q(ETCD_PKI_DIR)}`,
    `readonly ETCD_FOUNDED_PARAM=${q(opts.state?.founded ?? "")}`,
    `readonly ETCD_TOKEN_PARAM=${q(opts.state?.clusterToken ?? "")}`,
    "# SSM reads: 6 tries 5 s apart. Peers: a health check may take 5 s; one that may come back is",
    "# polled 12 times 15 s apart (about 5 minutes); a learner add is retried for 10 minutes.",
    "readonly ETCD_SSM_TRIES=6 ETCD_SSM_DELAY=5 ETCD_PEER_TIMEOUT=5s ETCD_PEER_TRIES=12 ETCD_PEER_DELAY=15 ETCD_JOIN_TRIES=40",
    "",
    ETCD_BOOT_HELPERS,
    "",
    `if ! id -u etcd >/dev/null 2>&1; then useradd --system --user-group --no-create-home --home-dir ${q(u.dataDir)} --shell /usr/sbin/nologin etcd; fi`,
  ];
  if (opts.release) {
    const v = opts.release.version;
    const dir = `/opt/etcd/v${v}`;
    lines.push(
      `install_release ${q(opts.release.url ?? etcdReleaseUrl(v))} ${q(opts.release.sha256)} ${q(dir)} 1`,
      "# etcdutl ships from 3.5 on; older tarballs have only etcd and etcdctl.",
      `for bin in etcd etcdctl etcdutl; do`,
      `  if [ -f ${q(dir)}/"$bin" ]; then install -m 0755 ${q(dir)}/"$bin" /usr/local/bin/"$bin"; fi`,
      `done`,
    );
  }
  if (opts.eniId) {
    lines.push(
      "# Static address and policy routing, never DHCP: see bootstrap/etcdNetwork.ts.",
      `${q(ETCD_NETWORK_SCRIPT_PATH)} prepare`,
      `attach_eni ${q(opts.eniId)}`,
      "systemctl daemon-reload",
      `systemctl enable --now ${ETCD_NETWORK_UNIT}`,
    );
  }
  lines.push(`wait_for_ip ${q(m.ip)}`);
  if (opts.volumeId) lines.push(`attach_volume ${q(opts.volumeId)} ${q(device)}`);
  lines.push(
    `data_dev=$(data_device ${q(opts.volumeId ?? "")} ${q(device)})`,
    `mount_data_volume "$data_dev" "$ETCD_DATA_DIR"`,
    "# The fetched keys are root's; etcd (not root) reads the server and peer keys.",
    `chgrp etcd "$ETCD_PKI/server.key" "$ETCD_PKI/peer.key"`,
    `chmod 0640 "$ETCD_PKI/server.key" "$ETCD_PKI/peer.key"`,
    "etcd_live_token",
    `etcd_decide_state ${q(m.name)} ${q(u.peerUrl)}${others.length ? " " + others.join(" ") : ""}`,
    "systemctl daemon-reload",
    "systemctl enable etcd.service",
    "# --no-block: a founding member waits for quorum, which needs the other members' boots.",
    "systemctl start --no-block etcd.service",
  );
  if (opts.settle ?? opts.state !== undefined)
    lines.push(`systemctl enable ${ETCD_SETTLE_UNIT}`, `systemctl start --no-block ${ETCD_SETTLE_UNIT}`);
  if (opts.backupTimer ?? true) lines.push("systemctl enable --now etcd-backup.timer");
  if (opts.defragTimer ?? opts.state !== undefined) lines.push(`systemctl enable --now ${ETCD_DEFRAG_TIMER}`);
  if (opts.certRefreshTimer) lines.push(`systemctl enable --now ${CERT_REFRESH_UNIT}.timer`);
  return `${lines.join("\n")}\n`;
}
