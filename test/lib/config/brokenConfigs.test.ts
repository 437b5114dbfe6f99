/**
 * Broken configs as a new user writes them (brokenCases.ts), each refused with exactly these
 * messages: the key, the rule, the value and the fix, one message per root cause — a knock-on
 * message or a second copy of the same problem fails the test.
 */
import { configProblems } from "../../../lib/config/parse";
import { formatProblem } from "../../../lib/config/problems";
import { BROKEN_CASES } from "./brokenCases";

const EXPECTED: Record<string, string[]> = {
  "a misspelt region": [
    'aws:region must be an AWS region (table of 2026-11) (got "us-est-1"): did you mean us-east-1, us-west-1 or us-east-2? set aws:region to a region name such as us-east-1 or eu-west-1',
  ],
  "no region": ["aws:region is required (got nothing): run `pulumi config set aws:region us-east-1` (or set it in Pulumi.<stack>.yaml)"],
  "a region that offers one account two zones": [
    'aws:region must offer three availability zones to one account (us-west-1 offers 2): etcd and the control plane need three (got "us-west-1"): pick a region with three or more zones, e.g. us-east-2 or us-west-2',
  ],
  "a zone letter the region doesn't have": [
    'kubestead:zones[2] must be an availability zone of us-east-1 (us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f) (got "us-east-1x"): did you mean us-east-1a, us-east-1b or us-east-1c? use a zone of us-east-1',
  ],
  "a zone of another region": [
    'kubestead:zones[2] must be an availability zone of us-east-1 (us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f) (got "us-west-2c"): did you mean us-east-1c? use a zone of us-east-1',
  ],
  "too few zones": [
    'kubestead:zones must list at least 3 availability zones for an HA control plane and etcd (got ["us-east-1a","us-east-1b"]): list three zones of us-east-1, e.g. us-east-1a, us-east-1b, us-east-1c',
  ],
  "a zone twice": [
    'kubestead:zones must not repeat a zone (got ["us-east-1a","us-east-1b","us-east-1a"]): list each availability zone once',
  ],
  "an instance type in capitals": [
    'kubestead:controlPlane.instanceType must be an EC2 instance type kubestead knows (table of 2026-11) (got "M7i.large"): did you mean m7i.large, m6i.large or m7i.xlarge? (a newer type can be added to lib/aws/instanceTypes.ts)',
  ],
  "a prod stack that doesn't say it is production": [
    "kubestead:environment must be set on a stack named prod: without it the development rules apply (one control-plane node, advisory policies, no protection) (got nothing): set kubestead:environment to production (or to development, if that is what this stack is)",
  ],
  "an amd64 etcd checksum kept after moving etcd to Graviton": [
    'kubestead:etcd.sha256 must be the sha256 of etcd-v3.6.14-linux-arm64.tar.gz: this is amd64\'s (the members run arm64 instance types) (got "ffe840ff9295808e88cce2794a18a5ac87f12a5203c8314d0bf6aa119b41bac5"): remove kubestead:etcd.sha256 (the arm64 checksum of 3.6.14 is known), or set the arm64 one',
  ],
  "a misspelt top-level key": [
    'kubestead:zone is not a known setting (got ["us-east-1a","us-east-1b","us-east-1c"]): did you mean zones? remove it or use one of: clusterName, environment, zones, network, kubernetes, etcd, controlPlane, workers, pki, addons, maxNodes, protect, enforcement, tags, checksums, acknowledge, sessionManager',
  ],
  "a misspelt namespace": [
    'kubestaed:tags is in namespace "kubestaed", which this program never reads (got "kubestaed"): did you mean kubestead:tags? rename the key',
  ],
  "an uppercase cluster name": [
    'kubestead:clusterName must be a lowercase DNS label of at most 32 characters (got "Acme-Dev"): use lowercase letters, digits and dashes, starting with a letter, e.g. acme-prod',
  ],
  "an unknown environment": [
    'kubestead:environment must be one of development, production (got "prod"): set kubestead:environment to one of: development, production',
  ],
  "production with advisory policies": [
    'kubestead:enforcement must be mandatory when kubestead:environment is production (the policy pack must be able to stop a non-HA change) (got "advisory"): set kubestead:enforcement to mandatory, or leave it out',
  ],
  "production with one NAT gateway": [
    "kubestead:network.natGateways must be perAz when kubestead:environment is production: with one NAT gateway, its zone's outage cuts every zone's egress (got \"single\"): set it to perAz, or leave it out",
  ],
  "an unknown destructive-change id": [
    'kubestead:acknowledge[0] must name a destructive change `npm run plan -- --base` reports (got "etcd-replace"): did you mean ca-replaced? use one of: ca-replaced, service-account-key-replaced, encryption-key-changed, etcd-volume-replaced, etcd-eni-replaced, etcd-members-changed-together, control-plane-and-workers-together, cluster-name-changed, service-cidr-changed, pod-cidr-changed, protection-lifted',
  ],
  "maxNodes below the pools' maxima": [
    "kubestead:maxNodes must cover the pools' maxSize sum plus control-plane nodes (7) (got 2): raise maxNodes or lower the pools' maxSize",
  ],
  "a tag key in AWS's namespace": [
    'kubestead:tags.aws:team must not start with aws: (AWS reserves that prefix and refuses the tag) (got "aws:team"): drop the aws: prefix, e.g. use the name after it',
  ],
  "a tag key over 128 characters": [
    'kubestead:tags.kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk must be a tag key of 1 to 128 characters (got "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"): shorten the key',
  ],
  "a tag the program sets itself": [
    'kubestead:tags.kubernetes.io/cluster/other must not use kubernetes.io/cluster/ or kubestead.io/: the program sets those tags itself (got "kubernetes.io/cluster/other"): use a key of your own, e.g. team or cost-center',
  ],
  "a tag value over 256 characters": [
    'kubestead:tags.team must have a value of at most 256 characters (got "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"): shorten the value of kubestead:tags.team',
  ],
  "a misspelt checksum key": [
    'kubestead:checksums.kubeleet is not a binary nodes download (got "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"): did you mean kubelet? use one of: kubelet, kubectl, containerd, runc, cniPlugins, amd64, arm64',
  ],
  "a checksum that isn't a sha256": [
    'kubestead:checksums.runc must be a sha256: 64 lowercase hex digits (got "sha256:abc"): copy the checksum the release publishes for the file',
  ],
  "a containerd release without a known checksum": [
    'kubestead:kubernetes.containerdVersion has no known checksum for containerd-2.4.0-linux-amd64.tar.gz or containerd-2.4.0-linux-arm64.tar.gz: nodes download only what they can verify (got "2.4.0"): pin a release with known amd64 and arm64 checksums (1.7.30, 2.3.1, 2.4.1), or set kubestead:checksums.containerd and kubestead:checksums.arm64.containerd from the release\'s published checksums',
  ],
  "a VPC CIDR with host bits": [
    'kubestead:network.vpcCidr must be an IPv4 CIDR with a clean network address (got "10.0.0.1/16"): use a private range such as 10.0.0.0/16',
  ],
  "a VPC CIDR wider than AWS allows": [
    'kubestead:network.vpcCidr must have a prefix from /16 to /24 (AWS VPC limits) (got "10.0.0.0/12"): use a /16 such as 10.0.0.0/16',
  ],
  "subnets that don't fit the VPC": [
    "kubestead:network.privateSubnetPrefix must leave room for 3 private /17 and 3 public /24 subnets inside 10.10.0.0/16 (got 17): use a larger VPC CIDR or longer subnet prefixes",
  ],
  "an unknown NAT mode": [
    'kubestead:network.natGateways must be one of single, perAz (got "none"): set kubestead:network.natGateways to one of: single, perAz',
  ],
  "a flow-log retention CloudWatch refuses": [
    "kubestead:network.flowLogs.retentionDays must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653) (got 10): use 14, or set kubestead:network.flowLogs.destination to s3",
  ],
  "a misspelt flow-log key": [
    "kubestead:network.flowLogs.enable is not a known setting (got true): did you mean enabled? remove it or use one of: enabled, destination, retentionDays, trafficType",
  ],
  "an adopted VPC with two subnets for three zones": [
    'kubestead:network.existing.privateSubnetIds must list one subnet per zone (3) (got ["subnet-1000000000000000a","subnet-1000000000000000b"]): list one subnet ID per zone, in the order of kubestead:zones',
  ],
  "an adopted VPC with a subnet in both lists": [
    'kubestead:network.existing.privateSubnetIds[2] must not repeat a subnet (kubestead:network.existing.publicSubnetIds[2] is the same) (got "subnet-0000000000000000c"): give each zone its own public and private subnet',
  ],
  "an adopted VPC with a subnet name instead of an ID": [
    'kubestead:network.existing.privateSubnetIds[0] must be a subnet ID (got "private-a"): use subnet-… IDs',
  ],
  "an end-of-life Kubernetes": [
    'kubestead:kubernetes.version must be a supported Kubernetes minor (1.35, 1.36, 1.37) (got "1.28.0"): pin a supported release, e.g. 1.35.8',
  ],
  "a Kubernetes version with a leading v": [
    'kubestead:kubernetes.version must be a Kubernetes release like 1.35.0 (no leading v) (got "v1.35.8"): pin a supported release, e.g. 1.35.8',
  ],
  "overlapping pod and VPC CIDRs": [
    'kubestead:kubernetes.podCidr must not overlap kubestead:network.vpcCidr (10.10.0.0/16) (got "10.10.0.0/16"): pick non-overlapping ranges, e.g. VPC 10.0.0.0/16, pods 10.128.0.0/11, services 10.96.0.0/12',
  ],
  "a service CIDR with host bits": [
    'kubestead:kubernetes.serviceCidr must be an IPv4 CIDR with a clean network address (got "10.96.0.0/8"): use e.g. 10.96.0.0/12',
  ],
  "a service CIDR wider than the apiserver allows": [
    'kubestead:kubernetes.serviceCidr must have a prefix from /12 to /24 (the apiserver refuses larger service ranges) (got "100.64.0.0/10"): use 10.96.0.0/12',
  ],
  "cluster DNS outside the service CIDR": [
    'kubestead:kubernetes.clusterDnsIp must lie inside the service CIDR 10.96.0.0/12 (kubelets point pods at it and the DNS Service takes it) (got "10.200.0.10"): use 10.96.0.10 or leave it unset',
  ],
  "cluster DNS on the kubernetes Service's address": [
    'kubestead:kubernetes.clusterDnsIp must not be the service CIDR\'s network address or its first address (the kubernetes Service takes it) (got "10.96.0.1"): use 10.96.0.10',
  ],
  "a node CIDR mask outside 16\u201328": [
    "kubestead:kubernetes.nodeCidrMaskSize must be from 16 to 28 (got 11): set kubestead:kubernetes.nodeCidrMaskSize to a whole number from 16 to 28",
  ],
  "a node CIDR mask no longer than the pod CIDR": [
    "kubestead:kubernetes.nodeCidrMaskSize must be longer than the pod CIDR prefix /16 (got 16): use 24 (256 addresses, 110 pods per node)",
  ],
  "an unknown proxy mode": [
    'kubestead:kubernetes.proxyMode must be one of iptables, ipvs (got "nftables"): set kubestead:kubernetes.proxyMode to one of: iptables, ipvs',
  ],
  "a pod CIDR too small for maxNodes": [
    'kubestead:kubernetes.podCidr with nodeCidrMaskSize 24 allows 256 nodes, fewer than maxNodes (5000) (got "10.128.0.0/16"): use a pod CIDR of /11 or shorter, or lower kubestead:maxNodes',
  ],
  "even etcd members": ["kubestead:etcd.members must be odd and ≥ 3 (got 2): set it to 3 or 5"],
  "seven etcd members": [
    "kubestead:etcd.members must be 3 or 5 (more members slow every write and add no useful fault tolerance here) (got 7): set it to 3 or 5",
  ],
  "five etcd members in three zones": [
    "kubestead:etcd.members must not exceed the number of zones (3): each member needs its own zone (got 5): add zones to kubestead:zones or set kubestead:etcd.members to 3",
  ],
  "a misspelt etcd key": [
    "kubestead:etcd.member is not a known setting (got 3): did you mean members? remove it or use one of: members, version, sha256, instanceType, volumeSizeGiB, volumeIops, snapshotCount, backup, defrag, backupAlarm",
  ],
  "an etcd version with a leading v": [
    'kubestead:etcd.version must be an etcd release like 3.6.14 (no leading v) (got "v3.6.14"): pin an etcd 3.5 or 3.6 release, e.g. 3.6.14',
  ],
  "etcd 3.4": [
    'kubestead:etcd.version must be an etcd 3.5 or 3.6 release (what supported Kubernetes releases are tested against) (got "3.4.34"): use 3.6.14',
  ],
  "an etcd release without a known checksum": [
    "kubestead:etcd.sha256 must be the sha256 of etcd-v3.6.99-linux-amd64.tar.gz (no checksum is known for this release) (got nothing): set kubestead:etcd.sha256 from the release's SHA256SUMS, or pin a release with a known amd64 checksum: 3.5.27, 3.6.14",
  ],
  "a misspelt etcd instance type": [
    'kubestead:etcd.instanceType must be an EC2 instance type kubestead knows (table of 2026-11) (got "m7i.lrage"): did you mean m7i.large, m6i.large or m7i.xlarge? (a newer type can be added to lib/aws/instanceTypes.ts)',
  ],
  "Graviton etcd on a release without a known arm64 checksum": [
    "kubestead:etcd.sha256 must be the sha256 of etcd-v3.5.26-linux-arm64.tar.gz (no checksum is known for this release) (got nothing): set kubestead:etcd.sha256 from the release's SHA256SUMS, or pin a release with a known arm64 checksum: 3.5.27, 3.6.14",
  ],
  "etcd IOPS below gp3's baseline": [
    "kubestead:etcd.volumeIops must be from 3000 to 16000 (got 2000): set kubestead:etcd.volumeIops to a whole number from 3000 to 16000",
  ],
  "backups locked longer than kept": [
    "kubestead:etcd.backup.objectLockDays must not exceed kubestead:etcd.backup.retentionDays (7): snapshots would expire while still locked (got 30): lower objectLockDays to at most 7, or raise retentionDays",
  ],
  "two control-plane nodes in production": [
    "kubestead:controlPlane.nodes must be ≥ 3 when kubestead:environment is production (one per zone, so a zone outage leaves a working control plane) (got 2): set it to 3",
  ],
  "two control-plane nodes in development": [
    "kubestead:controlPlane.nodes must be 1 (a throwaway cluster) or at least 3 (one per zone) (got 2): set it to 1 or 3",
  ],
  "an unknown control-plane instance type": [
    'kubestead:controlPlane.instanceType must be an EC2 instance type kubestead knows (table of 2026-11) (got "m9z.large"): did you mean m5.large, m5a.large or m5d.large? (a newer type can be added to lib/aws/instanceTypes.ts)',
  ],
  "a public API without allowed CIDRs": [
    "kubestead:controlPlane.apiLoadBalancer.allowedCidrs must list the client CIDRs allowed to reach a public API endpoint (got []): list your office/VPN egress CIDRs, or set kubestead:controlPlane.apiLoadBalancer.scheme to internal",
  ],
  "a public API open to the internet": [
    'kubestead:controlPlane.apiLoadBalancer.allowedCidrs[0] must not be the whole internet (got "0.0.0.0/0"): list the client CIDRs that need the API',
  ],
  "the internet in two halves": [
    'kubestead:controlPlane.apiLoadBalancer.allowedCidrs must together cover at most 1/256 of the IPv4 address space (kubestead:controlPlane.apiLoadBalancer.maxAllowedShare); they cover 100% (got ["0.0.0.0/1","128.0.0.0/1"]): list only the networks that need the API, or raise kubestead:controlPlane.apiLoadBalancer.maxAllowedShare',
  ],
  "allowed API CIDRs one /7 wide": [
    'kubestead:controlPlane.apiLoadBalancer.allowedCidrs must together cover at most 1/256 of the IPv4 address space (kubestead:controlPlane.apiLoadBalancer.maxAllowedShare); they cover 0.781% (got ["10.0.0.0/7"]): list only the networks that need the API, or raise kubestead:controlPlane.apiLoadBalancer.maxAllowedShare',
  ],
  "an allowed CIDR that isn't one": [
    'kubestead:controlPlane.apiLoadBalancer.allowedCidrs[0] must be an IPv4 CIDR with a clean network address (got "203.0.113.7"): write it as a.b.c.d/n, e.g. 10.0.0.0/8',
  ],
  "a share above the whole address space": [
    'kubestead:controlPlane.apiLoadBalancer.maxAllowedShare must be a share of the IPv4 address space above 0 and at most 1 (got "2/1"): write it as a fraction such as "1/256" (a /8) or "1/4096" (a /12)',
  ],
  "an unknown Pod Security level": [
    'kubestead:controlPlane.podSecurity.enforce must be one of privileged, baseline, restricted (got "strict"): set kubestead:controlPlane.podSecurity.enforce to one of: privileged, baseline, restricted',
  ],
  "Pod Security exemptions without kube-system": [
    'kubestead:controlPlane.podSecurity.exemptNamespaces must include kube-system: the add-ons run there with host networking, host paths and privileged containers, which baseline rejects (got ["monitoring"]): add kube-system to the list',
  ],
  "an OIDC group prefix in system:": [
    'kubestead:controlPlane.oidc.groupsPrefix must not start with system: (names there are Kubernetes\' own: system:masters, system:nodes, ...) (got "system:"): use a prefix of your own, e.g. "oidc:"',
  ],
  "an OIDC issuer over plain HTTP": [
    'kubestead:controlPlane.oidc.issuerUrl must be an https:// URL without query or fragment (got "http://login.example.com"): use the issuer exactly as its tokens\' iss claim spells it, e.g. https://login.example.com',
  ],
  "an OIDC issuer without a client ID": [
    "kubestead:controlPlane.oidc.clientId is required (got nothing): set kubestead:controlPlane.oidc.clientId",
  ],
  "inverted pool sizes": ["kubestead:workers[0].minSize must not exceed maxSize (2) (got 5): lower minSize or raise maxSize"],
  "a negative pool size": [
    "kubestead:workers[0].minSize must be from 0 to 5000 (got -1): set kubestead:workers[0].minSize to a whole number from 0 to 5000",
  ],
  "desired capacity outside [min, max]": [
    "kubestead:workers[0].desiredCapacity must lie within [minSize, maxSize] = [1, 3] (got 9): set desiredCapacity between minSize and maxSize",
  ],
  "two pools with one name": ['kubestead:workers[2].name must be unique among pools (got "general"): give each pool its own name'],
  "a pool named like an etcd member": [
    'kubestead:workers[0].name must not be a node-role name (etcd, etcd-<i>, controlplane, workers) (got "etcd-0"): pick another name, e.g. general',
  ],
  "a pool name with capitals": [
    'kubestead:workers[0].name must be a lowercase DNS label of at most 22 characters (got "General"): use lowercase letters, digits and dashes, e.g. general',
  ],
  "a pool with zero zones": ["kubestead:workers[0].zones must list at least one zone (got []): leave it unset to span every cluster zone"],
  "a pool zone outside the cluster's": [
    'kubestead:workers[0].zones must be among kubestead:zones (us-east-1a, us-east-1b, us-east-1c) (got "us-east-1d"): pick zones from kubestead:zones',
  ],
  "a pool whose pods would reach IMDS": [
    "kubestead:workers[0].metadataHopLimit must be 1: above 1, every pod on the pool's nodes reaches IMDS and acts as the worker node role (got 2): remove it; pods that need AWS get their own IAM role through the cluster's service-account issuer (README: Pods and AWS credentials)",
  ],
  "a misspelt pool instance type": [
    'kubestead:workers[0].instanceTypes[1] must be an EC2 instance type kubestead knows (table of 2026-11) (got "c7i.xlarg"): did you mean c7i.xlarge, m7i.xlarge or c6i.xlarge? (a newer type can be added to lib/aws/instanceTypes.ts)',
  ],
  "a pool mixing architectures": [
    'kubestead:workers[0].instanceTypes[1] must have the architecture of kubestead:workers[0].instanceTypes[0] (amd64 (x86_64)): one node group boots one image (got "m7g.large"): list only amd64 types in this pool, or move m7g.large to a pool of its own',
  ],
  "a Graviton pool on a Kubernetes release without arm64 kubelet checksums": [
    'kubestead:kubernetes.version has no known checksum for kubelet v1.35.8 linux/arm64: nodes download only what they can verify (got "1.35.8"): pin a release with known arm64 checksums (1.36.2, 1.37.0), or set kubestead:checksums.arm64.kubelet from the release\'s published checksums',
  ],
  "a Graviton pool with an x86 type listed second": [
    'kubestead:workers[1].instanceTypes[1] must have the architecture of kubestead:workers[1].instanceTypes[0] (arm64 (Graviton)): one node group boots one image (got "m7i.large"): list only arm64 types in this pool, or move m7i.large to a pool of its own',
  ],
  "an unknown taint effect": [
    'kubestead:workers[0].taints[0].effect must be one of NoSchedule, PreferNoSchedule, NoExecute (got "NoWay"): set kubestead:workers[0].taints[0].effect to one of: NoSchedule, PreferNoSchedule, NoExecute',
  ],
  "a taint value with a space": [
    "kubestead:workers[0].taints[0].value must be empty or 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric (got \"gpu jobs\"): shorten the value or replace spaces and other characters with '-'",
  ],
  "a taint key with two slashes": [
    "kubestead:workers[0].taints[0].key must be [prefix/]name with at most one '/' (got \"example.com/a/b\"): use a key like example.com/dedicated",
  ],
  "a taint without a key": ["kubestead:workers[0].taints[0].key is required (got nothing): set kubestead:workers[0].taints[0].key"],
  "the same taint key and effect twice": [
    'kubestead:workers[0].taints[1] must not repeat key dedicated with effect NoSchedule (got {"key":"dedicated","effect":"NoSchedule"}): keep one taint per key and effect',
  ],
  "a label value with a space": [
    "kubestead:workers[0].labels.example.com/team value must be empty or 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric (got \"data science\"): shorten the value or replace spaces and other characters with '-'",
  ],
  "a label the kubelet may not set": [
    'kubestead:workers[0].labels.node-role.kubernetes.io/worker must not be a kubernetes.io or k8s.io label the kubelet may not set on itself (NodeRestriction refuses it and the node never registers) (got "node-role.kubernetes.io/worker"): use your own prefix, e.g. example.com/pool, or node.kubernetes.io/…',
  ],
  "kubestead's own role label": [
    'kubestead:workers[0].labels.kubestead.io/node-role is set by kubestead itself (worker or control-plane) (got "kubestead.io/node-role"): use a label of your own, e.g. example.com/tier',
  ],
  "a label key with an underscore prefix": [
    'kubestead:workers[0].labels.Bad_Prefix/tier key must have a prefix that is a lowercase DNS subdomain of at most 253 characters (got "Bad_Prefix/tier"): rename the label, e.g. example.com/tier',
  ],
  "an exported admin credential outliving the leaves": [
    "kubestead:pki.adminValidityHours must not exceed leafValidityHours (1440) (got 2000): keep the exported admin credential short-lived, e.g. 168 hours (7 days)",
  ],
  "leaves outliving the CA": [
    "kubestead:pki.leafValidityHours must not exceed caValidityHours (8760) (got 17520): shorten leaf certificates or lengthen the CAs",
  ],
  "renewal no earlier than expiry": [
    "kubestead:pki.earlyRenewalHours must be shorter than leafValidityHours (720) (got 720): renew e.g. 720 hours (30 days) before expiry",
  ],
  "a bootstrap token window of a year": [
    "kubestead:pki.bootstrapTokenMaxAgeDays must be from 1 to 90 (got 365): set kubestead:pki.bootstrapTokenMaxAgeDays to a whole number from 1 to 90",
  ],
  "an autoscaler release of another Kubernetes minor": [
    'kubestead:addons.clusterAutoscalerVersion must be a release of the Kubernetes minor (1.35): the Cluster Autoscaler supports only its own minor (got "1.34.2"): use 1.35.0, or leave it out',
  ],
  "a cloud-controller-manager of another Kubernetes minor": [
    'kubestead:addons.cloudControllerManagerVersion must be a release of the Kubernetes minor (1.35): the AWS cloud-controller-manager supports only its own minor (got "1.33.0"): use 1.35.2, or leave it out',
  ],
  "a Kubernetes release without known checksums": [
    'kubestead:kubernetes.version has no known checksum for kubelet v1.36.5 linux/amd64 or kubectl v1.36.5 linux/amd64: nodes download only what they can verify (got "1.36.5"): pin a release with known amd64 checksums (1.35.8, 1.36.2, 1.37.0), or set kubestead:checksums.kubelet and kubestead:checksums.kubectl from the release\'s published checksums',
  ],
  "a Kubernetes release without known checksums for either architecture": [
    'kubestead:kubernetes.version has no known checksum for kubelet v1.36.5 linux/amd64 or kubectl v1.36.5 linux/amd64 or kubelet v1.36.5 linux/arm64: nodes download only what they can verify (got "1.36.5"): pin a release with known amd64 and arm64 checksums (1.36.2, 1.37.0), or set kubestead:checksums.kubelet and kubestead:checksums.kubectl and kubestead:checksums.arm64.kubelet from the release\'s published checksums',
  ],
  "an add-on release with a leading v": [
    'kubestead:addons.metricsServerVersion must be a release like 1.2.3 (no leading v) (got "v0.7.2"): pin a release, e.g. 0.7.2',
  ],
  "a Helm-era chart key": [
    'kubestead:addons.metricsServerChartVersion is gone: add-ons are rendered as manifests here and applied by the control plane, not installed from Helm charts (got "3.12.2"): set kubestead:addons.metricsServerVersion to the add-on\'s release (image tag without v) instead',
  ],
  "a misspelt add-on switch": [
    "kubestead:addons.metricServer is not a known setting (got true): did you mean metricsServer? remove it or use one of: clusterAutoscaler, metricsServer, ebsCsiDriver, ciliumVersion, corednsVersion, cloudControllerManagerVersion, clusterAutoscalerVersion, csrApproverVersion, metricsServerVersion, ebsCsiDriverVersion, nodeTerminationHandler, nodeTerminationHandlerVersion, csrApproverChartVersion, metricsServerChartVersion, clusterAutoscalerChartVersion, ebsCsiDriverChartVersion",
  ],
  "Session Manager without the checksum of the arm64 pool's package": [
    "kubestead:sessionManager.sha256.arm64 is required: the cluster runs arm64 (Graviton) nodes (worker pool arm), and a node installs only a package it can verify (got nothing): download https://s3.amazonaws.com/ec2-downloads-windows/SSMAgent/3.3.1802.0/debian_arm64/amazon-ssm-agent.deb and its .sig, check the signature with AWS's SSM agent public key (gpg --verify), then set the package's sha256sum",
  ],
  "a Session Manager version that is not a release": [
    'kubestead:sessionManager.version must be an SSM agent release: four dotted numbers (got "latest"): e.g. 3.3.1802.0, a release listed in the agent\'s release notes; the package is fetched from https://s3.amazonaws.com/ec2-downloads-windows/SSMAgent/<version>/debian_amd64/amazon-ssm-agent.deb',
  ],
  "a Session Manager checksum under EC2's name for the architecture": [
    'kubestead:sessionManager.sha256.x86_64 is amd64 under another name: kubestead names architectures as Debian\'s packages do (got "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"): rename it to kubestead:sessionManager.sha256.amd64',
  ],
  "a Session Manager setting it does not have": [
    'kubestead:sessionManager.region is not a known setting (got "us-east-1"): remove it or use one of: version, sha256',
  ],
  "a Session Manager checksum copied with its prefix": [
    "kubestead:sessionManager.sha256.amd64 must be a sha256: 64 lowercase hex digits (got \"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"): download https://s3.amazonaws.com/ec2-downloads-windows/SSMAgent/3.3.1802.0/debian_amd64/amazon-ssm-agent.deb and its .sig, check the signature with AWS's SSM agent public key (gpg --verify), then set the package's sha256sum",
  ],
  "a pool pinned newer than the control plane": [
    'kubestead:workers[0].kubernetesVersion must not be newer than the control plane\'s kubernetes.version 1.35.8: a kubelet never runs ahead of the apiserver (got "1.36.2"): pin the pool at 1.35.8 or older, or leave it out to follow kubernetes.version',
  ],
  "a pool four minors behind the control plane": [
    "kubestead:workers[0].kubernetesVersion must be at most 3 minors older than the control plane's kubernetes.version 1.36.2 (Kubernetes' version skew policy) (got \"1.32.0\"): pin the pool at 1.36.2 or older, or leave it out to follow kubernetes.version",
  ],
  "a pool pinned to a release without a known kubelet checksum": [
    'kubestead:workers[0].kubernetesVersion has no known checksum for kubelet v1.35.5 linux/amd64: nodes download only what they can verify (got "1.35.5"): pin a release with a known amd64 kubelet checksum (1.35.1, 1.35.8, 1.36.2, 1.37.0), or set kubestead:workers[0].kubeletSha256 from the release\'s published checksum',
  ],
  "a pool kubelet checksum without a pinned release": [
    'kubestead:workers[0].kubeletSha256 applies only to a pool pinned to a release other than kubernetes.version (got "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"): remove it; the control plane\'s release takes its checksum from kubestead:checksums',
  ],
  "a pool release with a leading v": [
    'kubestead:workers[0].kubernetesVersion must be a Kubernetes release like 1.35.8 (no leading v) (got "v1.36.2"): pin the release the pool runs now, or leave it out to follow kubernetes.version',
  ],
  "a drainer release with a leading v": [
    'kubestead:addons.nodeTerminationHandlerVersion must be a release like 1.2.3 (no leading v) (got "v1.25.3"): pin a release, e.g. 1.25.3',
  ],
};

test("the table holds at least 60 broken configs, each with its messages", () => {
  expect(BROKEN_CASES.length).toBeGreaterThanOrEqual(60);
  expect(BROKEN_CASES.map((c) => c.title).sort()).toEqual(Object.keys(EXPECTED).sort());
  expect(new Set(BROKEN_CASES.map((c) => c.title)).size).toBe(BROKEN_CASES.length);
});

test.each(BROKEN_CASES.map((c) => [c.title, c] as const))("%s", (title, c) => {
  expect(configProblems(c.raw()).map(formatProblem)).toEqual(EXPECTED[title]);
});
