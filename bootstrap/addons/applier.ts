/**
 * The add-on applier on control-plane nodes: the cluster brings up and keeps reconciling its own
 * add-ons, so `pulumi up` needs AWS credentials only and never reaches the Kubernetes API.
 *
 * Each run (at boot and on a timer): wait for the local apiserver; take a Lease so only one of the
 * control-plane nodes applies at a time (a stale Lease is taken over with optimistic concurrency);
 * label this node as control plane (kubeadm's node-role label, which no kubelet may set on itself:
 * control-plane add-ons select on it); download the stored manifests from S3 and verify them
 * against SHA256SUMS; re-read the node-local secret manifests from SSM (the bootstrap token, which
 * `pulumi up` rotates) and apply them, then delete token Secrets that are no longer the current
 * one; apply every listed manifest, with server-side apply under one field manager, except that a
 * manifest marked with a minimum apiserver minor (manifests.ts MIN_APISERVER_MARK) waits while any
 * control-plane node runs an older one; when all applied and none waited, delete objects labelled
 * as add-ons that the stored inventory no longer holds; release the Lease. Every kubectl call
 * retries with exponential backoff; what was applied, held and pruned is logged to the journal.
 */
import type { StoredNodeFile } from "../storedFiles";
import { renderUnit } from "../systemd";
import { ADDON_LABEL, CHECKSUMS_FILE, INVENTORY_FILE, MIN_APISERVER_MARK } from "./manifests";
import { BOOTSTRAP_TOKEN_LABEL } from "./nodeBootstrap";
import { CONTROL_PLANE_LABEL, requireRegion } from "./objects";

/** Where the applier keeps the verified manifests on the node (also what `render` writes). */
export const ADDON_DIR = "/etc/kubernetes/addons";
/** Secret manifests fetched from SSM at boot (0600), applied beside the stored ones. */
export const ADDON_SECRET_DIR = "/etc/kubernetes/addons-secrets";
export const APPLIER_PATH = "/opt/kubestead/bin/addons-apply.sh";
export const APPLIER_ENV_PATH = "/etc/kubestead/addons.env";
export const APPLIER_UNIT = "kubestead-addons";
export const FIELD_MANAGER = "kubestead-addons";
export const LEASE_NAME = "kubestead-addons";

/**
 * Resource types prune looks at. Every kind an add-on renders must be here (a test checks it), so
 * an object whose add-on was turned off, or that an add-on stopped rendering, is still found —
 * except Namespaces, which are never pruned: deleting one deletes everything in it.
 */
export const PRUNE_TYPES: string[] = [
  "apiservices.apiregistration.k8s.io",
  "clusterrolebindings.rbac.authorization.k8s.io",
  "clusterroles.rbac.authorization.k8s.io",
  "configmaps",
  "csidrivers.storage.k8s.io",
  "daemonsets.apps",
  "deployments.apps",
  "poddisruptionbudgets.policy",
  "rolebindings.rbac.authorization.k8s.io",
  "roles.rbac.authorization.k8s.io",
  "serviceaccounts",
  "services",
  "statefulsets.apps",
  "storageclasses.storage.k8s.io",
];

export interface ApplierArgs {
  /** s3://bucket/prefix/ of the stored manifests. */
  storeUri: string;
  region: string;
  /** kubeconfig the applier uses (the node's admin kubeconfig). */
  kubeconfig: string;
  /** Minutes between runs (default 5). */
  intervalMinutes?: number;
  /**
   * Secret manifests re-read from SSM at the start of every run: file name in ADDON_SECRET_DIR →
   * SSM parameter. Without it the files fetched at boot are applied, and old tokens are not deleted.
   */
  secretParameters?: Record<string, string>;
}

const STORE_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([A-Za-z0-9._-]+\/)*$/;

// String.raw keeps bash's backslashes; the body avoids `${`, which a template would substitute.
const BODY = String.raw`log() {
  printf '%s kubestead-addons: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

# backoff ATTEMPTS CMD...: run CMD until it succeeds, sleeping 2, 4, 8 … (at most 60) seconds
# between tries, plus up to 2 s of jitter so three nodes don't retry in lockstep.
backoff() {
  local attempts=$1 n=1 delay=2
  shift
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      log "giving up after $n attempts: $*"
      return 1
    fi
    log "attempt $n failed, retrying in $delay s: $*"
    sleep "$((delay + RANDOM % 3))"
    n=$((n + 1))
    delay=$((delay * 2))
    if [ "$delay" -gt 60 ]; then delay=60; fi
  done
}

kc() {
  kubectl --kubeconfig "$KUBECONFIG_PATH" --request-timeout=30s "$@"
}

lease_manifest() {
  # lease_manifest RENEW_TIME [RESOURCE_VERSION]
  printf 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: %s\n  namespace: kube-system\n' "$LEASE"
  if [ $# -gt 1 ]; then printf '  resourceVersion: "%s"\n' "$2"; fi
  printf 'spec:\n  holderIdentity: %s\n  leaseDurationSeconds: %s\n  renewTime: %s\n' "$HOLDER" "$LEASE_SECONDS" "$1"
}

now_micro() {
  date -u +%Y-%m-%dT%H:%M:%S.000000Z
}

# Create the Lease (fails when it exists); take over a stale one only with the resourceVersion we
# read, so two nodes racing for a stale Lease can't both win. A run can't outlive the Lease: the
# unit's start timeout is shorter than LEASE_SECONDS. Returns 0 held, 1 held by another node, 2 error.
acquire_lease() {
  local out fields holder renew rv age
  if out=$(lease_manifest "$(now_micro)" | kc create -f - 2>&1); then return 0; fi
  case "$out" in
    *AlreadyExists* | *"already exists"*) ;;
    *)
      log "cannot create the lease: $out"
      return 2
      ;;
  esac
  fields=$(kc -n kube-system get lease "$LEASE" -o jsonpath='{.spec.holderIdentity}{" "}{.spec.renewTime}{" "}{.metadata.resourceVersion}') || return 2
  read -r holder renew rv <<<"$fields"
  age=$(($(date -u +%s) - $(date -u -d "$renew" +%s)))
  if [ "$age" -lt "$LEASE_SECONDS" ]; then
    log "add-ons are being applied by $holder (lease renewed $age s ago); this node skips this run"
    return 1
  fi
  log "taking over the lease of $holder (stale for $age s)"
  if ! lease_manifest "$(now_micro)" "$rv" | kc replace -f - >/dev/null; then
    log "another node took the stale lease first; this node skips this run"
    return 1
  fi
}

release_lease() {
  local holder
  holder=$(kc -n kube-system get lease "$LEASE" -o jsonpath='{.spec.holderIdentity}' 2>/dev/null) || return 0
  if [ "$holder" = "$HOLDER" ]; then kc -n kube-system delete lease "$LEASE" --ignore-not-found >/dev/null || true; fi
}

fetch_store() {
  rm -rf "$STAGING"
  install -d -m 0700 "$STAGING"
  aws s3 cp --recursive --only-show-errors --region "$AWS_REGION" "$STORE_URI" "$STAGING/"
}

# The files SHA256SUMS lists, in its order. Nothing else in the store is ever applied: a file
# written before or after this snapshot (a run during pulumi up) fails the check instead.
listed_files() {
  awk '{ print $2 }' "$1/$CHECKSUMS"
}

verify_store() {
  [ -s "$STAGING/$CHECKSUMS" ] || { log "the store has no $CHECKSUMS: refusing to apply"; return 1; }
  listed_files "$STAGING" | grep -qx "$INVENTORY" || { log "$CHECKSUMS does not list $INVENTORY: refusing to apply"; return 1; }
  (cd "$STAGING" && sha256sum -c --strict --quiet "$CHECKSUMS") || { log "a stored file does not match $CHECKSUMS (the store is mid-update or tampered with): refusing to apply"; return 1; }
}

install_store() {
  local next="$ADDON_DIR.next" f
  rm -rf "$next"
  install -d -m 0700 "$next"
  cp -p "$STAGING/$CHECKSUMS" "$next/"
  while read -r f; do cp -p "$STAGING/$f" "$next/$f"; done < <(listed_files "$STAGING")
  rm -rf "$ADDON_DIR.prev"
  if [ -d "$ADDON_DIR" ]; then mv "$ADDON_DIR" "$ADDON_DIR.prev"; fi
  mv "$next" "$ADDON_DIR"
  rm -rf "$ADDON_DIR.prev"
}

# kubeadm's control-plane label. NodeRestriction forbids a kubelet to set it, so control-plane-bound
# add-ons select on it and a worker can't attract them; each control-plane node sets it on itself,
# with the admin credential, before anything is applied (the add-ons selecting on it come later).
label_self() {
  # Also keep Service load balancers off control-plane nodes (their security groups are the CCM's to open).
  kc label node "$(hostname)" "$CONTROL_PLANE_LABEL=" node.kubernetes.io/exclude-from-external-load-balancers= --overwrite >/dev/null
}

# Control-plane Nodes as "NAME KUBELET_VERSION" lines.
control_plane_versions() {
  kc get nodes -l "$CONTROL_PLANE_LABEL" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.nodeInfo.kubeletVersion}{"\n"}{end}'
}

# Sets CP_OLDEST to "NAME VERSION MAJOR MINOR" of the oldest control-plane node, or CP_UNKNOWN to
# why it can't be told. A control-plane node's kubelet and kube-apiserver are the same release in
# kubestead (both from kubernetes.version in its launch template), so the lowest kubelet version
# among them is the oldest apiserver a client behind the API load balancer may reach.
CP_OLDEST=""
CP_UNKNOWN=""
read_oldest_control_plane() {
  local listing name version major minor oldest="" oldest_major=0 oldest_minor=0
  if ! listing=$(backoff 5 control_plane_versions); then
    CP_UNKNOWN="kubectl could not list the Nodes labelled $CONTROL_PLANE_LABEL"
    return 0
  fi
  while read -r name version; do
    [ -n "$name" ] || continue
    if [[ ! $version =~ ^v([0-9]+)\.([0-9]+)\. ]]; then
      CP_UNKNOWN="control-plane node $name reports kubelet version '$version'"
      return 0
    fi
    major=$((10#${"$"}{BASH_REMATCH[1]})) minor=$((10#${"$"}{BASH_REMATCH[2]}))
    if [ -z "$oldest" ] || [ "$major" -lt "$oldest_major" ] || { [ "$major" -eq "$oldest_major" ] && [ "$minor" -lt "$oldest_minor" ]; }; then
      oldest="$name $version" oldest_major=$major oldest_minor=$minor
    fi
  done <<<"$listing"
  if [ -z "$oldest" ]; then
    CP_UNKNOWN="no Node is labelled $CONTROL_PLANE_LABEL"
    return 0
  fi
  CP_OLDEST="$oldest $oldest_major $oldest_minor"
}

# check_hold FILE: sets HOLD to why FILE must wait (empty: apply it). The version skew policy
# (https://kubernetes.io/releases/version-skew-policy/) forbids kube-proxy and the controllers to be
# newer than the oldest kube-apiserver; while the control plane's instance refresh replaces nodes one
# at a time, the store already holds the new minor's. Fail safe: a version that can't be read holds.
HOLD=""
check_hold() {
  local need need_major need_minor name version major minor
  HOLD=""
  # The mark sits in the file's header, before the first document.
  need=$(sed -n "/^---/q; s/^$MIN_APISERVER_MARK //p" "$1")
  [ -n "$need" ] || return 0
  if [[ ! $need =~ ^([0-9]+)\.([0-9]+)$ ]]; then
    HOLD="apiserver '$need': its mark is not a minor like 1.36"
    return 0
  fi
  need_major=$((10#${"$"}{BASH_REMATCH[1]})) need_minor=$((10#${"$"}{BASH_REMATCH[2]}))
  # Read once per run, on the first marked file.
  if [ -z "$CP_OLDEST" ] && [ -z "$CP_UNKNOWN" ]; then read_oldest_control_plane; fi
  if [ -n "$CP_UNKNOWN" ]; then
    HOLD="apiserver $need: the oldest control-plane version is unknown ($CP_UNKNOWN)"
    return 0
  fi
  read -r name version major minor <<<"$CP_OLDEST"
  if [ "$major" -lt "$need_major" ] || { [ "$major" -eq "$need_major" ] && [ "$minor" -lt "$need_minor" ]; }; then
    HOLD="apiserver $need: control-plane node $name runs $version"
  fi
}

apply_file() {
  kc apply --server-side --force-conflicts --field-manager="$FIELD_MANAGER" -f "$1" >/dev/null
}

# Objects labelled as add-ons that the inventory doesn't hold, as "TYPE NAMESPACE NAME" lines.
stale_objects() {
  local types
  types=$(tr ' ' ',' <<<"$PRUNE_TYPES")
  kc get "$types" --all-namespaces -l "$ADDON_LABEL" \
    -o jsonpath='{range .items[*]}{.apiVersion}{"|"}{.kind}{"|"}{.metadata.namespace}{"|"}{.metadata.name}{"\n"}{end}' |
    sort -u | comm -23 - <(sort -u "$ADDON_DIR/$INVENTORY")
}

prune() {
  local stale api kind ns name group version type where count=0
  stale=$(backoff 5 stale_objects) || return 1
  while IFS='|' read -r api kind ns name; do
    [ -n "$name" ] || continue
    case "$api" in
      */*) IFS=/ read -r group version <<<"$api" ;;
      *) group="" version=$api ;;
    esac
    # kubectl reads Kind.version as resource.group: the core group needs the trailing dot.
    type="$kind.$version.$group"
    where=$name
    if [ -n "$ns" ]; then where="$ns/$name"; fi
    log "pruning $type $where: no stored manifest holds it"
    if [ -n "$ns" ]; then
      backoff 5 kc delete "$type" "$name" -n "$ns" --ignore-not-found --wait=false >/dev/null
    else
      backoff 5 kc delete "$type" "$name" --ignore-not-found --wait=false >/dev/null
    fi
    count=$((count + 1))
  done <<<"$stale"
  log "pruned $count objects"
}

# Secret manifests from SSM, each written whole or not at all: the bootstrap token rotates with
# pulumi up, and a file fetched at boot would keep applying the old one. 0 when all were read.
refresh_secrets() {
  local pair file parameter tmp
  for pair in $SECRET_PARAMETERS; do
    IFS='=' read -r file parameter <<<"$pair"
    tmp=$(mktemp "$ADDON_SECRET_DIR/.refresh.XXXXXX")
    if aws ssm get-parameter --with-decryption --region "$AWS_REGION" --name "$parameter" \
      --query Parameter.Value --output text >"$tmp" && [ -s "$tmp" ]; then
      mv -f "$tmp" "$ADDON_SECRET_DIR/$file"
    else
      rm -f "$tmp"
      log "cannot read $parameter (check the control-plane role's ssm:GetParameter and kms:Decrypt)"
      return 1
    fi
  done
}

# Bootstrap token Secrets carrying the label, one name per line.
labelled_tokens() {
  kc get secrets -n kube-system -l "$TOKEN_LABEL=true" -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'
}

# prune_tokens CURRENT: delete every labelled token Secret not named in CURRENT (one name a line):
# a token rotated away by pulumi up. Only after the current ones were read from SSM and applied in
# this run, so two nodes can't take turns deleting each other's token; never with no current token.
prune_tokens() {
  local current=$1 tokens name count=0
  [ -n "$current" ] || return 0
  tokens=$(backoff 5 labelled_tokens) || return 1
  while read -r name; do
    [ -n "$name" ] || continue
    if grep -qxF "$name" <<<"$current"; then continue; fi
    log "deleting bootstrap token Secret $name: no longer the current token"
    backoff 5 kc delete secret "$name" -n kube-system --ignore-not-found --wait=false >/dev/null || return 1
    count=$((count + 1))
  done <<<"$tokens"
  log "deleted $count old bootstrap token Secrets"
}

main() {
  log "run start (store $STORE_URI)"
  backoff "$API_ATTEMPTS" kc get --raw /readyz >/dev/null || { log "the local apiserver is not ready"; return 1; }
  backoff 5 label_self || { log "could not label $(hostname) with $CONTROL_PLANE_LABEL"; return 1; }
  local held=0
  acquire_lease || held=$?
  if [ "$held" -eq 1 ]; then return 0; fi
  if [ "$held" -ne 0 ]; then return 1; fi
  trap release_lease EXIT
  backoff 8 fetch_store || { log "cannot read the add-on store $STORE_URI (check the control-plane role's s3:GetObject)"; return 1; }
  verify_store
  install_store
  # Each file on its own: one failing add-on neither blocks the others nor node joins (the token
  # Secret goes first). Prune only after everything applied, so a renamed object's old copy stays
  # until its replacement exists.
  local f name names failed=0 applied=0 waiting=0 fresh=0 current=""
  if [ -n "$SECRET_PARAMETERS" ] && backoff 5 refresh_secrets; then fresh=1; fi
  for f in "$ADDON_SECRET_DIR"/*.yaml; do
    [ -e "$f" ] || continue
    if backoff 6 apply_file "$f"; then log "applied secret manifest $(basename "$f")"; else log "could not apply secret manifest $(basename "$f")"; failed=$((failed + 1)); fi
  done
  # Old bootstrap tokens go once the current one is in the cluster (the tokencleaner would delete
  # them only at their expiry).
  if [ "$fresh" -eq 1 ] && [ "$failed" -eq 0 ]; then
    for f in "$ADDON_SECRET_DIR"/*.yaml; do
      [ -e "$f" ] || continue
      if names=$(backoff 5 kc get -f "$f" -o name); then
        current+=$(sed -n 's#^secret/##p' <<<"$names")$'\n'
      else
        failed=$((failed + 1))
      fi
    done
    if [ "$failed" -eq 0 ] && ! prune_tokens "$current"; then
      log "could not delete old bootstrap token Secrets"
      failed=$((failed + 1))
    fi
  else
    log "old bootstrap token Secrets kept: the secret manifests were not all read from SSM and applied in this run"
  fi
  while read -r name; do
    case "$name" in *.yaml) ;; *) continue ;; esac
    f="$ADDON_DIR/$name"
    check_hold "$f"
    if [ -n "$HOLD" ]; then
      # Not a failure: the timer's next runs apply it once the last older control-plane node is gone.
      log "holding $name for $HOLD"
      waiting=$((waiting + 1))
      continue
    fi
    if backoff 6 apply_file "$f"; then
      log "applied $name sha256 $(sha256sum "$f" | cut -d' ' -f1)"
      applied=$((applied + 1))
    else
      log "could not apply $name"
      failed=$((failed + 1))
    fi
  done < <(listed_files "$ADDON_DIR")
  if [ "$failed" -gt 0 ]; then
    log "run incomplete: $applied manifests applied, $failed failed; nothing pruned"
    return 1
  fi
  [ "$((applied + waiting))" -gt 0 ] || { log "the store holds no manifests: nothing applied, nothing pruned"; return 1; }
  # The inventory is the new release's: prune would delete what a held file's older release still
  # runs and the new one renamed or dropped. So nothing is pruned until nothing waits.
  if [ "$waiting" -gt 0 ]; then
    log "run complete: $applied manifests applied, $waiting held for the control-plane upgrade; nothing pruned"
    return 0
  fi
  prune
  log "run complete: $applied manifests applied"
}

main "$@"`;

export function renderApplierScript(): string {
  return `#!/usr/bin/env bash
# kubestead add-on applier. Rendered by bootstrap/addons/applier.ts: edit the renderer, not the node.
set -euo pipefail
umask 077
# comm(1) needs both inputs sorted the same way.
export LC_ALL=C
# kubectl is installed to /usr/local/bin; keep whatever PATH the caller set in front.
export PATH="\${PATH:+\$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# shellcheck source=/dev/null
. "\${KUBESTEAD_ADDONS_ENV:-${APPLIER_ENV_PATH}}"
: "\${STORE_URI:?} \${AWS_REGION:?} \${KUBECONFIG_PATH:?}"
ADDON_DIR="\${ADDON_DIR:-${ADDON_DIR}}"
ADDON_SECRET_DIR="\${ADDON_SECRET_DIR:-${ADDON_SECRET_DIR}}"
SECRET_PARAMETERS="\${SECRET_PARAMETERS:-}"
STAGING="\${STAGING:-/var/lib/kubestead/addons-staging}"
API_ATTEMPTS="\${API_ATTEMPTS:-12}"
readonly FIELD_MANAGER="${FIELD_MANAGER}"
readonly LEASE="${LEASE_NAME}"
# Longer than the unit's start timeout: a live run never loses the Lease.
readonly LEASE_SECONDS=1800
readonly ADDON_LABEL="${ADDON_LABEL}"
readonly CHECKSUMS="${CHECKSUMS_FILE}"
readonly INVENTORY="${INVENTORY_FILE}"
readonly PRUNE_TYPES="${PRUNE_TYPES.join(" ")}"
readonly CONTROL_PLANE_LABEL="${CONTROL_PLANE_LABEL}"
readonly MIN_APISERVER_MARK="${MIN_APISERVER_MARK}"
readonly TOKEN_LABEL="${BOOTSTRAP_TOKEN_LABEL}"
HOLDER="$(hostname)"
readonly HOLDER

${BODY}
`;
}

export function renderApplierEnv(a: ApplierArgs): string {
  if (!STORE_URI.test(a.storeUri)) {
    throw new Error(`add-on store must be s3://<bucket>/<prefix>/ (got ${JSON.stringify(a.storeUri)}): pass the AddonStore's uri`);
  }
  requireRegion("add-on applier", a.region);
  const secretParameters = Object.entries(a.secretParameters ?? {}).sort(([x], [y]) => x.localeCompare(y));
  for (const [file, parameter] of secretParameters) {
    // Sourced by bash and split on spaces: both sides must stay plain words.
    if (!/^[a-z0-9][a-z0-9.-]*\.yaml$/.test(file) || !/^\/[A-Za-z0-9_.\/-]+$/.test(parameter)) {
      throw new Error(
        `add-on applier secret parameter ${JSON.stringify(file)} → ${JSON.stringify(parameter)}: the file must be a plain *.yaml name and the parameter an SSM path`,
      );
    }
  }
  const env = [`STORE_URI=${a.storeUri}`, `AWS_REGION=${a.region}`, `KUBECONFIG_PATH=${a.kubeconfig}`];
  if (secretParameters.length > 0) env.push(`SECRET_PARAMETERS="${secretParameters.map(([f, p]) => `${f}=${p}`).join(" ")}"`);
  return [...env, ""].join("\n");
}

export function renderApplierUnits(a: Pick<ApplierArgs, "intervalMinutes">): { service: string; timer: string } {
  const every = a.intervalMinutes ?? 5;
  if (!Number.isInteger(every) || every < 1)
    throw new Error(`add-on applier interval must be a whole number of minutes ≥ 1 (got ${every})`);
  return {
    service: renderUnit({
      Unit: {
        Description: "kubestead: apply the cluster's add-ons from the add-on store",
        After: ["network-online.target", "kubelet.service"],
        Wants: "network-online.target",
      },
      // Shorter than the Lease (LEASE_SECONDS): a run is killed before its Lease could lapse.
      Service: { Type: "oneshot", ExecStart: APPLIER_PATH, TimeoutStartSec: "25min" },
    }),
    timer: renderUnit({
      Unit: { Description: "kubestead: reconcile the cluster's add-ons" },
      // At boot, then every interval after the previous run ends; a failed run is retried then.
      Timer: { OnActiveSec: "10s", OnUnitInactiveSec: `${every}min`, RandomizedDelaySec: "30s" },
      Install: { WantedBy: "timers.target" },
    }),
  };
}

/**
 * The applier reaches its node through the add-on store (bootstrap/storedFiles.ts), not user data:
 * the control plane's user data is near EC2's 16 KiB limit.
 */
export function applierStoredFiles(): StoredNodeFile[] {
  return [{ path: APPLIER_PATH, content: renderApplierScript(), mode: "0755" }];
}

/** Boot step (after the kubelet starts): the first run begins as soon as the timer is on. */
export function renderApplierBootStep(): string {
  return `# The control plane applies its own add-ons: start the reconcile timer.
systemctl daemon-reload
systemctl enable --now ${APPLIER_UNIT}.timer
`;
}
