/**
 * The prod stack under the offline mock runtime: every component checked on the real planned
 * graph (inputs, outputs, options and parents as the engine would see them).
 */
import { X509Certificate } from "node:crypto";
import { createHash } from "node:crypto";
import { parse, parseAllDocuments } from "yaml";
import { decodeUserData } from "../../bootstrap/cloudInit";
import { contains, mustParseCidr, overlaps } from "../../lib/cidr";
import { maskPlan } from "../../lib/plan/mask";
import { Plan } from "../../lib/plan/types";
import { ancestors, ofType, planStack, subnetZone, tagsOf, withRole } from "../helpers/plannedStack";

let plan: Plan;
beforeAll(async () => {
  plan = await planStack("prod");
}, 120_000);

const zonesOf = (ids: string[]) => new Set(ids.map((id) => subnetZone(plan, id)));
const certNamed = (suffix: string) => {
  const r = plan.resources.find((x) => x.type === "tls:index/locallySignedCert:LocallySignedCert" && x.name.endsWith(suffix));
  if (!r) throw new Error(`no certificate ${suffix}`);
  return new X509Certificate(String(r.outputs.certPem));
};

describe("network", () => {
  test("a VPC over 3 zones with a public and a private subnet each, inside the VPC, disjoint", () => {
    const [vpc] = ofType(plan, "aws:ec2/vpc:Vpc");
    const subnets = ofType(plan, "aws:ec2/subnet:Subnet");
    expect(subnets).toHaveLength(6);
    expect(new Set(subnets.map((s) => s.inputs.availabilityZone))).toEqual(new Set(["us-east-1a", "us-east-1b", "us-east-1c"]));
    const cidrs = subnets.map((s) => mustParseCidr(String(s.inputs.cidrBlock)));
    for (const [i, c] of cidrs.entries()) {
      expect(contains(mustParseCidr(String(vpc.inputs.cidrBlock)), c)).toBe(true);
      for (const d of cidrs.slice(i + 1)) expect(overlaps(c, d)).toBe(false);
    }
  });
  test("one NAT gateway per zone in prod", () => {
    const nats = ofType(plan, "aws:ec2/natGateway:NatGateway");
    expect(nats).toHaveLength(3);
    expect(zonesOf(nats.map((n) => String(n.inputs.subnetId))).size).toBe(3);
  });
  test("subnets carry the tags the AWS cloud-controller-manager needs", () => {
    for (const s of ofType(plan, "aws:ec2/subnet:Subnet")) {
      const t = tagsOf(s);
      expect(t["kubernetes.io/cluster/kubestead-prod"]).toBe("owned");
      if (t["kubestead.io/tier"] === "public") expect(t["kubernetes.io/role/elb"]).toBe("1");
      else expect(t["kubernetes.io/role/internal-elb"]).toBe("1");
    }
  });
  test("every network resource is a child of the Network component", () => {
    const network = plan.resources.find((r) => r.type === "kubestead:components:Network")!;
    for (const type of [
      "aws:ec2/vpc:Vpc",
      "aws:ec2/subnet:Subnet",
      "aws:ec2/natGateway:NatGateway",
      "aws:ec2/routeTable:RouteTable",
      "aws:ec2/internetGateway:InternetGateway",
    ]) {
      for (const r of ofType(plan, type)) expect(r.parent).toBe(network.urn);
    }
  });
});

describe("etcd", () => {
  test("three members, each an auto scaling group of one in its own zone", () => {
    const asgs = withRole(plan, "aws:autoscaling/group:Group", "etcd");
    expect(asgs).toHaveLength(3);
    for (const a of asgs) expect([a.inputs.minSize, a.inputs.maxSize, a.inputs.desiredCapacity]).toEqual([1, 1, 1]);
    expect(zonesOf(asgs.flatMap((a) => a.inputs.vpcZoneIdentifiers as string[])).size).toBe(3);
  });
  test("data volumes: encrypted gp3 with the cluster key, protected and retained in prod", () => {
    const vols = withRole(plan, "aws:ebs/volume:Volume", "etcd");
    expect(vols).toHaveLength(3);
    const [key] = withRole(plan, "aws:kms/key:Key", "pki"); // the cluster key (flow logs have their own)
    for (const v of vols) {
      expect(v.inputs).toMatchObject({ encrypted: true, type: "gp3", kmsKeyId: key.outputs.arn });
      expect(v.options.protect).toBe(true);
      expect(v.options.retainOnDelete).toBe(true);
    }
    expect(new Set(vols.map((v) => v.inputs.availabilityZone)).size).toBe(3);
  });
  test("what a stray diff must not replace is protected: CA keys and certificates, the service-account key, the encryption key, etcd ENIs", () => {
    const keys = ofType(plan, "tls:index/privateKey:PrivateKey").filter((r) => /-(ca-key|service-account)$/.test(r.name));
    expect(keys.map((r) => r.name.replace(/^.*-pki-/, "")).sort()).toEqual([
      "etcd-ca-key",
      "front-proxy-ca-key",
      "kubernetes-ca-key",
      "service-account",
    ]);
    const cas = ofType(plan, "tls:index/selfSignedCert:SelfSignedCert");
    expect(cas).toHaveLength(3);
    const encryption = ofType(plan, "random:index/randomBytes:RandomBytes").filter((r) => r.name.endsWith("-encryption-key"));
    expect(encryption).toHaveLength(1);
    const enis = ofType(plan, "aws:ec2/networkInterface:NetworkInterface");
    for (const r of [...keys, ...cas, ...encryption, ...enis])
      expect({ name: r.name, protect: r.options.protect }).toEqual({ name: r.name, protect: true });
    // Leaf keys are not: they are meant to be re-issued.
    const leafKeys = ofType(plan, "tls:index/privateKey:PrivateKey").filter((r) => !keys.includes(r));
    expect(leafKeys.length).toBeGreaterThan(5);
    for (const r of leafKeys) expect({ name: r.name, protect: r.options.protect }).toEqual({ name: r.name, protect: false });
  });
  test("stable identity: one ENI per member with a private IP inside its subnet", () => {
    const enis = ofType(plan, "aws:ec2/networkInterface:NetworkInterface");
    expect(enis).toHaveLength(3);
    for (const e of enis) {
      const subnet = ofType(plan, "aws:ec2/subnet:Subnet").find((s) => s.id === e.inputs.subnetId)!;
      expect(tagsOf(subnet)["kubestead.io/tier"]).toBe("private");
      expect(contains(mustParseCidr(String(subnet.inputs.cidrBlock)), mustParseCidr(`${e.outputs.privateIp}/32`))).toBe(true);
    }
  });
  test("2379 only from the control plane and etcd, 2380 only from etcd, never from a CIDR", () => {
    const groups = Object.fromEntries(
      ofType(plan, "aws:ec2/securityGroup:SecurityGroup").map((g) => [g.id, tagsOf(g)["kubestead.io/role"]]),
    );
    const etcdRules = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
      (r) => groups[String(r.inputs.securityGroupId)] === "etcd",
    );
    const seen = etcdRules
      .map((r) => `${r.inputs.fromPort}-${r.inputs.toPort} from ${groups[String(r.inputs.referencedSecurityGroupId)] ?? r.inputs.cidrIpv4}`)
      .sort();
    expect(seen).toEqual(["2379-2379 from controlplane", "2379-2379 from etcd", "2380-2380 from etcd"]);
    for (const r of ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")) {
      const covers = (p: number) => Number(r.inputs.fromPort) <= p && p <= Number(r.inputs.toPort);
      if (covers(2379) || covers(2380) || covers(2381)) expect([r.inputs.cidrIpv4, r.inputs.prefixListId]).toEqual([undefined, undefined]);
    }
  });
  test("server certificates carry the member's IP, DNS name and loopback; EKUs as etcd needs", () => {
    const enis = ofType(plan, "aws:ec2/networkInterface:NetworkInterface");
    for (let i = 0; i < 3; i++) {
      const ip = enis.find((e) => tagsOf(e)["kubestead.io/member"] === String(i))!.outputs.privateIp;
      const server = certNamed(`etcd-${i}-server-cert`);
      expect(server.subjectAltName).toContain(`IP Address:${ip}`);
      expect(server.subjectAltName).toContain("IP Address:127.0.0.1");
      expect(server.subjectAltName).toContain(`DNS:etcd-${i}.kubestead-prod.kubestead.internal`);
      // serverAuth, plus clientAuth for etcd's own gRPC gateway dialling the member (as kubeadm does).
      expect(server.keyUsage?.sort()).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
      expect(certNamed(`etcd-${i}-peer-cert`).keyUsage?.sort()).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
    }
    expect(certNamed("etcd-backup-cert").keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
  });
  test("every leaf chains to its CA", () => {
    const cas = ofType(plan, "tls:index/selfSignedCert:SelfSignedCert").map((c) => new X509Certificate(String(c.outputs.certPem)));
    expect(cas).toHaveLength(3);
    for (const leaf of ofType(plan, "tls:index/locallySignedCert:LocallySignedCert")) {
      const cert = new X509Certificate(String(leaf.outputs.certPem));
      const ca = new X509Certificate(String(leaf.inputs.caCertPem));
      expect(cert.checkIssued(ca)).toBe(true);
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(cas.some((c) => c.fingerprint256 === ca.fingerprint256)).toBe(true);
    }
  });
  test("backups: versioned, KMS-encrypted, expiring bucket; a schedule on every member", () => {
    const bucket = ofType(plan, "aws:s3/bucket:Bucket").find((b) => tagsOf(b)["kubestead.io/role"] === "backup")!;
    expect(bucket.options.protect).toBe(true);
    const ofBucket = (type: string) => ofType(plan, type).find((r) => r.inputs.bucket === bucket.id)!;
    expect(ofBucket("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    expect(
      (ofBucket("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules as any)[0]
        .applyServerSideEncryptionByDefault.sseAlgorithm,
    ).toBe("aws:kms");
    expect((ofBucket("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as any)[0].expiration).toEqual({
      days: 30,
    });
    for (const lt of withRole(plan, "aws:ec2/launchTemplate:LaunchTemplate", "etcd")) {
      expect(tagsOf(lt)["kubestead.io/backup-interval-minutes"]).toBe("30");
      expect(decodeUserData(String(lt.inputs.userData))).toContain("OnUnitActiveSec=30min");
    }
  });
});

describe("secrets", () => {
  test("no key material and no token in any user data", () => {
    const token = ofType(plan, "random:index/randomPassword:RandomPassword").find((r) => r.name.endsWith("token-secret"))!.outputs
      .result as string;
    expect(token).toMatch(/^[a-z0-9]{16}$/);
    for (const lt of ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate")) {
      const doc = decodeUserData(String(lt.inputs.userData));
      expect(doc).not.toMatch(/PRIVATE KEY|client-key-data|EncryptionConfiguration/);
      expect(doc).not.toContain(token);
    }
  });
  test("private keys live in SSM SecureStrings encrypted with the cluster key, and are secret in the plan", () => {
    const [key] = withRole(plan, "aws:kms/key:Key", "pki"); // the cluster key (flow logs have their own)
    const all = ofType(plan, "aws:ssm/parameter:Parameter");
    // The plain kinds: scripts every etcd member shares, too large for user data, and the leaf
    // certificates the nodes' refresh timer re-reads (bootstrap/certRefresh.ts); no secret in them.
    const plain = all.filter((p) => p.inputs.type === "String");
    const scripts = plain.filter((p) => String(p.inputs.name).includes("/etcd/files/"));
    expect(scripts.map((p) => p.inputs.name).sort()).toEqual(
      ["cert-refresh.sh", "etcd-backup.sh", "etcd-lifecycle.sh", "etcd-restore.sh"].map((f) => `/kubestead/kubestead-prod/etcd/files/${f}`),
    );
    const certs = plain.filter((p) => !scripts.includes(p));
    expect(certs).toHaveLength(3 * 2 + 1 + 8);
    for (const p of certs) {
      expect(String(p.inputs.name)).toMatch(/^\/kubestead\/kubestead-prod\/(etcd|controlplane)\/.*\.crt$/);
      expect(String(p.inputs.value)).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n?$/);
    }
    for (const p of plain) expect(String(p.inputs.value)).not.toMatch(/PRIVATE KEY|client-key-data|EncryptionConfiguration/);
    const params = all.filter((p) => p.inputs.type !== "String");
    expect(params.length).toBeGreaterThan(10);
    for (const p of params) {
      expect(p.inputs).toMatchObject({ type: "SecureString", keyId: key.outputs.arn });
      expect(p.secretPaths).toContain("inputs.value");
      expect(String(p.inputs.name)).toMatch(/^\/kubestead\/kubestead-prod\/(etcd|controlplane|worker)\//);
    }
    const masked = JSON.stringify(maskPlan(plan));
    expect(masked).not.toContain("PRIVATE KEY");
    expect(masked).not.toContain("client-key-data");
  });
  test("each node role reads only its own secret path", () => {
    const policies = ofType(plan, "aws:iam/rolePolicy:RolePolicy").map((p) => JSON.parse(String(p.inputs.policy)));
    const readers = policies.filter((d) => d.Statement.some((s: any) => s.Sid === "ReadOwnSecrets"));
    const paths = readers.map((d) => d.Statement.find((s: any) => s.Sid === "ReadOwnSecrets").Resource as string).sort();
    expect(paths).toEqual([
      expect.stringMatching(/:parameter\/kubestead\/kubestead-prod\/controlplane\/\*$/),
      expect.stringMatching(/:parameter\/kubestead\/kubestead-prod\/etcd\/\*$/),
      expect.stringMatching(/:parameter\/kubestead\/kubestead-prod\/worker\/\*$/),
    ]);
  });
  test("add-ons get their own roles (test/components/serviceAccountIssuer.test.ts), not policies on the control-plane role", () => {
    const [cpRole] = ofType(plan, "aws:iam/role:Role").filter((r) => tagsOf(r)["kubestead.io/role"] === "controlplane");
    const attached = ofType(plan, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === cpRole.outputs.name);
    const names = attached.map((p) => p.name).sort();
    expect(names).toEqual(expect.arrayContaining(["kubestead-prod-controlplane-addon-store", "kubestead-prod-controlplane-node-policy"]));
    expect(names.filter((n) => /cluster-autoscaler|ebs-csi/.test(n))).toEqual([]);
  });
  test("the admin kubeconfig is a secret stack output", () => {
    expect(plan.secretOutputs).toContain("adminKubeconfig");
    expect(parse(String(plan.outputs.adminKubeconfig)).users[0].user["client-key-data"]).toBeTruthy();
  });
});

describe("control plane and API load balancer", () => {
  test("three nodes across three zones, registered behind the API target group", () => {
    const [asg] = withRole(plan, "aws:autoscaling/group:Group", "controlplane");
    const [tg] = ofType(plan, "aws:lb/targetGroup:TargetGroup");
    expect([asg.inputs.minSize, asg.inputs.maxSize]).toEqual([3, 3]);
    expect(zonesOf(asg.inputs.vpcZoneIdentifiers as string[]).size).toBe(3);
    expect(asg.inputs.targetGroupArns).toEqual([tg.outputs.arn]);
  });
  test("a cross-zone network load balancer on TCP 6443 with an HTTPS /readyz health check", () => {
    const [lb] = ofType(plan, "aws:lb/loadBalancer:LoadBalancer");
    const [tg] = ofType(plan, "aws:lb/targetGroup:TargetGroup");
    const [listener] = ofType(plan, "aws:lb/listener:Listener");
    expect(lb.inputs).toMatchObject({ loadBalancerType: "network", enableCrossZoneLoadBalancing: true, internal: true });
    expect(zonesOf(lb.inputs.subnets as string[]).size).toBe(3);
    expect(tg.inputs).toMatchObject({ port: 6443, protocol: "TCP", preserveClientIp: "false" });
    expect(tg.inputs.healthCheck).toMatchObject({ protocol: "HTTPS", path: "/readyz", port: "6443" });
    expect(listener.inputs).toMatchObject({ port: 6443, protocol: "TCP", loadBalancerArn: lb.outputs.arn });
    expect((listener.inputs.defaultActions as any)[0]).toMatchObject({ type: "forward", targetGroupArn: tg.outputs.arn });
  });
  test("the apiserver certificate names the API's stable name (not the load balancer's) and the kubernetes service IP", () => {
    const [lb] = ofType(plan, "aws:lb/loadBalancer:LoadBalancer");
    const cert = certNamed("controlplane-apiserver-cert");
    expect(cert.subjectAltName).toContain("DNS:api.kubestead-prod.kubestead.internal");
    expect(cert.subjectAltName).not.toContain(String(lb.outputs.dnsName));
    expect(cert.subjectAltName).toContain("IP Address:10.96.0.1");
    expect(cert.subjectAltName).toContain("IP Address:127.0.0.1");
  });
});

describe("the API's stable name", () => {
  test("an alias record api.<cluster>.kubestead.internal in the private zone points at the load balancer", () => {
    const [lb] = ofType(plan, "aws:lb/loadBalancer:LoadBalancer");
    const record = ofType(plan, "aws:route53/record:Record").find((r) => r.inputs.name === "api.kubestead-prod.kubestead.internal")!;
    expect(record.inputs.type).toBe("A");
    expect(record.inputs.aliases).toEqual([{ name: lb.outputs.dnsName, zoneId: lb.outputs.zoneId, evaluateTargetHealth: false }]);
    const [zone] = ofType(plan, "aws:route53/zone:Zone");
    expect(record.inputs.zoneId).toBe(zone.outputs.zoneId);
  });
  test("replacing the load balancer touches nothing a node boots with: no launch template or SSM parameter depends on it", () => {
    const [lb] = ofType(plan, "aws:lb/loadBalancer:LoadBalancer");
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const dependsOnLb = (urn: string, seen = new Set<string>()): boolean => {
      if (urn === lb.urn) return true;
      if (seen.has(urn)) return false;
      seen.add(urn);
      const r = byUrn.get(urn);
      if (!r) return false;
      const deps = [...r.dependencies, ...Object.values(r.propertyDependencies).flat()];
      return deps.some((d) => dependsOnLb(d, seen));
    };
    const bootInputs = [...ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate"), ...ofType(plan, "aws:ssm/parameter:Parameter")];
    expect(bootInputs.length).toBeGreaterThan(20);
    expect(bootInputs.filter((r) => dependsOnLb(r.urn)).map((r) => r.name)).toEqual([]);
    for (const lt of ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate"))
      expect(decodeUserData(String(lt.inputs.userData))).not.toContain(String(lb.outputs.dnsName));
    // Control: the record that names the load balancer does depend on it.
    const record = ofType(plan, "aws:route53/record:Record").find((r) => String(r.inputs.name).startsWith("api."))!;
    expect(dependsOnLb(record.urn)).toBe(true);
  });
  test("the exported admin kubeconfig dials the load balancer and verifies the stable name", () => {
    const [lb] = ofType(plan, "aws:lb/loadBalancer:LoadBalancer");
    const cluster = parse(String(plan.outputs.adminKubeconfig)).clusters[0].cluster;
    expect(cluster.server).toBe(`https://${lb.outputs.dnsName}:6443`);
    expect(cluster["tls-server-name"]).toBe("api.kubestead-prod.kubestead.internal");
  });
});

describe("user data size", () => {
  test("every launch template leaves at least 2 KiB of EC2's 16 KiB: large node files go through the add-on store", () => {
    for (const lt of ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate")) {
      const bytes = Buffer.from(String(lt.inputs.userData), "base64").length;
      expect({ name: lt.name, bytes: bytes <= 16 * 1024 - 2048 }).toEqual({ name: lt.name, bytes: true });
    }
  });
  test("the control plane's applier comes from the store, pinned by sha256 in user data", () => {
    const [lt] = withRole(plan, "aws:ec2/launchTemplate:LaunchTemplate", "controlplane");
    const doc = decodeUserData(String(lt.inputs.userData));
    const stored = ofType(plan, "aws:s3/bucketObjectv2:BucketObjectv2").find((o) => String(o.inputs.key) === "node/addons-apply.sh")!;
    const sha = createHash("sha256").update(String(stored.inputs.content)).digest("hex");
    expect((stored.inputs.metadata as Record<string, string>).sha256).toBe(sha);
    expect(doc).toContain(`install_stored 'addons-apply.sh' '${sha}' '/opt/kubestead/bin/addons-apply.sh' '0755'`);
    expect(doc).not.toContain("kubestead add-on applier. Rendered by");
  });
});

describe("encryption at rest through KMS v2", () => {
  test("the KMS plugin's static pod comes from the store like the others, pinned by sha256 in user data", () => {
    const [lt] = withRole(plan, "aws:ec2/launchTemplate:LaunchTemplate", "controlplane");
    const doc = decodeUserData(String(lt.inputs.userData));
    const stored = ofType(plan, "aws:s3/bucketObjectv2:BucketObjectv2").find(
      (o) => String(o.inputs.key) === "node/aws-encryption-provider.yaml",
    )!;
    const sha = createHash("sha256").update(String(stored.inputs.content)).digest("hex");
    expect((stored.inputs.metadata as Record<string, string>).path).toBe("/etc/kubernetes/manifests/aws-encryption-provider.yaml");
    expect(doc).toContain(
      `install_stored 'aws-encryption-provider.yaml' '${sha}' '/etc/kubernetes/manifests/aws-encryption-provider.yaml' '0600'`,
    );
  });

  test("a key of its own, rotated, for the control plane's plugin; its ASG waits for the key and the grant", () => {
    const keys = ofType(plan, "aws:kms/key:Key").filter(
      (k) => (k.inputs.tags as Record<string, string>)["kubestead.io/purpose"] === "encryption-at-rest",
    );
    expect(keys).toHaveLength(1);
    const [key] = keys;
    expect(key.inputs.enableKeyRotation).toBe(true);
    // Losing it loses every Secret, snapshots included: protected like the cluster key.
    expect(key.options.protect).toBe(true);
    const stored = ofType(plan, "aws:s3/bucketObjectv2:BucketObjectv2").find(
      (o) => String(o.inputs.key) === "node/aws-encryption-provider.yaml",
    )!;
    expect(String(stored.inputs.content)).toContain(`--key=${key.outputs.arn}`);
    const [asg] = withRole(plan, "aws:autoscaling/group:Group", "controlplane");
    const grant = ofType(plan, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name.endsWith("-encryption-at-rest"))!;
    expect(asg.dependencies).toEqual(expect.arrayContaining([key.urn, grant.urn]));
  });
});

describe("every launch template", () => {
  test("requires IMDSv2, encrypts the root volume and gives no public IP", () => {
    const lts = ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate");
    expect(lts.length).toBe(3 + 1 + 2);
    for (const lt of lts) {
      expect((lt.inputs.metadataOptions as any).httpTokens).toBe("required");
      for (const b of lt.inputs.blockDeviceMappings as any[]) expect(b.ebs.encrypted).toBe("true");
      for (const n of lt.inputs.networkInterfaces as any[]) expect(n.associatePublicIpAddress).toBe("false");
    }
  });
});

describe("worker pools", () => {
  const pools = () => withRole(plan, "aws:autoscaling/group:Group", "worker");
  test("every pool spans three zones and refreshes instances on a rolling basis", () => {
    expect(
      pools()
        .map((p) => tagsOf(p)["kubestead.io/pool"])
        .sort(),
    ).toEqual(["general", "system"]);
    for (const p of pools()) {
      expect(zonesOf(p.inputs.vpcZoneIdentifiers as string[]).size).toBe(3);
      expect(p.inputs.instanceRefresh).toMatchObject({ strategy: "Rolling", preferences: { minHealthyPercentage: 90 } });
    }
  });
  test("Pulumi leaves desired capacity to the autoscaler", () => {
    for (const p of pools()) expect(p.options.ignoreChanges).toContain("desiredCapacity");
  });
  test("cluster-autoscaler discovery and node-template tags", () => {
    const system = pools().find((p) => tagsOf(p)["kubestead.io/pool"] === "system")!;
    const t = tagsOf(system);
    expect(t["k8s.io/cluster-autoscaler/enabled"]).toBe("true");
    expect(t["k8s.io/cluster-autoscaler/kubestead-prod"]).toBe("owned");
    expect(t["k8s.io/cluster-autoscaler/node-template/taint/kubestead.io/system"]).toBe("true:NoSchedule");
    expect(t["k8s.io/cluster-autoscaler/node-template/label/kubestead.io/pool"]).toBe("system");
  });
  test("spot capacity through a mixed-instances policy with an on-demand base", () => {
    const general = pools().find((p) => tagsOf(p)["kubestead.io/pool"] === "general")!;
    expect((general.inputs.mixedInstancesPolicy as any).instancesDistribution).toMatchObject({
      onDemandBaseCapacity: 3,
      onDemandPercentageAboveBaseCapacity: 25,
    });
    expect(general.inputs.capacityRebalance).toBe(true);
  });
});

describe("in-cluster add-ons", () => {
  test("nothing in the plan talks to the cluster's API: no Kubernetes provider or resource, no command", () => {
    expect(plan.resources.filter((r) => r.type.startsWith("kubernetes:") || r.type === "pulumi:providers:kubernetes")).toEqual([]);
    expect(plan.resources.filter((r) => r.type.startsWith("command:"))).toEqual([]);
  });
  test("each add-on is a KMS-encrypted object in the add-on store, with its version and digest", () => {
    const objects = ofType(plan, "aws:s3/bucketObjectv2:BucketObjectv2");
    const addons = objects.filter((o) => (o.inputs.metadata as any)?.addon).map((o) => (o.inputs.metadata as any).addon);
    expect(addons).toEqual([
      "node-bootstrap",
      "cluster-admins",
      "cloud-controller-manager",
      "kube-proxy",
      "cilium",
      "coredns",
      "csr-approver",
      "metrics-server",
      "cluster-autoscaler",
      "ebs-csi-driver",
      "node-termination",
    ]);
    // The add-on store's objects (the issuer's public documents live in a bucket of their own).
    const [store] = ofType(plan, "aws:s3/bucket:Bucket").filter((b) => tagsOf(b)["kubestead.io/role"] === "addons");
    for (const o of objects.filter((x) => x.inputs.bucket === store.id)) {
      expect(o.inputs.serverSideEncryption).toBe("aws:kms");
      expect(String(o.inputs.key)).toMatch(/^(addons|node)\//);
      const md = o.inputs.metadata as Record<string, string>;
      if (md.addon) expect(md.sha256).toBe(createHash("sha256").update(String(o.inputs.content)).digest("hex"));
    }
    // No credential in a stored manifest: the bootstrap token Secret is fetched from SSM on the node.
    for (const o of objects) expect(String(o.inputs.content)).not.toMatch(/kind: Secret|token-secret|PRIVATE KEY/);
  });
  test("only the control-plane role reads the add-on store, and only its prefix", () => {
    const [store] = ofType(plan, "aws:s3/bucket:Bucket").filter((b) => tagsOf(b)["kubestead.io/role"] === "addons");
    const readers = ofType(plan, "aws:iam/rolePolicy:RolePolicy").filter((p) =>
      String(p.inputs.policy).includes(String(store.outputs.arn)),
    );
    expect(readers.map((p) => p.name)).toEqual(["kubestead-prod-controlplane-addon-store"]);
    const doc = JSON.parse(String(readers[0].inputs.policy));
    expect(doc.Statement.find((x: any) => x.Sid === "ReadAddonManifests").Resource).toEqual([
      `${store.outputs.arn}/addons/*`,
      `${store.outputs.arn}/node/*`,
    ]);
  });
  test("the cloud-controller-manager runs only on control-plane nodes and tolerates their taints", () => {
    const ccm = ofType(plan, "aws:s3/bucketObjectv2:BucketObjectv2").find(
      (o) => (o.inputs.metadata as any)?.addon === "cloud-controller-manager",
    )!;
    const ds = parseAllDocuments(String(ccm.inputs.content))
      .map((d) => d.toJS())
      .find((o) => o.kind === "DaemonSet");
    const spec = ds.spec.template.spec;
    expect(spec.nodeSelector).toEqual({ "node-role.kubernetes.io/control-plane": "" });
    expect(spec.tolerations).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" })]),
    );
    expect(spec.containers[0].args ?? spec.containers[0].command).toEqual(
      expect.arrayContaining(["--cloud-provider=aws", "--configure-cloud-routes=false"]),
    );
  });
  test("the bootstrap token Secret manifest is an SSM SecureString only the control plane reads, secret in the plan", () => {
    const p = ofType(plan, "aws:ssm/parameter:Parameter").find(
      (x) => x.inputs.name === "/kubestead/kubestead-prod/controlplane/bootstrap-token-secret.yaml",
    )!;
    expect(p.inputs.type).toBe("SecureString");
    expect(p.secretPaths).toContain("inputs.value");
    expect(String(p.inputs.value)).toContain("type: bootstrap.kubernetes.io/token");
  });
  test("every cloud resource belongs to a kubestead component", () => {
    for (const r of plan.resources.filter((x) => x.custom)) {
      expect(ancestors(plan, r).pop()?.type).toMatch(/^kubestead:components:/);
    }
  });
});

describe("the policy pack on the planned graph", () => {
  // Lazy: policy/runner loads @pulumi/policy, which the rest of this file does not need.
  const run = (p: Plan, config = "prod") => {
    const { runPolicies } = require("../../policy/runner");
    const cfg = JSON.parse(require("node:fs").readFileSync(require("node:path").join(__dirname, "../../policy", `${config}.json`), "utf8"));
    return runPolicies(p, cfg, { preview: false });
  };
  test("prod has zero violations", () => {
    const report = run(plan);
    expect(report.violations).toEqual([]);
    expect(Object.values(report.levels)).toContain("mandatory");
  });
  test("a graph broken the way config cannot express (2 etcd members, IMDSv1) fails the mandatory policies", () => {
    const broken: Plan = structuredClone(plan);
    const etcd2 = broken.resources.find((r) => r.type === "aws:autoscaling/group:Group" && tagsOf(r)["kubestead.io/member"] === "2")!;
    broken.resources = broken.resources.filter((r) => r !== etcd2);
    const worker = broken.resources.find(
      (r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate" && tagsOf(r)["kubestead.io/role"] === "worker",
    )!;
    (worker.inputs.metadataOptions as any).httpTokens = "optional";
    const report = run(broken);
    const failed = new Set(report.violations.filter((v: any) => v.enforcementLevel === "mandatory").map((v: any) => v.policy));
    expect(failed).toEqual(new Set(["etcd-quorum", "imdsv2-required"]));
  });
});
