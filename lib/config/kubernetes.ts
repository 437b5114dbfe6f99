/** kubestead:kubernetes — versions, cluster CIDRs, DNS and the proxy mode. */
import { containsIp, hostAddress, isIpv4, parseCidr } from "../cidr";
import { SUPPORTED_KUBERNETES_MINORS } from "../releases";
import { DEFAULTS } from "./defaults";
import { Raw, Reader, unset } from "./reader";
import { SEMVER } from "./patterns";
import { KubernetesConfig } from "./types";

export function readKubernetes(r: Reader, k: Raw): KubernetesConfig {
  const p = "kubernetes";
  r.unknownKeys(k, p, [
    "version",
    "podCidr",
    "nodeCidrMaskSize",
    "serviceCidr",
    "clusterDnsIp",
    "clusterDomain",
    "containerdVersion",
    "runcVersion",
    "cniPluginsVersion",
    "pauseVersion",
    "proxyMode",
  ]);
  const version = r.string(k, "version", p, DEFAULTS.kubernetesVersion, {
    re: SEMVER,
    rule: "must be a Kubernetes release like 1.35.0 (no leading v)",
    fix: `pin a supported release, e.g. ${DEFAULTS.kubernetesVersion}`,
  });
  const minor = SEMVER.test(version) ? Number(version.split(".")[1]) : undefined;
  if (minor !== undefined && (version.split(".")[0] !== "1" || !SUPPORTED_KUBERNETES_MINORS.includes(minor))) {
    r.problem(
      `${p}.version`,
      `must be a supported Kubernetes minor (1.${SUPPORTED_KUBERNETES_MINORS.join(", 1.")})`,
      version,
      `pin a supported release, e.g. ${DEFAULTS.kubernetesVersion}`,
    );
  }
  const podCidr = r.string(k, "podCidr", p, DEFAULTS.podCidr);
  const nodeCidrMaskSize = r.int(k, "nodeCidrMaskSize", p, 24, 16, 28);
  const serviceCidr = r.string(k, "serviceCidr", p, DEFAULTS.serviceCidr);
  const svc = parseCidr(serviceCidr);
  let defaultDns = "";
  if (svc && svc.prefix <= 28) defaultDns = hostAddress(svc, 10);
  // Left out, null or empty counts as not written, as the reader counts it everywhere. Without a
  // usable service CIDR there is no default to give: the service CIDR's problem is the one reported.
  const clusterDnsIp = unset(k.clusterDnsIp) ? defaultDns : r.string(k, "clusterDnsIp", p);
  const clusterDomain = r.string(k, "clusterDomain", p, "cluster.local", {
    re: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
    rule: "must be a DNS domain",
    fix: "use cluster.local unless you have a reason not to",
  });
  const ver = (field: string, def: string) =>
    r.string(k, field, p, def, { re: SEMVER, rule: "must be a release like 1.2.3 (no leading v)", fix: `pin a release, e.g. ${def}` });
  const containerdVersion = ver("containerdVersion", DEFAULTS.containerdVersion);
  const runcVersion = ver("runcVersion", DEFAULTS.runcVersion);
  const cniPluginsVersion = ver("cniPluginsVersion", DEFAULTS.cniPluginsVersion);
  const pauseVersion = r.string(k, "pauseVersion", p, DEFAULTS.pauseVersion, {
    re: /^\d+\.\d+(\.\d+)?$/,
    rule: "must be a pause image tag like 3.10",
    fix: `use ${DEFAULTS.pauseVersion}`,
  });
  const proxyMode = r.oneOf(k, "proxyMode", p, "iptables", ["iptables", "ipvs"] as const);

  const pod = parseCidr(podCidr);
  if (!pod) r.problem(`${p}.podCidr`, "must be an IPv4 CIDR with a clean network address", podCidr, "use e.g. 10.128.0.0/11");
  else if (!r.failed(`${p}.nodeCidrMaskSize`) && nodeCidrMaskSize <= pod.prefix) {
    r.problem(
      `${p}.nodeCidrMaskSize`,
      `must be longer than the pod CIDR prefix /${pod.prefix}`,
      nodeCidrMaskSize,
      "use 24 (256 addresses, 110 pods per node)",
    );
  }
  if (!svc) r.problem(`${p}.serviceCidr`, "must be an IPv4 CIDR with a clean network address", serviceCidr, "use e.g. 10.96.0.0/12");
  else if (svc.prefix < 12 || svc.prefix > 24) {
    r.problem(
      `${p}.serviceCidr`,
      "must have a prefix from /12 to /24 (the apiserver refuses larger service ranges)",
      serviceCidr,
      "use 10.96.0.0/12",
    );
  }
  if (clusterDnsIp === "") {
    // No address to check: the service CIDR's problem says why there is no default.
  } else if (!isIpv4(clusterDnsIp)) {
    r.problem(`${p}.clusterDnsIp`, "must be an IPv4 address", clusterDnsIp, "leave it unset to use the service CIDR's 10th address");
  } else if (svc && !containsIp(svc, clusterDnsIp)) {
    r.problem(
      `${p}.clusterDnsIp`,
      `must lie inside the service CIDR ${serviceCidr} (kubelets point pods at it and the DNS Service takes it)`,
      clusterDnsIp,
      `use ${svc.prefix <= 28 ? hostAddress(svc, 10) : "an address of the service CIDR"} or leave it unset`,
    );
  } else if (svc && (clusterDnsIp === hostAddress(svc, 0) || clusterDnsIp === hostAddress(svc, 1))) {
    r.problem(
      `${p}.clusterDnsIp`,
      "must not be the service CIDR's network address or its first address (the kubernetes Service takes it)",
      clusterDnsIp,
      `use ${hostAddress(svc, 10)}`,
    );
  }
  return {
    version,
    podCidr,
    nodeCidrMaskSize,
    serviceCidr,
    clusterDnsIp,
    clusterDomain,
    containerdVersion,
    runcVersion,
    cniPluginsVersion,
    pauseVersion,
    proxyMode,
  };
}
