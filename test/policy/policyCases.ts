/**
 * One violating change per policy (and per branch where a policy has several), each with the
 * message it must produce: run by test/policy/policies.test.ts against its own policy (which is what
 * the mutation run needs: a rule's mutants are decided by that rule's cases only), and by
 * test/policy/policyCasesAlone.test.ts against the whole pack (no other policy may fire).
 */
import type { Plan } from "../../lib/plan/types";
import type { PolicyPackConfigFile } from "../../policy/runner";
import {
  BOOTSTRAP_TOKEN,
  asgTags,
  tags,
  daysFromNow,
  dropDependency,
  find,
  removeResource,
  setAsgZones,
  setProp,
} from "../helpers/policyFixtures";
import { OIDC_HOST, POD_ROLE, podRoleTrust } from "../helpers/policyFixtures";
import { ACCESS_CASES } from "./accessCases";
import { BOUNDARY_CASES } from "./boundaryCases";

export type Change = (p: Plan) => void;
// An optional fifth element replaces prod.json for that case.
export const POLICY_CASES: [string, string, Change, RegExp, PolicyPackConfigFile?][] = [
  ...ACCESS_CASES,
  ...BOUNDARY_CASES,
  ["etcd-quorum", "two members", (p) => removeResource(p, "kc-etcd-2-asg"), /etcd has 2 member/],
  ["etcd-quorum", "two zones", (p) => setAsgZones(p, "kc-etcd-2-asg", [0]), /span 2 availability zone/],
  ["etcd-quorum", "member away from its volume", (p) => setAsgZones(p, "kc-etcd-2-asg", [1]), /data volume is in us-east-1c/],
  ["etcd-quorum", "member ASG of two", (p) => setProp(p, "kc-etcd-0-asg", "maxSize", 2), /maxSize 2/],
  [
    "etcd-quorum",
    "member ASG spanning three zones",
    (p) => setAsgZones(p, "kc-etcd-0-asg", [0, 1, 2]),
    /etcd member 0 \(kc-etcd-0-asg\) spans zones us-east-1a, us-east-1b, us-east-1c; a member must stay in the single zone of its EBS data volume/,
  ],
  [
    "etcd-quorum",
    "member ASG spanning two zones",
    (p) => setAsgZones(p, "kc-etcd-1-asg", [1, 2]),
    /etcd member 1 \(kc-etcd-1-asg\) spans zones us-east-1b, us-east-1c;/,
  ],
  [
    "etcd-quorum",
    "member without its tag",
    (p) => setProp(p, "kc-etcd-2-asg", "tags", asgTags(tags("etcd"))),
    /etcd member \? \(kc-etcd-2-asg\) has no kubestead\.io\/member tag/,
  ],
  ["etcd-volume-protection", "unencrypted", (p) => setProp(p, "kc-etcd-1-data", "encrypted", false), /not encrypted/],
  [
    "etcd-volume-protection",
    "unprotected",
    (p) => void (find(p, "kc-etcd-1-data").options.protect = false),
    /neither protected nor retained/,
  ],
  ["control-plane-ha", "one node", (p) => setProp(p, "kc-controlplane-asg", "minSize", 1), /keeps 1 node/],
  // One below the limit of 3 (the happy path sits at it).
  [
    "control-plane-ha",
    "two nodes",
    (p) => setProp(p, "kc-controlplane-asg", "minSize", 2),
    /keeps 2 node\(s\) \(sum of minSize\), needs at least 3/,
  ],
  [
    "control-plane-ha",
    "two zones",
    (p) => setAsgZones(p, "kc-controlplane-asg", [0, 1]),
    /the control plane spans 2 availability zone\(s\) \(us-east-1a, us-east-1b\), needs at least 3/,
  ],
  [
    "control-plane-ha",
    "not behind the LB",
    (p) => setProp(p, "kc-controlplane-asg", "targetGroupArns", []),
    /not registered behind the API target group/,
  ],
  ["api-load-balancer", "application LB", (p) => setProp(p, "kc-api", "loadBalancerType", "application"), /use loadBalancerType "network"/],
  [
    "api-load-balancer",
    "no cross-zone",
    (p) => setProp(p, "kc-api", "enableCrossZoneLoadBalancing", false),
    /cross-zone load balancing off/,
  ],
  [
    "api-load-balancer",
    "two zones",
    (p) => setProp(p, "kc-api", "subnets", ["subnet-us-east-1a", "subnet-us-east-1b"]),
    /spans 2 .* needs at least 3/,
  ],
  ["api-load-balancer", "listener on 443", (p) => setProp(p, "kc-api-6443", "port", 443), /no listener on TCP 6443/],
  ["api-load-balancer", "no health check", (p) => setProp(p, "kc-api-tg", "healthCheck", undefined), /has no healthCheck/],
  [
    "api-load-balancer",
    "health check off",
    (p) => setProp(p, "kc-api-tg", "healthCheck.enabled", false),
    /API target group kc-api-tg has its health check disabled/,
  ],
  [
    "api-load-balancer",
    "health check off, as the provider's string",
    (p) => setProp(p, "kc-api-tg", "healthCheck.enabled", "false"),
    /health check disabled/,
  ],
  [
    "api-load-balancer",
    "health check without a protocol",
    (p) => setProp(p, "kc-api-tg", "healthCheck.protocol", undefined),
    /API target group kc-api-tg health check sets no protocol/,
  ],
  [
    "api-load-balancer",
    "HTTPS health check without a path",
    (p) => setProp(p, "kc-api-tg", "healthCheck.path", undefined),
    /health check uses HTTPS without a path; use \/readyz/,
  ],
  [
    "api-load-balancer",
    "HTTP health check without a path (lower case)",
    (p) => {
      setProp(p, "kc-api-tg", "healthCheck.protocol", "http");
      setProp(p, "kc-api-tg", "healthCheck.path", undefined);
    },
    /health check uses HTTP without a path/,
  ],
  [
    "api-load-balancer",
    "target group speaking TLS",
    (p) => setProp(p, "kc-api-tg", "protocol", "TLS"),
    /API target group kc-api-tg uses protocol TLS; use TCP \(TLS ends on the apiservers\)/,
  ],
  [
    "api-load-balancer",
    "listener speaking TLS",
    (p) => setProp(p, "kc-api-6443", "protocol", "TLS"),
    /kc-api has no listener on TCP 6443 forwarding to the API target group \(found 1 listener\(s\)\)/,
  ],
  [
    "api-load-balancer",
    "listener forwarding elsewhere",
    (p) =>
      setProp(
        p,
        "kc-api-6443",
        "defaultActions.0.targetGroupArn",
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/other/1",
      ),
    /no listener on TCP 6443 forwarding to the API target group/,
  ],
  [
    "api-load-balancer",
    "load balancer type unset",
    (p) => setProp(p, "kc-api", "loadBalancerType", undefined),
    /is application \(default\)/,
  ],
  ["worker-pool-spread", "two zones", (p) => setAsgZones(p, "kc-general-asg", [0, 1]), /worker pool general spans 2/],
  ["worker-pool-spread", "min size 1", (p) => setProp(p, "kc-general-asg", "minSize", 1), /minSize 1, needs at least 2/],
  [
    "imdsv2-required",
    "optional tokens",
    (p) => setProp(p, "kc-general", "metadataOptions.httpTokens", "optional"),
    /"optional"; set it to "required"/,
  ],
  // httpTokens unset (the hop limit kept, so imds-hop-limit stays quiet).
  [
    "imdsv2-required",
    "no metadata options",
    (p) => setProp(p, "kc-etcd-0", "metadataOptions", { httpPutResponseHopLimit: 1 }),
    /unset \(optional\)/,
  ],
  [
    "root-volume-encrypted",
    "unencrypted root",
    (p) => setProp(p, "kc-controlplane", "blockDeviceMappings.0.ebs.encrypted", "false"),
    /\/dev\/xvda is not encrypted/,
  ],
  ["root-volume-encrypted", "no mappings", (p) => setProp(p, "kc-general", "blockDeviceMappings", []), /no blockDeviceMappings/],
  [
    "control-plane-no-public-ip",
    "public control plane",
    (p) => setProp(p, "kc-controlplane", "networkInterfaces.0.associatePublicIpAddress", "true"),
    /associatePublicIpAddress is "true"/,
  ],
  [
    "control-plane-no-public-ip",
    "etcd without interfaces",
    (p) => setProp(p, "kc-etcd-1", "networkInterfaces", undefined),
    /no networkInterfaces/,
  ],
  [
    "etcd-ports-not-public",
    "client port to the world",
    (p) => setProp(p, "kc-etcd-from-cp", "cidrIpv4", "0.0.0.0/0"),
    /0\.0\.0\.0\/0 admits etcd port\(s\) 2379/,
  ],
  [
    "etcd-ports-not-public",
    "inline IPv6 ingress",
    (p) => setProp(p, "kc-sg-etcd", "ingress", [{ protocol: "tcp", fromPort: 2379, toPort: 2380, ipv6CidrBlocks: ["::/0"] }]),
    /::\/0 admits etcd port\(s\) 2379, 2380/,
  ],
  [
    "etcd-ports-not-public",
    "a range covering 2380",
    (p) => {
      setProp(p, "kc-worker-kubelet", "fromPort", 2000);
      setProp(p, "kc-worker-kubelet", "toPort", 3000);
      setProp(p, "kc-worker-kubelet", "cidrBlocks", ["0.0.0.0/0"]);
    },
    /admits etcd port\(s\) 2379, 2380/,
  ],
  [
    "apiserver-ingress-restricted",
    "public CIDR",
    (p) => setProp(p, "kc-lb-api-from-admins", "cidrIpv4", "203.0.113.0/24"),
    /203\.0\.113\.0\/24 admits the apiserver port 6443/,
  ],
  [
    "etcd-backup-bucket",
    "versioning suspended",
    (p) => setProp(p, "kc-etcd-backups-versioning", "versioningConfiguration.status", "Suspended"),
    /versioning is not enabled/,
  ],
  [
    "etcd-backup-bucket",
    "AES256",
    (p) => setProp(p, "kc-etcd-backups-sse", "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm", "AES256"),
    /no KMS default encryption/,
  ],
  ["etcd-backup-bucket", "no lifecycle", (p) => removeResource(p, "kc-etcd-backups-lifecycle"), /no enabled lifecycle rule/],
  [
    "etcd-backup-bucket",
    "versions never expire",
    (p) => setProp(p, "kc-etcd-backups-lifecycle", "rules.0", { id: "x", status: "Enabled", expiration: { days: 30 } }),
    /never deleted/,
  ],
  [
    "etcd-backup-schedule",
    "interval 0",
    (p) => setProp(p, "kc-etcd-1", ["tags", "kubestead.io/backup-interval-minutes"], "0"),
    /backup-interval-minutes is "0"/,
  ],
  [
    "boot-prerequisites",
    "worker group not waiting for its bootstrap kubeconfig",
    (p) => dropDependency(p, "kc-general-asg", "kc-workers-bootstrap-kubeconfig"),
    /kc-general-asg does not depend on SSM parameter \/kubestead\/kc\/worker\/bootstrap-kubelet\.conf .*add it to the group's dependsOn/,
  ],
  [
    "boot-prerequisites",
    "etcd group not waiting for its role policy",
    (p) => dropDependency(p, "kc-etcd-1-asg", "kc-etcd-policy"),
    /kc-etcd-1-asg does not depend on role policy kc-etcd-policy on IAM role kc-etcd-role/,
  ],
  [
    "certificate-expiry",
    "expires in 10 days",
    (p) => setProp(p, "kc-apiserver-cert", "validityEndTime", daysFromNow(10), ["outputs"]),
    /expires at .*in 10 day/,
  ],
  ["certificate-expiry", "expired", (p) => setProp(p, "kc-ca", "validityEndTime", daysFromNow(-1), ["outputs"]), /expired at/],
  [
    "cert-refresh-window",
    "renewed 20 hours early, inside the refresh timer's reach",
    (p) => setProp(p, "kc-apiserver-cert", "earlyRenewalHours", 20),
    /kc-apiserver-cert is renewed 20 hours before it expires, .*within 7 hours .*renew at least 28 hours/,
  ],
  [
    "certificate-expiry-warning",
    "expires in 60 days",
    (p) => setProp(p, "kc-apiserver-cert", "validityEndTime", daysFromNow(60), ["outputs"]),
    /in 60 day\(s\) \(threshold 90\)/,
  ],
  [
    "imds-hop-limit",
    "worker pods reach IMDS",
    (p) => setProp(p, "kc-general", "metadataOptions.httpPutResponseHopLimit", 2),
    /httpPutResponseHopLimit is 2: every pod on the node can reach IMDS/,
  ],
  [
    "imds-hop-limit",
    "hop limit unset",
    (p) => setProp(p, "kc-controlplane", "metadataOptions.httpPutResponseHopLimit", undefined),
    /is unset/,
  ],
  // Every role's launch template, one hop above the limit.
  ...["kc-etcd-0", "kc-etcd-2", "kc-controlplane", "kc-general"].map((lt): [string, string, Change, RegExp] => [
    "imds-hop-limit",
    `${lt} at hop limit 2`,
    (p) => setProp(p, lt, "metadataOptions.httpPutResponseHopLimit", 2),
    /httpPutResponseHopLimit is 2: every pod on the node can reach IMDS/,
  ]),
  [
    "imds-hop-limit",
    "hop limit as the provider's string",
    (p) => setProp(p, "kc-etcd-1", "metadataOptions.httpPutResponseHopLimit", "3"),
    /httpPutResponseHopLimit is "3"/,
  ],
  [
    "irsa-roles-scoped",
    "no sub condition",
    (p) => setProp(p, POD_ROLE, "assumeRolePolicy", podRoleTrust({ StringEquals: { [`${OIDC_HOST}:aud`]: "sts.amazonaws.com" } })),
    /Role kc-us-east-1-cluster-autoscaler trusts the cluster's OIDC provider .* has no StringEquals condition on ".*:sub": any service account/,
  ],
  [
    "irsa-roles-scoped",
    "a wildcard subject",
    (p) =>
      setProp(
        p,
        POD_ROLE,
        "assumeRolePolicy",
        podRoleTrust({
          StringEquals: { [`${OIDC_HOST}:aud`]: "sts.amazonaws.com" },
          StringLike: { [`${OIDC_HOST}:sub`]: "system:serviceaccount:kube-system:*" },
        }),
      ),
    /with StringLike .*use StringEquals on one service account/,
  ],
  [
    "irsa-roles-scoped",
    "two service accounts",
    (p) =>
      setProp(
        p,
        POD_ROLE,
        "assumeRolePolicy",
        podRoleTrust({
          StringEquals: {
            [`${OIDC_HOST}:sub`]: ["system:serviceaccount:kube-system:a", "system:serviceaccount:kube-system:b"],
            [`${OIDC_HOST}:aud`]: "sts.amazonaws.com",
          },
        }),
      ),
    /must name exactly one service account/,
  ],
  [
    "irsa-roles-scoped",
    "no audience",
    (p) =>
      setProp(
        p,
        POD_ROLE,
        "assumeRolePolicy",
        podRoleTrust({ StringEquals: { [`${OIDC_HOST}:sub`]: "system:serviceaccount:kube-system:cluster-autoscaler" } }),
      ),
    /has no StringEquals condition on ".*:aud": condition it on "sts\.amazonaws\.com"/,
  ],
  [
    "bootstrap-token-secret",
    "the token secret in plain text",
    (p) => {
      const r = find(p, `${BOOTSTRAP_TOKEN}-secret`);
      r.type = "random:index/randomString:RandomString";
      r.options.additionalSecretOutputs = [];
    },
    /keeps its result in plain text in state and the plan/,
  ],
  [
    "backup-bucket-object-lock",
    "lock without a default retention",
    (p) => removeResource(p, "kc-etcd-backups-lock"),
    /Object Lock is on but sets no default retention/,
  ],
  [
    "backup-bucket-object-lock",
    "no Object Lock at all",
    (p) => {
      removeResource(p, "kc-etcd-backups-lock");
      setProp(p, "kc-etcd-backups", "objectLockEnabled", undefined);
    },
    /no S3 Object Lock: anyone allowed s3:DeleteObjectVersion can erase every snapshot/,
  ],
  [
    "backup-bucket-object-lock",
    "locked longer than the lifecycle keeps versions",
    (p) => setProp(p, "kc-etcd-backups-lock", "rule.defaultRetention.days", 60),
    /expires snapshot versions after 30 day\(s\), before their 60-day lock ends/,
  ],
  ["backup-bucket-access-logs", "no access logging", (p) => removeResource(p, "kc-etcd-backups-logging"), /no server access logging/],
  [
    "backup-bucket-access-logs",
    "logs into the backup bucket itself",
    (p) => setProp(p, "kc-etcd-backups-logging", "targetBucket", "kc-etcd-backups"),
    /delivers the logs into the backup bucket itself/,
  ],
  [
    "backup-bucket-access-logs",
    "SSE-KMS log bucket",
    (p) => setProp(p, "kc-backup-logs-sse", "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm", "aws:kms"),
    /log bucket kc-backup-logs uses SSE-KMS default encryption/,
  ],
  [
    "backup-bucket-access-logs",
    "log bucket does not admit the logging service",
    (p) => setProp(p, "kc-backup-logs-policy", "policy", JSON.stringify({ Version: "2012-10-17", Statement: [] })),
    /no bucket policy allowing logging\.s3\.amazonaws\.com/,
  ],
  ["vpc-flow-logs", "no flow log", (p) => removeResource(p, "kc-flow-logs"), /VPC kc-vpc has no flow log/],
  [
    "vpc-flow-logs",
    "unencrypted log group",
    (p) => setProp(p, "kc-flow-logs-group", "kmsKeyId", undefined),
    /log group kc-flow-logs-group, which is not encrypted with a KMS key/,
  ],
  ["vpc-flow-logs", "records kept forever", (p) => setProp(p, "kc-flow-logs-group", "retentionInDays", 0), /keeps records forever/],
  [
    "egress-restricted",
    "etcd allows all traffic out",
    (p) => setProp(p, "kc-etcd-egress", "ipProtocol", "-1"),
    /etcd egress kc-etcd-egress allows all traffic out/,
  ],
  [
    "egress-restricted",
    "control plane SSH to the internet",
    (p) => {
      setProp(p, "kc-cp-https-out", "fromPort", 22);
      setProp(p, "kc-cp-https-out", "toPort", 22);
    },
    /controlplane egress kc-cp-https-out opens tcp port 22 to 0\.0\.0\.0\/0/,
  ],
  [
    "egress-restricted",
    "inline all-traffic egress on the etcd group",
    (p) => setProp(p, "kc-sg-etcd", "egress", [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]),
    /etcd egress kc-sg-etcd allows all traffic out/,
  ],
  [
    "node-drain-hooks",
    "a worker pool without its terminating hook",
    (p) => removeResource(p, "kc-general-asg-drain"),
    /worker group kc-general-asg has no autoscaling:EC2_INSTANCE_TERMINATING lifecycle hook/,
  ],
  [
    "instance-refresh-safe",
    "an instance refresh on an etcd member's group",
    (p) => setProp(p, "kc-etcd-0-asg", "instanceRefresh", { strategy: "Rolling", preferences: { minHealthyPercentage: 100 } }),
    /etcd group kc-etcd-0-asg declares an instance refresh/,
  ],
];
