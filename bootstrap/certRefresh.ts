/**
 * Certificates that renew on running nodes. The boot runs once per instance, so a leaf that
 * `pulumi up` re-issued (tls early renewal) would otherwise reach a node only when it is replaced.
 * Every etcd member and control-plane node runs kubestead-cert-refresh.timer instead: every
 * CERT_REFRESH_PERIOD_HOURS (plus up to CERT_REFRESH_JITTER_HOURS at random, so nodes do not read
 * SSM in lockstep) it reads its role's certificate parameters from SSM (String parameters under
 * the role's own path, which the role's IAM policy already lets it read), and for each one that
 * differs from the file on disk:
 *
 *  1. validates it with openssl: exactly one certificate and no key material, it parses, it has not
 *     expired, it chains to the CA on disk, and its public key is the one of the private key on
 *     disk (a leaf renewal re-signs the same key, components/pki.ts). Refused: the old file stays,
 *     the run exits non-zero (the unit fails, which is what alerting sees); nothing of the key is
 *     ever printed, only openssl's verdict on the certificate;
 *  2. replaces it atomically: a temp file in the same directory given the old file's owner and
 *     mode, then one rename;
 *  3. reloads what needs it:
 *     - etcd re-reads its certificate files on every new TLS handshake: nothing to restart. The
 *       script then checks `etcdctl endpoint health` over TLS with the new files and puts the old
 *       files back if the member no longer answers;
 *     - kube-apiserver reloads its serving certificate and client CA files by itself, and its
 *       client certificates (etcd, kubelet, front proxy) are read per new connection;
 *       kube-controller-manager and kube-scheduler read their kubeconfig's client certificate at
 *       start only: their static pods are restarted, one control-plane node at a time (a Lease in
 *       kube-system), only when their own certificate changed, the way kubeadm's certificate
 *       renewal documents it (park the manifest until the pod stops, put it back, wait for healthz).
 *       A restart that could not take the Lease stays pending and is retried on the next run.
 *
 * The CAs are deliberately not refreshed: a new CA pushed to nodes one by one would split trust
 * across the cluster; a leaf signed by another CA is refused (README, "CA rotation").
 * The control-plane kubelet's own client certificate is rotated by the kubelet itself
 * (rotateCertificates, and the symlink layout of bootstrap/controlPlane/kubeletCredential.ts).
 */
import { renderUnit } from "./systemd";

export const CERT_REFRESH_SCRIPT_PATH = "/opt/kubestead/bin/cert-refresh.sh";
/** Which certificates this node refreshes: one `parameter<TAB>cert<TAB>key<TAB>ca<TAB>restart` a line. */
export const CERT_REFRESH_MANIFEST_PATH = "/etc/kubestead/cert-refresh.tsv";
export const CERT_REFRESH_STATE_DIR = "/var/lib/kubestead/cert-refresh";
export const CERT_REFRESH_UNIT = "kubestead-cert-refresh";
export const CERT_REFRESH_LEASE = "kubestead-cert-refresh";
/** Hours between runs, and the most a run is delayed at random on top. */
export const CERT_REFRESH_PERIOD_HOURS = 6;
export const CERT_REFRESH_JITTER_HOURS = 1;

/**
 * The longest a certificate renewed in SSM waits before a node's next run picks it up: the period
 * plus the largest random delay. The launch templates carry it as a tag for the policy pack.
 */
export function certRefreshDelayHours(): number {
  return CERT_REFRESH_PERIOD_HOURS + CERT_REFRESH_JITTER_HOURS;
}

/** Launch-template tag with certRefreshDelayHours(), read by the cert-refresh-window policy. */
export const CERT_REFRESH_TAG = "kubestead.io/cert-refresh-hours";

/** Static pods that read a client certificate only at start. */
export type RestartableComponent = "kube-controller-manager" | "kube-scheduler";

export interface CertRefreshEntry {
  /** SSM String parameter holding the certificate PEM. */
  parameter: string;
  /** The certificate on disk. */
  path: string;
  /** Its private key on disk (checked against the new certificate, never printed). */
  key: string;
  /** The CA certificate on disk it must chain to. */
  ca: string;
  /** Static pod restarted when this certificate changed; absent = the component reloads it by itself. */
  restart?: RestartableComponent;
}

export interface CertRefreshScriptArgs {
  role: "etcd" | "controlplane";
  region: string;
  /** Default CERT_REFRESH_MANIFEST_PATH / CERT_REFRESH_STATE_DIR (tests point them at a temp dir). */
  manifestPath?: string;
  stateDir?: string;
  /** etcd: the member's local client URL and the client identity the health check uses. */
  etcd?: {
    endpoint: string;
    caPath: string;
    certPath: string;
    keyPath: string;
    /** Seconds between the three health checks (default 5). */ healthDelaySeconds?: number;
  };
  /**
   * Control plane: the kubeconfig the Lease is taken with, the static pod manifests directory and
   * each restartable component's health URL (an unauthenticated /healthz, as the kubelet's probe).
   */
  controlPlane?: {
    kubeconfig: string;
    manifestsDir: string;
    healthUrls: Record<RestartableComponent, string>;
    /** Seconds to wait for a pod to stop or to come back healthy (default 180). */
    waitSeconds?: number;
    /** Tries to take the Lease, 30 s apart (default 20: ten minutes). */
    leaseTries?: number;
    leaseDelaySeconds?: number;
  };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/;
const SAFE_PARAM = /^\/[A-Za-z0-9._/-]+$/;
const SAFE_URL = /^https:\/\/[A-Za-z0-9.:[\]/_-]+$/;
const RESTARTABLE: RestartableComponent[] = ["kube-controller-manager", "kube-scheduler"];

/** The node's list of certificates to refresh (user data: a few hundred bytes). */
export function renderCertRefreshManifest(entries: CertRefreshEntry[]): string {
  const problems: string[] = [];
  const seen = new Set<string>();
  if (entries.length === 0) problems.push("no certificates to refresh: pass the role's leaf certificates");
  for (const e of entries) {
    if (!SAFE_PARAM.test(e.parameter)) problems.push(`parameter ${JSON.stringify(e.parameter)} must be an SSM path of safe characters`);
    for (const [what, p] of [
      ["path", e.path],
      ["key", e.key],
      ["ca", e.ca],
    ] as const) {
      if (!SAFE_PATH.test(p)) problems.push(`${what} ${JSON.stringify(p)} of ${e.parameter} must be an absolute path of safe characters`);
    }
    if (e.restart !== undefined && !RESTARTABLE.includes(e.restart))
      problems.push(`restart ${JSON.stringify(e.restart)} of ${e.parameter} must be one of ${RESTARTABLE.join(", ")}`);
    if (e.path === e.ca) problems.push(`${e.path} is its own CA: the CAs are never refreshed (README, "CA rotation")`);
    if (seen.has(e.path)) problems.push(`${e.path} is listed twice`);
    seen.add(e.path);
  }
  if (problems.length > 0) throw new Error(`certificate refresh manifest: ${problems.join("; ")}: fix the caller`);
  const lines = entries.map((e) => [e.parameter, e.path, e.key, e.ca, e.restart ?? "-"].join("\t"));
  return `# parameter\tcertificate\tkey\tca\trestart. Rendered by bootstrap/certRefresh.ts.\n${lines.join("\n")}\n`;
}

// The body is String.raw (bash backslashes kept) and avoids `${`, which a template substitutes.
const COMMON = String.raw`log() {
  printf '%s kubestead-cert-refresh[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$ROLE" "$*" >&2
}

# fetch_cert PARAMETER FILE: the parameter's value into FILE. The CLI's text output ends the value
# with a newline of its own: blank lines at the end and carriage returns are dropped, so the same
# certificate compares equal to the file on disk. Errors name the parameter, never a value.
fetch_cert() {
  local err rc=0
  err="$WORK/aws.err"
  aws ssm get-parameter --region "$AWS_REGION" --name "$1" --query Parameter.Value --output text >"$WORK/raw" 2>"$err" </dev/null || rc=$?
  if [ "$rc" -ne 0 ]; then
    log "cannot read SSM parameter $1 (exit $rc): $(tr '\n' ' ' <"$err" | cut -c1-300)"
    return 1
  fi
  tr -d '\r' <"$WORK/raw" | awk 'NF { while (blank > 0) { print ""; blank-- } print; next } { blank++ }' >"$2"
  rm -f "$WORK/raw"
}

# cert_problem NEW KEY CA: print why NEW must not be installed, nothing when it may. Only openssl's
# verdicts are used (their output is discarded): neither the key nor the parameter is ever printed.
cert_problem() {
  local new=$1 key=$2 ca=$3 cert_pub key_pub
  # The bracket keeps this script's own text free of the phrase that leak scanners look for.
  if grep -q 'PRIVATE[ ]KEY' "$new"; then
    echo "the parameter holds key material, not a certificate"
    return 0
  fi
  if [ "$(grep -c -- '-----BEGIN CERTIFICATE-----' "$new")" != 1 ]; then
    echo "the parameter does not hold exactly one PEM certificate"
    return 0
  fi
  if ! openssl x509 -in "$new" -noout >/dev/null 2>&1; then
    echo "the certificate does not parse"
    return 0
  fi
  if ! openssl x509 -in "$new" -noout -checkend 0 >/dev/null 2>&1; then
    echo "the certificate has expired"
    return 0
  fi
  if ! openssl verify -CAfile "$ca" "$new" >/dev/null 2>&1; then
    echo "the certificate does not chain to the CA $ca"
    return 0
  fi
  if ! cert_pub=$(openssl x509 -in "$new" -noout -pubkey 2>/dev/null); then
    echo "the certificate's public key cannot be read"
    return 0
  fi
  if ! key_pub=$(openssl pkey -in "$key" -pubout 2>/dev/null); then
    echo "the private key $key cannot be read"
    return 0
  fi
  if [ "$cert_pub" != "$key_pub" ]; then echo "the certificate does not match the private key $key"; fi
}

# install_file SRC DEST: a temp file beside DEST with DEST's owner and mode, then one rename, so a
# reader (etcd's next handshake) sees the whole old file or the whole new one.
install_file() {
  local src=$1 dest=$2 tmp
  tmp=$(mktemp "$(dirname "$dest")/.kubestead-cert.XXXXXX")
  cat "$src" >"$tmp"
  if [ -e "$dest" ]; then
    chown --reference="$dest" "$tmp"
    chmod --reference="$dest" "$tmp"
  else
    chmod 0644 "$tmp"
  fi
  mv -f "$tmp" "$dest"
}

describe_cert() {
  printf 'serial %s, expires %s' "$(openssl x509 -in "$1" -noout -serial | cut -d= -f2)" "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)"
}

# refresh_all: every manifest line; counts CHANGED (each listed in $WORK/changed with its old copy)
# and FAILED, and marks the restarts it needs pending.
# The manifest is read on fd 3: aws and openssl must not eat its lines from stdin.
refresh_all() {
  local parameter path key ca restart n=0 why
  while IFS=$'\t' read -r -u 3 parameter path key ca restart; do
    case "$parameter" in "" | "#"*) continue ;; esac
    n=$((n + 1))
    if ! fetch_cert "$parameter" "$WORK/new.$n"; then
      FAILED=$((FAILED + 1))
      continue
    fi
    if [ -f "$path" ] && cmp -s "$WORK/new.$n" "$path"; then continue; fi
    why=$(cert_problem "$WORK/new.$n" "$key" "$ca")
    if [ -n "$why" ]; then
      log "REFUSED $parameter for $path: $why; the current file stays"
      FAILED=$((FAILED + 1))
      continue
    fi
    if [ -f "$path" ]; then cp -p "$path" "$WORK/old.$n"; else : >"$WORK/old.$n"; fi
    # Pending before the file changes: a run killed in between still restarts the component.
    if [ "$restart" != "-" ] && [ -n "$restart" ]; then mark_pending "$restart"; fi
    install_file "$WORK/new.$n" "$path"
    printf '%s|%s\n' "$path" "$WORK/old.$n" >>"$WORK/changed"
    CHANGED=$((CHANGED + 1))
    log "replaced $path from $parameter ($(describe_cert "$path"))"
  done 3<"$MANIFEST"
  if [ "$n" -eq 0 ]; then
    log "$MANIFEST lists no certificates"
    FAILED=$((FAILED + 1))
  fi
}

# warn_expiring: a certificate that still expires within a week means renewal is not reaching this
# node (pulumi up not run within the renewal window, or refreshes refused).
warn_expiring() {
  local parameter path rest
  while IFS=$'\t' read -r -u 3 parameter path rest; do
    case "$parameter" in "" | "#"*) continue ;; esac
    if [ -f "$path" ] && ! openssl x509 -in "$path" -noout -checkend 604800 >/dev/null 2>&1; then
      log "WARNING: $path expires within 7 days ($(describe_cert "$path")): run pulumi up (README, Certificate renewal)"
    fi
  done 3<"$MANIFEST"
}

mark_pending() {
  touch "$PENDING"
  if ! grep -qx "$1" "$PENDING"; then printf '%s\n' "$1" >>"$PENDING"; fi
}

`;

const ETCD = String.raw`# put_back: restore the files this run replaced (after a failed health check).
put_back() {
  local path old
  while IFS='|' read -r -u 3 path old; do
    if [ -s "$old" ]; then install_file "$old" "$path"; else rm -f "$path"; fi
    log "put the previous $path back"
  done 3<"$WORK/changed"
}

# etcd loads its certificate files on every new handshake: a fresh connection with the new files
# is the proof. Three tries: a member under load may be slow to answer once.
etcd_healthy() {
  local n
  for n in 1 2 3; do
    if env -u ETCDCTL_ENDPOINTS -u ETCDCTL_CACERT -u ETCDCTL_CERT -u ETCDCTL_KEY ETCDCTL_API=3 \
      etcdctl --endpoints="$ETCD_ENDPOINT" --cacert="$ETCD_CACERT" --cert="$ETCD_CERT" --key="$ETCD_KEY" \
      --dial-timeout=5s --command-timeout=5s endpoint health >/dev/null 2>"$WORK/etcdctl.err"; then
      return 0
    fi
    log "etcd health check $n/3 failed: $(tr '\n' ' ' <"$WORK/etcdctl.err" | cut -c1-300)"
    sleep "$HEALTH_DELAY"
  done
  return 1
}

reload() {
  if [ "$CHANGED" -eq 0 ]; then return 0; fi
  if etcd_healthy; then
    log "etcd answers over TLS with the new certificates (no restart: etcd reads them per handshake)"
    return 0
  fi
  log "etcd does not answer with the new certificates: putting the previous files back"
  put_back
  return 1
}
`;

const CONTROL_PLANE = String.raw`kc() {
  kubectl --kubeconfig "$KUBECONFIG_PATH" --request-timeout=30s "$@"
}

lease_manifest() {
  # lease_manifest RENEW_TIME [RESOURCE_VERSION]
  printf 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: %s\n  namespace: kube-system\n' "$LEASE"
  if [ $# -gt 1 ]; then printf '  resourceVersion: "%s"\n' "$2"; fi
  printf 'spec:\n  holderIdentity: %s\n  leaseDurationSeconds: %s\n  renewTime: %s\n' "$HOLDER" "$LEASE_SECONDS" "$1"
}

# try_lease: 0 held by us, 1 held by another node. Created when absent; a stale one is taken over
# only with the resourceVersion read, so two nodes racing for it cannot both win.
try_lease() {
  local out fields holder renew rv age
  if out=$(lease_manifest "$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)" | kc create -f - 2>&1); then return 0; fi
  case "$out" in
    *AlreadyExists* | *"already exists"*) ;;
    *)
      log "cannot create the lease: $out"
      return 1
      ;;
  esac
  fields=$(kc -n kube-system get lease "$LEASE" -o jsonpath='{.spec.holderIdentity}{" "}{.spec.renewTime}{" "}{.metadata.resourceVersion}') || return 1
  read -r holder renew rv <<<"$fields"
  if [ "$holder" = "$HOLDER" ]; then return 0; fi
  age=$(($(date -u +%s) - $(date -u -d "$renew" +%s)))
  if [ "$age" -lt "$LEASE_SECONDS" ]; then
    log "$holder is restarting its components (lease renewed $age s ago)"
    return 1
  fi
  log "taking over the lease of $holder (stale for $age s)"
  lease_manifest "$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)" "$rv" | kc replace -f - >/dev/null 2>&1
}

release_lease() {
  local holder
  holder=$(kc -n kube-system get lease "$LEASE" -o jsonpath='{.spec.holderIdentity}' 2>/dev/null) || return 0
  if [ "$holder" = "$HOLDER" ]; then kc -n kube-system delete lease "$LEASE" --ignore-not-found >/dev/null || true; fi
}

healthy() {
  curl -fsk --max-time 5 -o /dev/null "$(health_url "$1")"
}

# wait_health NAME up|down: poll NAME's /healthz every 2 s until it answers (up) or stops (down),
# at most WAIT_POLLS times.
wait_health() {
  local n=0 ok
  while :; do
    ok=down
    if healthy "$1"; then ok=up; fi
    if [ "$ok" = "$2" ]; then return 0; fi
    n=$((n + 1))
    if [ "$n" -ge "$WAIT_POLLS" ]; then return 1; fi
    sleep 2
  done
}

# restart_pod NAME: kubeadm's way to restart a static pod: park its manifest outside the kubelet's
# directory until the pod is gone, put it back, wait for /healthz.
restart_pod() {
  local name=$1 manifest="$MANIFESTS_DIR/$1.yaml" parked="$STATE_DIR/$1.yaml.parked"
  if [ ! -f "$manifest" ] && [ -f "$parked" ]; then mv -f "$parked" "$manifest"; fi
  [ -f "$manifest" ] || { log "no static pod manifest $manifest"; return 1; }
  log "restarting $name: it reads its client certificate only at start"
  mv -f "$manifest" "$parked"
  if ! wait_health "$name" down; then log "$name still answers after its manifest was parked; putting it back"; fi
  mv -f "$parked" "$manifest"
  if ! wait_health "$name" up; then
    log "$name is not healthy after its restart"
    return 1
  fi
  log "$name restarted and healthy"
}

reload() {
  local name n=0 left
  [ -s "$PENDING" ] || return 0
  until try_lease; do
    n=$((n + 1))
    if [ "$n" -ge "$LEASE_TRIES" ]; then
      log "restarts of $(tr '\n' ' ' <"$PENDING")deferred to the next run: another node holds the lease"
      return 0
    fi
    sleep "$LEASE_DELAY"
  done
  cp "$PENDING" "$WORK/restarts"
  while read -r -u 3 name; do
    # A failed restart keeps the lease (it lapses after LEASE_SECONDS): no other node restarts
    # its own pods while this one's are unhealthy.
    restart_pod "$name" || return 1
    left=$(grep -vx "$name" "$PENDING" || true)
    if [ -n "$left" ]; then printf '%s\n' "$left" >"$PENDING"; else rm -f "$PENDING"; fi
  done 3<"$WORK/restarts"
  release_lease
}
`;

const sh = (s: string) => `'${s}'`;

export function renderCertRefreshScript(a: CertRefreshScriptArgs): string {
  const problems: string[] = [];
  if (!REGION.test(a.region)) problems.push(`region must be an AWS region like eu-west-1 (got ${JSON.stringify(a.region)})`);
  const manifest = a.manifestPath ?? CERT_REFRESH_MANIFEST_PATH;
  const state = a.stateDir ?? CERT_REFRESH_STATE_DIR;
  for (const p of [manifest, state])
    if (!SAFE_PATH.test(p)) problems.push(`${JSON.stringify(p)} must be an absolute path of safe characters`);
  if (a.role === "etcd") {
    if (!a.etcd) problems.push("the etcd role needs etcd: { endpoint, caPath, certPath, keyPath } for its health check");
    else {
      if (!SAFE_URL.test(a.etcd.endpoint)) problems.push(`etcd.endpoint must be an https URL (got ${JSON.stringify(a.etcd.endpoint)})`);
      for (const p of [a.etcd.caPath, a.etcd.certPath, a.etcd.keyPath])
        if (!SAFE_PATH.test(p)) problems.push(`${JSON.stringify(p)} must be an absolute path of safe characters`);
    }
  } else {
    const cp = a.controlPlane;
    if (!cp) problems.push("the controlplane role needs controlPlane: { kubeconfig, manifestsDir, healthUrls }");
    else {
      for (const p of [cp.kubeconfig, cp.manifestsDir])
        if (!SAFE_PATH.test(p)) problems.push(`${JSON.stringify(p)} must be an absolute path of safe characters`);
      for (const c of RESTARTABLE)
        if (!SAFE_URL.test(cp.healthUrls[c] ?? ""))
          problems.push(`healthUrls.${c} must be an https URL (got ${JSON.stringify(cp.healthUrls[c])})`);
    }
  }
  if (problems.length > 0) throw new Error(`certificate refresh script (${a.role}): ${problems.join("; ")}: fix the caller`);

  const header = [
    "#!/usr/bin/env bash",
    `# kubestead certificate refresh, role ${a.role}. Rendered by bootstrap/certRefresh.ts: edit the renderer, not the node.`,
    "set -Eeuo pipefail",
    "umask 022",
    `readonly ROLE=${sh(a.role)}`,
    `readonly AWS_REGION=${sh(a.region)}`,
    `readonly MANIFEST=${sh(manifest)}`,
    `readonly STATE_DIR=${sh(state)}`,
    `readonly PENDING=${sh(`${state}/pending`)}`,
    "# Tools from the AMI and the node's installs; a caller's PATH (tests' stand-ins) comes first.",
    'export PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"',
  ];
  let roleBody: string;
  if (a.role === "etcd" && a.etcd) {
    header.push(
      `readonly ETCD_ENDPOINT=${sh(a.etcd.endpoint)}`,
      `readonly ETCD_CACERT=${sh(a.etcd.caPath)} ETCD_CERT=${sh(a.etcd.certPath)} ETCD_KEY=${sh(a.etcd.keyPath)}`,
      `readonly HEALTH_DELAY=${a.etcd.healthDelaySeconds ?? 5}`,
    );
    roleBody = ETCD;
  } else {
    const cp = a.controlPlane!;
    const wait = cp.waitSeconds ?? 180;
    const tries = cp.leaseTries ?? 20;
    const delay = cp.leaseDelaySeconds ?? 30;
    header.push(
      `readonly KUBECONFIG_PATH=${sh(cp.kubeconfig)}`,
      `readonly MANIFESTS_DIR=${sh(cp.manifestsDir)}`,
      `readonly LEASE=${sh(CERT_REFRESH_LEASE)}`,
      "# Longer than a run can last (the unit's TimeoutStartSec): a held lease is never taken over mid-run.",
      "readonly LEASE_SECONDS=2400",
      `readonly LEASE_TRIES=${tries} LEASE_DELAY=${delay} WAIT_POLLS=${Math.max(1, Math.ceil(wait / 2))}`,
      "HOLDER=$(hostname)",
      "readonly HOLDER",
      "health_url() {",
      '  case "$1" in',
      ...RESTARTABLE.map((c) => `    ${c}) echo ${sh(cp.healthUrls[c])} ;;`),
      "    *) return 1 ;;",
      "  esac",
      "}",
    );
    roleBody = CONTROL_PLANE;
  }
  const main = String.raw`WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
install -d -m 0700 "$STATE_DIR"
[ -f "$MANIFEST" ] || { log "no manifest $MANIFEST: nothing to refresh"; exit 1; }
CHANGED=0
FAILED=0
refresh_all
log "$CHANGED certificate(s) replaced, $FAILED refused or unreadable"
status=0
reload || status=1
warn_expiring
if [ "$FAILED" -gt 0 ]; then status=1; fi
exit "$status"
`;
  return `${header.join("\n")}\n\n${COMMON}\n${roleBody}\n${main}`;
}

/** kubestead-cert-refresh.service: one run of the script. */
export function renderCertRefreshService(): string {
  return renderUnit({
    Unit: {
      Description: "kubestead: refresh this node's certificates from SSM (README, Certificate renewal)",
      After: "network-online.target",
      Wants: "network-online.target",
    },
    Service: {
      Type: "oneshot",
      ExecStart: CERT_REFRESH_SCRIPT_PATH,
      // Ten minutes waiting for the lease and two restarts fit; the lease (2400 s) outlives it.
      TimeoutStartSec: "30min",
      Nice: "10",
    },
  });
}

/** kubestead-cert-refresh.timer: every CERT_REFRESH_PERIOD_HOURS, at a random offset per node. */
export function renderCertRefreshTimer(): string {
  return renderUnit({
    Unit: { Description: `kubestead: refresh certificates every ${CERT_REFRESH_PERIOD_HOURS} hours` },
    Timer: {
      OnBootSec: "30min",
      OnUnitActiveSec: `${CERT_REFRESH_PERIOD_HOURS}h`,
      RandomizedDelaySec: `${CERT_REFRESH_JITTER_HOURS}h`,
      AccuracySec: "1min",
      Unit: `${CERT_REFRESH_UNIT}.service`,
    },
    Install: { WantedBy: "timers.target" },
  });
}

/** The units and the manifest, for user data (the script itself is delivered through SSM or the store). */
export function certRefreshNodeFiles(entries: CertRefreshEntry[]): { path: string; content: string; mode: string }[] {
  return [
    { path: CERT_REFRESH_MANIFEST_PATH, content: renderCertRefreshManifest(entries), mode: "0644" },
    { path: `/etc/systemd/system/${CERT_REFRESH_UNIT}.service`, content: renderCertRefreshService(), mode: "0644" },
    { path: `/etc/systemd/system/${CERT_REFRESH_UNIT}.timer`, content: renderCertRefreshTimer(), mode: "0644" },
  ];
}

/** Boot step: start the timer once the node's files are in place. */
export function renderCertRefreshBootStep(): string {
  return `# Renewed certificates reach this node without a replacement: start the refresh timer.
systemctl daemon-reload
systemctl enable --now ${CERT_REFRESH_UNIT}.timer
`;
}
