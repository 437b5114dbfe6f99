/**
 * The boot script cloud-init runs once per instance: common helpers (IMDSv2, SSM secrets,
 * verified downloads), then the role's steps in order. Steps are bash snippets rendered by the
 * role's module (bootstrap/etcd.ts, …); they may use every helper defined here and the
 * variables AWS_REGION, INSTANCE_ID and KUBESTEAD_ROLE.
 *
 * `set -Eeuo pipefail`: a failed step fails the boot visibly (cloud-init marks the instance's
 * final stage failed) instead of leaving a half-configured node serving traffic. The EXIT trap then
 * names the failed step and why on the console, and marks the instance Unhealthy so its auto
 * scaling group replaces it: with EC2 health checks the group would keep a running instance whose
 * boot failed (the node role may call autoscaling:SetInstanceHealth, lib/iam.ts reportOwnHealth).
 */
import { SECRETS_MANIFEST_PATH } from "./types";

export type NodeRole = "etcd" | "controlplane" | "worker";

export interface BootScriptArgs {
  role: NodeRole;
  /** AWS region for SSM and EC2 calls, e.g. eu-west-1. */
  region: string;
  /** Role-specific bash snippets, already rendered; run in order after the secrets are fetched. */
  steps: string[];
}

/** Where every role's boot script is written; cloud-init's runcmd runs it. */
export const BOOT_SCRIPT_PATH = "/opt/kubestead/bin/boot.sh";
/** Written when the boot script finishes; health checks and tests look for it. */
export const BOOT_DONE_PATH = "/var/lib/kubestead/boot.done";

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

// String.raw keeps bash's backslashes; the helpers avoid `${`, which a template would substitute.
const COMMON = String.raw`log() {
  printf '%s kubestead-boot[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$KUBESTEAD_ROLE" "$*" >&2
}

# What the failure report reads: the step running, why the boot failed, where to say so.
BOOT_STEP="start"
BOOT_ERROR=""
BOOT_CONSOLE="/dev/console"
INSTANCE_ID=""

die() {
  BOOT_ERROR="$*"
  log "FATAL: $*"
  exit 1
}

# retry ATTEMPTS DELAY CMD...: run CMD until it succeeds, at most ATTEMPTS times. The pause starts
# at DELAY seconds and doubles up to RETRY_MAX_DELAY (default 60), plus up to a quarter more at
# random so nodes booting together do not retry in lockstep: IAM and SSM changes made by the same
# deployment can take a minute or two to be visible to a new instance.
retry() {
  local attempts=$1 delay=$2 max=$RETRY_MAX_DELAY n=1 pause
  shift 2
  if [ "$delay" -gt "$max" ]; then delay=$max; fi
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      BOOT_ERROR="gave up after $n attempts: $*"
      log "$BOOT_ERROR"
      return 1
    fi
    pause=$((delay + RANDOM % (delay / 4 + 1)))
    log "attempt $n/$attempts failed, retrying in $pause s: $*"
    n=$((n + 1))
    sleep "$pause"
    delay=$((delay * 2 > max ? max : delay * 2))
  done
}

# ERR trap (set -E carries it into functions): remember the command that failed for the report.
# A failing function shows up as its last command, "return 1": keep the reason it gave, if any.
on_error() {
  case "$3" in
    return | "return "*)
      if [ -z "$BOOT_ERROR" ]; then BOOT_ERROR="a function returned $1 (line $2)"; fi
      ;;
    *) BOOT_ERROR="'$3' exited $1 (line $2)" ;;
  esac
}

# mark_unhealthy: have the auto scaling group replace this instance now, grace period or not.
mark_unhealthy() {
  if [ -z "$INSTANCE_ID" ]; then
    log "instance ID unknown: cannot mark this instance Unhealthy; terminate it to have it replaced"
    return 1
  fi
  retry 4 5 aws autoscaling set-instance-health --instance-id "$INSTANCE_ID" --health-status Unhealthy \
    --no-should-respect-grace-period --region "$AWS_REGION"
}

# EXIT trap: a failed boot says which step failed and why, on the console (cloud-init's log may be
# out of reach) and stderr, and marks the instance Unhealthy. Best effort: the boot's own exit
# status is kept whatever happens here.
on_exit() {
  local status=$?
  trap - EXIT ERR
  set +e
  if [ "$status" -ne 0 ]; then
    if [ -z "$BOOT_ERROR" ]; then BOOT_ERROR="exit status $status"; fi
    if [ -w "$BOOT_CONSOLE" ]; then
      { log "boot FAILED in $BOOT_STEP: $BOOT_ERROR" 2>>"$BOOT_CONSOLE"; } 2>/dev/null
    fi
    log "boot FAILED in $BOOT_STEP: $BOOT_ERROR"
    if mark_unhealthy; then
      log "marked instance $INSTANCE_ID Unhealthy: its auto scaling group replaces it"
    else
      log "could not mark the instance Unhealthy"
    fi
  fi
  exit "$status"
}

# IMDSv2 only: every metadata read needs a session token (IMDSv1 is disabled on our instances).
imds_token() {
  curl -fsS --retry 5 --retry-connrefused --max-time 10 -X PUT \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS_URL/api/token"
}

# imds PATH: read one metadata path, e.g. "imds instance-id".
imds() {
  local token
  token=$(imds_token)
  curl -fsS --retry 5 --retry-connrefused --max-time 10 \
    -H "X-aws-ec2-metadata-token: $token" "$IMDS_URL/meta-data/$1"
}

# ssm_get PARAMETER FILE: one SecureString, decrypted, into FILE (truncated on every try).
ssm_get() {
  aws ssm get-parameter --with-decryption --region "$AWS_REGION" --name "$1" \
    --query Parameter.Value --output text >"$2"
}

# fetch_secret PARAMETER PATH MODE: write atomically, never readable by others even briefly.
fetch_secret() {
  local parameter=$1 path=$2 mode=$3 dir tmp
  dir=$(dirname "$path")
  install -d -m 0755 "$dir"
  tmp=$(umask 077 && mktemp "$dir/.kubestead-secret.XXXXXX")
  if ! retry 9 3 ssm_get "$parameter" "$tmp"; then
    rm -f "$tmp"
    die "cannot fetch SSM parameter $parameter (check the instance role's ssm:GetParameter and kms:Decrypt)"
  fi
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$path"
}

# fetch_secrets MANIFEST: every "parameter<TAB>path<TAB>mode" line of the manifest.
fetch_secrets() {
  local manifest=$1 parameter path mode count=0
  [ -f "$manifest" ] || die "secrets manifest $manifest is missing (cloud-init write_files failed?)"
  while IFS=$'\t' read -r parameter path mode; do
    [ -n "$parameter" ] || continue
    log "fetching $parameter -> $path ($mode)"
    fetch_secret "$parameter" "$path" "$mode"
    count=$((count + 1))
  done <"$manifest"
  log "fetched $count secrets"
}

# install_release URL SHA256 DEST [STRIP]: download with retries, verify the checksum before
# anything is unpacked or run, then unpack a tarball into DEST (dropping STRIP leading path
# components) or install a single binary as DEST.
install_release() {
  local url=$1 sha256=$2 dest=$3 strip=0 work name
  if [ $# -gt 3 ]; then strip=$4; fi
  work=$(mktemp -d)
  name=$(basename "$url")
  log "downloading $url"
  retry 7 5 curl -fsSL --retry 5 --retry-delay 3 --retry-connrefused --max-time 600 -o "$work/$name" "$url"
  if ! (cd "$work" && printf '%s  %s\n' "$sha256" "$name" | sha256sum -c --strict --quiet -); then
    rm -rf "$work"
    die "sha256 mismatch for $url: refusing to install it"
  fi
  case "$name" in
    *.tar.gz | *.tgz)
      install -d -m 0755 "$dest"
      tar -xzf "$work/$name" -C "$dest" --no-same-owner --strip-components="$strip"
      ;;
    *)
      install -D -m 0755 "$work/$name" "$dest"
      ;;
  esac
  rm -rf "$work"
}`;

export function renderBootScript(args: BootScriptArgs): string {
  if (!REGION.test(args.region)) {
    throw new Error(
      `boot script region must be an AWS region like eu-west-1 (got ${JSON.stringify(args.region)}): pass the stack's aws:region`,
    );
  }
  const steps = args.steps.map((s, i) => {
    if (s.trim() === "") throw new Error(`boot script step ${i + 1} is empty: drop it or render its content`);
    const step = `step ${i + 1}/${args.steps.length}`;
    return `# ---- ${step} ----\nBOOT_STEP="${step}"\nlog "${step}"\n${s.trimEnd()}\n`;
  });
  return `#!/usr/bin/env bash
# kubestead boot script, role ${args.role}. Rendered by bootstrap/bootScript.ts: edit the renderer, not the node.
set -Eeuo pipefail
umask 022

readonly KUBESTEAD_ROLE="${args.role}"
readonly AWS_REGION="${args.region}"
export AWS_DEFAULT_REGION="$AWS_REGION"
readonly SECRETS_MANIFEST="${SECRETS_MANIFEST_PATH}"
readonly IMDS_URL="http://169.254.169.254/latest"
# retry's longest pause, seconds.
RETRY_MAX_DELAY=60
# The awscli and tarballs we install go to /usr/local/bin; cloud-init's PATH may lack it.
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

${COMMON}

trap 'on_error "$?" "$LINENO" "$BASH_COMMAND"' ERR
trap on_exit EXIT

log "boot start"
BOOT_STEP="instance metadata"
INSTANCE_ID=$(imds instance-id)
export INSTANCE_ID
BOOT_STEP="secrets"
fetch_secrets "$SECRETS_MANIFEST"

${steps.join("\n")}
install -d -m 0755 "$(dirname "${BOOT_DONE_PATH}")"
touch "${BOOT_DONE_PATH}"
log "boot complete"
`;
}
