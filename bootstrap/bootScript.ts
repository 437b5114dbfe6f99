/**
 * The boot script cloud-init runs once per instance: common helpers (IMDSv2, SSM secrets,
 * verified downloads), then the role's steps in order. Steps are bash snippets rendered by the
 * role's module (bootstrap/etcd.ts, …); they may use every helper defined here and the
 * variables AWS_REGION, INSTANCE_ID and KUBESTEAD_ROLE.
 *
 * `set -euo pipefail`: a failed step fails the boot visibly (cloud-init marks the instance's
 * final stage failed) instead of leaving a half-configured node serving traffic.
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

die() {
  log "FATAL: $*"
  exit 1
}

# retry ATTEMPTS DELAY CMD...: run CMD until it succeeds, sleeping DELAY seconds between tries.
retry() {
  local attempts=$1 delay=$2 n=1
  shift 2
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      log "giving up after $n attempts: $*"
      return 1
    fi
    n=$((n + 1))
    sleep "$delay"
  done
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
  if ! retry 5 3 ssm_get "$parameter" "$tmp"; then
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
  retry 3 5 curl -fsSL --retry 5 --retry-delay 3 --retry-connrefused --max-time 600 -o "$work/$name" "$url"
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
    return `# ---- step ${i + 1}/${args.steps.length} ----\nlog "step ${i + 1}/${args.steps.length}"\n${s.trimEnd()}\n`;
  });
  return `#!/usr/bin/env bash
# kubestead boot script, role ${args.role}. Rendered by bootstrap/bootScript.ts: edit the renderer, not the node.
set -euo pipefail
umask 022

readonly KUBESTEAD_ROLE="${args.role}"
readonly AWS_REGION="${args.region}"
export AWS_DEFAULT_REGION="$AWS_REGION"
readonly SECRETS_MANIFEST="${SECRETS_MANIFEST_PATH}"
readonly IMDS_URL="http://169.254.169.254/latest"
# The awscli and tarballs we install go to /usr/local/bin; cloud-init's PATH may lack it.
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

${COMMON}

log "boot start"
INSTANCE_ID=$(imds instance-id)
export INSTANCE_ID
fetch_secrets "$SECRETS_MANIFEST"

${steps.join("\n")}
install -d -m 0755 "$(dirname "${BOOT_DONE_PATH}")"
touch "${BOOT_DONE_PATH}"
log "boot complete"
`;
}
