/**
 * The etcd member's own ENI (its stable IP), configured statically with source-based policy
 * routing. Nothing on a Debian 12 EC2 instance does this for a hot-plugged ENI:
 *  - Debian 12 cloud images configure the network with netplan + systemd-networkd
 *    (https://wiki.debian.org/Netplan); cloud-init 22.4 writes netplan config for the NICs it saw at
 *    first boot and handles NIC hotplug only when user data opts in (EC2 hotplug and multi-NIC
 *    routing arrived in cloud-init 24.1, canonical/cloud-init#4799).
 *  - amazon-ec2-net-utils, which does per-ENI policy routing on Amazon Linux, is packaged in
 *    bookworm but not installed in the Debian EC2 image.
 *  - AWS: a hot attach "might require you to manually bring up the second interface, configure
 *    the private IPv4 address, and modify the route table"; two ENIs in one subnet route
 *    asymmetrically unless configured with static routing (EC2 user guide, "Best practices for
 *    configuring network interfaces").
 * Even a DHCP-configured ENI would answer from its own IP through the primary interface (one main
 * table, one default route), and the VPC drops packets whose source is not the sending ENI's.
 *
 * So etcd-network.sh (run by the boot step, then by a oneshot unit on every boot):
 *  1. `prepare`, before the attach: marks the ENI's MAC Unmanaged for systemd-networkd, so a
 *     catch-all netplan DHCP config can never add a second default route to the main table.
 *  2. `apply`: finds the ENI by MAC in IMDS (retrying the 404s IMDS returns for a few seconds
 *     after an attach, amazon-ec2-net-utils#38), the interface by MAC, the subnet from IMDS; adds
 *     the address without a main-table prefix route, table 101 (subnet + default via the VPC
 *     router, source the ENI IP), `from <eni-ip> lookup 101`, and `to <peer> lookup 101` per
 *     peer: etcd checks an incoming peer's certificate against its source address, so peer
 *     traffic must leave from the ENI IP. Idempotent: `replace` for addresses and routes; a rule
 *     is added only when `ip rule show` lacks it (the kernel refuses an exact duplicate).
 * networkd (v249+) deletes routes and rules it did not create whenever it restarts
 * (ManageForeignRoutes=, ManageForeignRoutingPolicyRules=, systemd/systemd#22077): a networkd.conf
 * drop-in turns that off, and the unit is PartOf networkd, so a networkd restart re-applies it.
 */
import { ETCD_BIN_DIR } from "./etcdSpec";
import { renderUnit } from "./systemd";

export const ETCD_NETWORK_SCRIPT_PATH = `${ETCD_BIN_DIR}/etcd-network.sh`;
export const ETCD_NETWORK_UNIT = "kubestead-etcd-network.service";
export const ETCD_NETWORK_UNIT_PATH = `/etc/systemd/system/${ETCD_NETWORK_UNIT}`;
/** Sorts before netplan's /run/systemd/network/10-netplan-*.network: networkd uses the first match. */
export const ETCD_NETWORKD_FILE = "/etc/systemd/network/05-kubestead-etcd-eni.network";
export const ETCD_NETWORKD_CONF_PATH = "/etc/systemd/networkd.conf.d/60-kubestead-etcd.conf";
/** Route table of the member ENI (amazon-ec2-net-utils uses 10000+; nothing else here uses 101). */
export const ETCD_ENI_TABLE = 101;
/** Rule priorities: after `local` (0), before `main` (32766). */
export const ETCD_RULE_FROM_PRIORITY = 1000;
export const ETCD_RULE_PEER_PRIORITY = 1001;

export interface EtcdNetworkArgs {
  /** The member's ENI, e.g. eni-0123456789abcdef0. */
  eniId: string;
  /** Its private IP (the member's stable IP). */
  ip: string;
  /** The other members' IPs: reached from the ENI IP. */
  peerIps: string[];
  /** AWS region for the EC2 API call of `prepare`. */
  region: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

// String.raw keeps bash's backslashes; the helpers avoid `${`, which a template substitutes.
/**
 * The functions of etcd-network.sh (exported for tests, which define imds/log/die and the
 * ETCD_* variables themselves and put stub tools on PATH).
 */
export const ETCD_NETWORK_HELPERS = String.raw`# net_retry CMD...: run CMD until it succeeds, ETCD_NET_TRIES times ETCD_NET_DELAY seconds apart.
net_retry() {
  local n=1
  until "$@"; do
    if [ "$n" -ge "$ETCD_NET_TRIES" ]; then return 1; fi
    n=$((n + 1))
    sleep "$ETCD_NET_DELAY"
  done
}

# imds_mac_of ENI_ID: the MAC IMDS lists for the ENI; fails until IMDS knows the attachment.
imds_mac_of() {
  local eni=$1 mac
  for mac in $(imds network/interfaces/macs/ | tr -d /); do
    if [ "$(imds "network/interfaces/macs/$mac/interface-id")" = "$eni" ]; then
      printf '%s\n' "$mac"
      return 0
    fi
  done
  return 1
}

# link_of MAC: the interface carrying MAC; fails until udev has created it.
link_of() {
  local dev
  dev=$(ip -o link show | awk -v mac="$1" '{
    for (i = 1; i < NF; i++) if ($i == "link/ether" && tolower($(i + 1)) == mac) {
      d = $2; sub(/:$/, "", d); sub(/@.*/, "", d); print d; exit
    } }')
  [ -n "$dev" ] && printf '%s\n' "$dev"
}

# networkd_unmanage MAC: keep systemd-networkd (netplan) away from the ENI; reload only on change.
networkd_unmanage() {
  local mac=$1 tmp
  install -d -m 0755 "$(dirname "$ETCD_NETWORKD_FILE")"
  tmp=$(mktemp "$ETCD_NETWORKD_FILE.XXXXXX")
  printf '# Written by etcd-network.sh (kubestead): the etcd member ENI is configured statically,\n# with policy routing, never by DHCP.\n[Match]\nMACAddress=%s\n\n[Link]\nUnmanaged=yes\n' "$mac" >"$tmp"
  if cmp -s "$tmp" "$ETCD_NETWORKD_FILE"; then
    rm -f "$tmp"
    return 0
  fi
  chmod 0644 "$tmp"
  mv -f "$tmp" "$ETCD_NETWORKD_FILE"
  if systemctl is-active --quiet systemd-networkd.service; then networkctl reload; fi
  log "networkd leaves $mac alone ($ETCD_NETWORKD_FILE)"
}

# ensure_rule PRIORITY SELECTOR...: "ip rule add" unless an identical rule exists.
ensure_rule() {
  local pref=$1
  shift
  if [ -n "$(ip -4 rule show pref "$pref" "$@" table "$ETCD_ENI_TABLE")" ]; then return 0; fi
  ip -4 rule add pref "$pref" "$@" table "$ETCD_ENI_TABLE"
}

# etcd_network_prepare: before the attach, from the EC2 API (IMDS lists only attached ENIs).
etcd_network_prepare() {
  local mac
  mac=$(aws ec2 describe-network-interfaces --network-interface-ids "$ETCD_ENI_ID" \
    --query 'NetworkInterfaces[0].MacAddress' --output text | tr 'A-F' 'a-f')
  case "$mac" in
    ??:??:??:??:??:??) networkd_unmanage "$mac" ;;
    *) die "ENI $ETCD_ENI_ID has no MAC address in the EC2 API (got '$mac')" ;;
  esac
}

# etcd_network_apply PEER_IP...: address, table, rules; see bootstrap/etcdNetwork.ts.
etcd_network_apply() {
  local mac dev cidr ips prefix gw a b c d peer
  mac=$(net_retry imds_mac_of "$ETCD_ENI_ID") || die "IMDS lists no interface $ETCD_ENI_ID: is the ENI attached here?"
  networkd_unmanage "$mac"
  dev=$(net_retry link_of "$mac") || die "no network interface has MAC $mac ($ETCD_ENI_ID)"
  cidr=$(net_retry imds "network/interfaces/macs/$mac/subnet-ipv4-cidr-block") || die "IMDS has no subnet for $mac"
  ips=$(net_retry imds "network/interfaces/macs/$mac/local-ipv4s") || die "IMDS has no addresses for $mac"
  if ! grep -qxF "$ETCD_ENI_IP" <<<"$ips"; then die "ENI $ETCD_ENI_ID holds $ips, not $ETCD_ENI_IP: the rendered IP is stale"; fi
  case "$cidr" in
    */*) ;;
    *) die "IMDS subnet of $mac is '$cidr', not a CIDR" ;;
  esac
  IFS=./ read -r a b c d prefix <<<"$cidr"
  # The VPC router is the subnet's base address + 1 (reserved by AWS in every subnet).
  gw="$a.$b.$c.$((d + 1))"
  log "$ETCD_ENI_ID is $dev ($mac): $ETCD_ENI_IP/$prefix, table $ETCD_ENI_TABLE via $gw"
  ip link set dev "$dev" up
  # noprefixroute: a main-table subnet route via this ENI (metric 0) would beat the primary's and
  # send the primary IP's replies out of the wrong ENI. Flush leftovers of an earlier DHCP.
  ip -4 addr replace "$ETCD_ENI_IP/$prefix" dev "$dev" noprefixroute
  ip -4 route flush table main dev "$dev"
  ip -4 route replace "$cidr" dev "$dev" src "$ETCD_ENI_IP" table "$ETCD_ENI_TABLE"
  ip -4 route replace default via "$gw" dev "$dev" src "$ETCD_ENI_IP" table "$ETCD_ENI_TABLE"
  ensure_rule "$ETCD_RULE_FROM_PRIORITY" from "$ETCD_ENI_IP"
  for peer in "$@"; do ensure_rule "$ETCD_RULE_PEER_PRIORITY" to "$peer"; done
}`;

/** /opt/kubestead/bin/etcd-network.sh: `prepare` before the attach, `apply` after and at every boot. */
export function renderEtcdNetworkScript(args: EtcdNetworkArgs): string {
  const problems: string[] = [];
  if (!/^eni-[0-9a-f]{8,17}$/.test(args.eniId))
    problems.push(`eniId must look like eni-0123456789abcdef0 (got ${JSON.stringify(args.eniId)}): pass the member's ENI ID`);
  if (!IPV4.test(args.ip)) problems.push(`ip must be an IPv4 address (got ${JSON.stringify(args.ip)}): pass the ENI's private IP`);
  for (const p of args.peerIps)
    if (!IPV4.test(p) || p === args.ip)
      problems.push(`peerIps must be the other members' IPv4 addresses (got ${JSON.stringify(p)}): leave this member out`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(args.region))
    problems.push(`region must be an AWS region like eu-west-1 (got ${JSON.stringify(args.region)}): pass the stack's aws:region`);
  if (problems.length > 0) throw new Error(`invalid etcd network script:\n  - ${problems.join("\n  - ")}`);

  return `#!/usr/bin/env bash
# kubestead etcd member network: ${args.eniId} (${args.ip}) with policy routing table ${ETCD_ENI_TABLE}.
# Rendered by bootstrap/etcdNetwork.ts: edit the renderer, not the node. Usage: etcd-network.sh prepare|apply
set -euo pipefail
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export AWS_DEFAULT_REGION="${args.region}"
readonly IMDS_URL="http://169.254.169.254/latest"
readonly ETCD_ENI_ID="${args.eniId}"
readonly ETCD_ENI_IP="${args.ip}"
readonly ETCD_PEER_IPS=(${args.peerIps.map((p) => `"${p}"`).join(" ")})
readonly ETCD_ENI_TABLE=${ETCD_ENI_TABLE}
readonly ETCD_RULE_FROM_PRIORITY=${ETCD_RULE_FROM_PRIORITY}
readonly ETCD_RULE_PEER_PRIORITY=${ETCD_RULE_PEER_PRIORITY}
readonly ETCD_NETWORKD_FILE="${ETCD_NETWORKD_FILE}"
# IMDS and udev catch up with an attach within seconds; give them two minutes.
readonly ETCD_NET_TRIES=60
readonly ETCD_NET_DELAY=2

log() { printf 'etcd-network: %s\\n' "$*" >&2; }
die() {
  log "FATAL: $*"
  exit 1
}

# imds PATH: one metadata path over IMDSv2; fails (curl -f) on a 404.
imds() {
  local token
  token=$(curl -fsS --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$IMDS_URL/api/token") || return 1
  curl -fsS --max-time 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS_URL/meta-data/$1"
}

${ETCD_NETWORK_HELPERS}

case "${"$"}{1:-}" in
  prepare) etcd_network_prepare ;;
  apply) etcd_network_apply "\${ETCD_PEER_IPS[@]}" ;;
  *)
    echo "usage: $0 prepare|apply" >&2
    exit 2
    ;;
esac
`;
}

/**
 * Re-applies the ENI configuration on every boot (the boot script runs once per instance) and
 * after every networkd restart (PartOf), before etcd binds the ENI IP.
 */
export function renderEtcdNetworkService(): string {
  return renderUnit({
    Unit: {
      Description: "kubestead etcd member ENI: address and policy routing",
      Documentation: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/best-practices-for-configuring-network-interfaces.html",
      // IMDS answers once the primary interface is up.
      Wants: "network-online.target",
      After: ["network-online.target", "systemd-networkd.service"],
      PartOf: "systemd-networkd.service",
      Before: "etcd.service",
    },
    Service: {
      Type: "oneshot",
      RemainAfterExit: "yes",
      ExecStart: `${ETCD_NETWORK_SCRIPT_PATH} apply`,
      Restart: "on-failure",
      RestartSec: "10s",
    },
    Install: { WantedBy: "multi-user.target" },
  });
}

/** networkd.conf drop-in: keep the rules and table-101 routes etcd-network.sh adds. */
export function renderEtcdNetworkdConf(): string {
  return [
    "# kubestead etcd member (bootstrap/etcdNetwork.ts): networkd must not delete the ENI's policy",
    "# rules and routes, which etcd-network.sh adds outside networkd.",
    "[Network]",
    "ManageForeignRoutes=no",
    "ManageForeignRoutingPolicyRules=no",
    "",
  ].join("\n");
}
