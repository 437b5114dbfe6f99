/**
 * Emulates what AWS (and the other providers) compute for a resource, so the program under the
 * mock runtime sees realistic outputs: IDs and ARNs in AWS shapes, private IPs inside the owning
 * subnet, DNS names for load balancers. Deterministic: the same program gives the same outputs.
 */
import { createHash, randomBytes } from "node:crypto";
import type { NetworkFacts } from "../../lib/adoptedNetwork";
import { INSTANCE_TYPES } from "../../lib/aws/instanceTypes";
import type { Offering } from "../../lib/instanceTypeOfferings";
import { cidrEnd, hostAddress, intToIp, mustParseCidr } from "../../lib/cidr";
import type { AccountPublicAccessBlock } from "../../lib/issuerPublicAccess";

export const ACCOUNT_ID = "123456789012";

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
const CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
/** The version 2 default fields EC2 records when a flow log sets no format. */
const DEFAULT_FLOW_LOG_FORMAT =
  "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";

type State = Record<string, unknown>;
export interface Emulated {
  id: string;
  state: State;
}

export function hex(seed: string, len: number): string {
  let out = "";
  let i = 0;
  while (out.length < len) out += createHash("sha256").update(`${seed}#${i++}`).digest("hex");
  return out.slice(0, len);
}

function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

interface SubnetInfo {
  cidr: string;
  zone: string;
  /** Next host index handed out; AWS reserves the first four addresses. */
  next: number;
  used: Set<string>;
}

export class AwsEmulator {
  private readonly subnets = new Map<string, SubnetInfo>();
  private readonly vpcs = new Map<string, string>();
  /** Buckets created with Object Lock, and buckets with versioning enabled: where S3 accepts a lock configuration. */
  private readonly lockableBuckets = new Set<string>();
  private readonly zoneIds: Map<string, string>;
  /**
   * The account's S3 Block Public Access (s3control GetPublicAccessBlock), or "none" for an
   * account without one, which the provider's data source reports as an error. Default: an
   * account that blocks public ACLs, as many do, and leaves bucket policies to each bucket.
   */
  accountPublicAccessBlock: AccountPublicAccessBlock | "none" = {
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: false,
    restrictPublicBuckets: false,
  };

  constructor(
    readonly region: string,
    readonly zones: string[],
    /** An adopted VPC's subnets as AWS would describe them. */
    private readonly network?: NetworkFacts,
    /** Instance types offered per zone (describe-instance-type-offerings); default: all, everywhere. */
    private readonly offerings?: Offering[],
  ) {
    this.zoneIds = new Map(zones.map((z, i) => [z, `${region.replace(/-/g, "").slice(0, 3)}${region.split("-").pop()}-az${i + 1}`]));
  }

  private arn(service: string, resource: string, region = this.region, account = ACCOUNT_ID): string {
    return `arn:aws:${service}:${region}:${account}:${resource}`;
  }

  /** Physical name as the provider's autonaming would make it: the logical name plus a suffix. */
  /**
   * Physical name as the provider's autonaming makes it (the logical name or prefix plus a
   * 7-character suffix), refused like AWS refuses it when longer than the service allows.
   */
  private physicalName(name: string, inputs: State, max = 255, what = "name"): string {
    const given = inputs.name as string | undefined;
    const prefix = inputs.namePrefix as string | undefined;
    const physical = given ?? `${prefix ?? `${name}-`}${hex(name, 7)}`;
    if (physical.length > max) {
      throw new Error(
        `${what} ${JSON.stringify(physical)} of ${name} is ${physical.length} characters; AWS allows ${max}: set a shorter name or namePrefix`,
      );
    }
    return physical;
  }

  private allocateIp(subnetId: string, wanted?: string): string | undefined {
    const s = this.subnets.get(subnetId);
    if (!s) return undefined;
    if (wanted) {
      s.used.add(wanted);
      return wanted;
    }
    const c = mustParseCidr(s.cidr);
    for (;;) {
      const ip = hostAddress(c, s.next++);
      if (c.base + s.next > cidrEnd(c)) throw new Error(`emulated subnet ${subnetId} (${s.cidr}) is out of addresses`);
      if (!s.used.has(ip)) {
        s.used.add(ip);
        return ip;
      }
    }
  }

  subnetOf(id: string): { cidr: string; zone: string } | undefined {
    return this.subnets.get(id);
  }

  private privateDns(ip: string): string {
    const suffix = this.region === "us-east-1" ? "ec2.internal" : `${this.region}.compute.internal`;
    return `ip-${ip.replace(/\./g, "-")}.${suffix}`;
  }

  newResource(type: string, name: string, inputs: State): Emulated {
    const seed = `${type}::${name}`;
    const s = { ...inputs };
    const tags = (inputs.tags as Record<string, string> | undefined) ?? {};
    const withTags = () => ({ tagsAll: tags });
    switch (type) {
      case "aws:ec2/vpc:Vpc": {
        const id = `vpc-${hex(seed, 17)}`;
        this.vpcs.set(id, String(inputs.cidrBlock));
        return {
          id,
          state: {
            ...s,
            ...withTags(),
            arn: this.arn("ec2", `vpc/${id}`),
            defaultSecurityGroupId: `sg-${hex(seed + "sg", 17)}`,
            mainRouteTableId: `rtb-${hex(seed + "rt", 17)}`,
            defaultNetworkAclId: `acl-${hex(seed + "acl", 17)}`,
            ownerId: ACCOUNT_ID,
          },
        };
      }
      case "aws:ec2/subnet:Subnet": {
        const id = `subnet-${hex(seed, 17)}`;
        const zone = String(inputs.availabilityZone);
        this.subnets.set(id, { cidr: String(inputs.cidrBlock), zone, next: 4, used: new Set() });
        return {
          id,
          state: {
            ...s,
            ...withTags(),
            arn: this.arn("ec2", `subnet/${id}`),
            availabilityZoneId: this.zoneIds.get(zone) ?? zone,
            ownerId: ACCOUNT_ID,
          },
        };
      }
      case "aws:ec2/internetGateway:InternetGateway":
        return this.simple("igw", seed, s, (id) => this.arn("ec2", `internet-gateway/${id}`));
      case "aws:ec2/routeTable:RouteTable":
        return this.simple("rtb", seed, s, (id) => this.arn("ec2", `route-table/${id}`));
      case "aws:ec2/routeTableAssociation:RouteTableAssociation":
        return this.simple("rtbassoc", seed, s);
      case "aws:ec2/vpcEndpoint:VpcEndpoint":
        return this.simple("vpce", seed, s, (id) => this.arn("ec2", `vpc-endpoint/${id}`), { prefixListId: `pl-${hex(seed, 8)}` });
      case "aws:ec2/eip:Eip": {
        const id = `eipalloc-${hex(seed, 17)}`;
        const n = parseInt(hex(seed, 4), 16);
        return {
          id,
          state: {
            ...s,
            ...withTags(),
            allocationId: id,
            publicIp: `198.51.100.${(n % 254) + 1}`,
            arn: this.arn("ec2", `elastic-ip/${id}`),
          },
        };
      }
      case "aws:ec2/natGateway:NatGateway": {
        const id = `nat-${hex(seed, 17)}`;
        return {
          id,
          state: {
            ...s,
            ...withTags(),
            privateIp: this.allocateIp(String(inputs.subnetId)),
            publicIp: `198.51.100.${(parseInt(hex(seed, 4), 16) % 254) + 1}`,
          },
        };
      }
      case "aws:ec2/securityGroup:SecurityGroup": {
        const id = `sg-${hex(seed, 17)}`;
        return {
          id,
          state: {
            ...s,
            ...withTags(),
            name: this.physicalName(name, inputs),
            arn: this.arn("ec2", `security-group/${id}`),
            ownerId: ACCOUNT_ID,
          },
        };
      }
      case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
      case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
        const id = `sgr-${hex(seed, 17)}`;
        return { id, state: { ...s, ...withTags(), securityGroupRuleId: id, arn: this.arn("ec2", `security-group-rule/${id}`) } };
      }
      case "aws:ec2/managedPrefixList:ManagedPrefixList": {
        const id = `pl-${hex(seed, 17)}`;
        const entries = (inputs.entries as { cidr: string }[] | undefined) ?? [];
        // CreateManagedPrefixList refuses more entries than the list's maxEntries.
        if (entries.length > Number(inputs.maxEntries)) {
          throw new Error(`prefix list ${name} has ${entries.length} entries; its maxEntries is ${String(inputs.maxEntries)}`);
        }
        return {
          id,
          state: { ...s, ...withTags(), arn: this.arn("ec2", `prefix-list/${id}`), ownerId: ACCOUNT_ID, version: 1 },
        };
      }
      case "aws:ec2/networkInterface:NetworkInterface": {
        const id = `eni-${hex(seed, 17)}`;
        const wanted = (inputs.privateIps as string[] | undefined)?.[0];
        const ip = this.allocateIp(String(inputs.subnetId), wanted) ?? "10.0.0.10";
        return {
          id,
          state: {
            ...s,
            ...withTags(),
            arn: this.arn("ec2", `network-interface/${id}`),
            privateIp: ip,
            privateIps: [ip],
            privateIpList: [ip],
            privateDnsName: this.privateDns(ip),
            macAddress: `02:${hex(seed, 10).match(/../g)!.join(":")}`,
            ownerId: ACCOUNT_ID,
          },
        };
      }
      case "aws:ebs/volume:Volume": {
        const id = `vol-${hex(seed, 17)}`;
        return { id, state: { ...s, ...withTags(), arn: this.arn("ec2", `volume/${id}`), throughput: inputs.throughput ?? 125 } };
      }
      case "aws:ec2/launchTemplate:LaunchTemplate": {
        const id = `lt-${hex(seed, 17)}`;
        return {
          id,
          state: {
            ...s,
            ...withTags(),
            name: this.physicalName(name, inputs, 128),
            arn: this.arn("ec2", `launch-template/${id}`),
            latestVersion: 1,
            defaultVersion: 1,
          },
        };
      }
      case "aws:autoscaling/group:Group": {
        const n = this.physicalName(name, inputs);
        return {
          id: n,
          state: { ...s, name: n, arn: this.arn("autoscaling", `autoScalingGroup:${uuid(seed)}:autoScalingGroupName/${n}`) },
        };
      }
      case "aws:iam/role:Role": {
        const n = this.physicalName(name, inputs, 64);
        return {
          id: n,
          state: {
            ...s,
            ...withTags(),
            name: n,
            arn: `arn:aws:iam::${ACCOUNT_ID}:role${inputs.path ?? "/"}${n}`,
            uniqueId: `AROA${hex(seed, 17).toUpperCase()}`,
            createDate: "2026-01-01T00:00:00Z",
          },
        };
      }
      case "aws:iam/instanceProfile:InstanceProfile": {
        const n = this.physicalName(name, inputs, 128);
        return {
          id: n,
          state: {
            ...s,
            ...withTags(),
            name: n,
            arn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/${n}`,
            uniqueId: `AIPA${hex(seed, 17).toUpperCase()}`,
          },
        };
      }
      case "aws:iam/serviceLinkedRole:ServiceLinkedRole": {
        // AWSServiceRoleFor<Service>[_<suffix>] under /aws-service-role/<service>/, as IAM names it.
        const service = String(inputs.awsServiceName);
        const n = `AWSServiceRoleForAutoScaling${inputs.customSuffix ? `_${inputs.customSuffix}` : ""}`;
        if (service !== "autoscaling.amazonaws.com")
          throw new Error(`the offline AWS emulation models only the autoscaling service-linked role, not ${service}`);
        const path = `/aws-service-role/${service}/`;
        return {
          id: `arn:aws:iam::${ACCOUNT_ID}:role${path}${n}`,
          state: { ...s, name: n, path, arn: `arn:aws:iam::${ACCOUNT_ID}:role${path}${n}`, uniqueId: `AROA${hex(seed, 17).toUpperCase()}` },
        };
      }
      case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        // IAM names the provider by its URL without the scheme; it refuses anything but https and
        // requires at least one client ID (audience).
        const url = String(inputs.url ?? "");
        if (!/^https:\/\/[^\s?#]+$/.test(url) || url.length > 255)
          throw new Error(`OIDC provider ${name}: url must be an https URL of at most 255 characters (got ${JSON.stringify(url)})`);
        const clients = (inputs.clientIdLists as string[] | undefined) ?? [];
        if (clients.length === 0) throw new Error(`OIDC provider ${name}: clientIdLists must name at least one audience`);
        const arn = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${url.replace(/^https:\/\//, "").replace(/\/+$/, "")}`;
        // Without thumbprints IAM records the issuer's top intermediate CA's SHA-1 itself.
        return { id: arn, state: { ...s, ...withTags(), arn, thumbprintLists: inputs.thumbprintLists ?? [hex(url, 40)] } };
      }
      case "aws:iam/rolePolicy:RolePolicy":
        return {
          id: `${inputs.role}:${this.physicalName(name, inputs, 128)}`,
          state: { ...s, name: this.physicalName(name, inputs, 128) },
        };
      case "aws:iam/policy:Policy": {
        const n = this.physicalName(name, inputs, 128);
        const arn = `arn:aws:iam::${ACCOUNT_ID}:policy/${n}`;
        return { id: arn, state: { ...s, ...withTags(), name: n, arn, policyId: `ANPA${hex(seed, 17).toUpperCase()}` } };
      }
      case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
        return { id: `${inputs.role}-${hex(seed, 8)}`, state: s };
      case "aws:kms/key:Key": {
        const id = uuid(seed);
        return { id, state: { ...s, ...withTags(), keyId: id, arn: this.arn("kms", `key/${id}`) } };
      }
      case "aws:kms/alias:Alias":
        return {
          id: String(inputs.name),
          state: { ...s, arn: this.arn("kms", String(inputs.name)), targetKeyArn: this.arn("kms", `key/${inputs.targetKeyId}`) },
        };
      case "aws:ssm/parameter:Parameter": {
        const n = String(inputs.name ?? name);
        return {
          id: n,
          state: {
            ...s,
            ...withTags(),
            name: n,
            arn: this.arn("ssm", `parameter${n.startsWith("/") ? "" : "/"}${n}`),
            version: 1,
            tier: inputs.tier ?? "Standard",
          },
        };
      }
      case "aws:s3/bucketObjectv2:BucketObjectv2": {
        // S3's ETag of a single-part object is the MD5 of its bytes; a new version per write.
        const content = String(inputs.content ?? "");
        return {
          id: String(inputs.key),
          state: {
            ...s,
            ...withTags(),
            etag: createHash("md5").update(content).digest("hex"),
            versionId: hex(`${seed}:${content}`, 32),
            arn: `arn:aws:s3:::${inputs.bucket}/${inputs.key}`,
          },
        };
      }
      case "aws:s3/bucket:Bucket": {
        const n = String(inputs.bucket ?? this.physicalName(name, { ...inputs, name: undefined, namePrefix: inputs.bucketPrefix }, 63));
        // S3's naming rules (general purpose buckets), as CreateBucket enforces them on a given name.
        if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(n) || n.includes("..") || /^(xn--|sthree-)|(-s3alias|--ol-s3)$/.test(n))
          throw new Error(
            `bucket name ${JSON.stringify(n)} of ${name} breaks S3's naming rules (3-63 lowercase letters, digits, '-' and '.')`,
          );
        if (inputs.objectLockEnabled === true) this.lockableBuckets.add(n);
        return {
          id: n,
          state: {
            ...s,
            ...withTags(),
            bucket: n,
            arn: `arn:aws:s3:::${n}`,
            bucketDomainName: `${n}.s3.amazonaws.com`,
            bucketRegionalDomainName: `${n}.s3.${this.region}.amazonaws.com`,
            region: this.region,
            hostedZoneId: "Z3AQBSTGFYJSTF",
          },
        };
      }
      case "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": {
        // S3 refuses a lock configuration on a bucket that neither was created with Object Lock
        // nor has versioning on (InvalidBucketState).
        const bucket = String(inputs.bucket);
        if (!this.lockableBuckets.has(bucket)) {
          throw new Error(
            `InvalidBucketState: Object Lock configuration cannot be enabled on bucket ${bucket}: create it with objectLockEnabled or enable versioning first`,
          );
        }
        return { id: bucket, state: { ...s, objectLockEnabled: inputs.objectLockEnabled ?? "Enabled" } };
      }
      case "aws:s3/bucketLogging:BucketLogging":
        return { id: String(inputs.bucket), state: s };
      case "aws:s3/bucketVersioning:BucketVersioning":
        if ((inputs.versioningConfiguration as State | undefined)?.status === "Enabled") this.lockableBuckets.add(String(inputs.bucket));
        return { id: String(inputs.bucket), state: s };
      case "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
      case "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
      case "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
      case "aws:s3/bucketPolicy:BucketPolicy":
      case "aws:s3/bucketOwnershipControls:BucketOwnershipControls":
        return { id: String(inputs.bucket), state: s };
      case "aws:lb/loadBalancer:LoadBalancer": {
        const n = this.physicalName(name, inputs, 32);
        const kind = inputs.loadBalancerType === "network" ? "net" : "app";
        const h = hex(seed, 16);
        const internal = inputs.internal ? "internal-" : "";
        return {
          id: this.arn("elasticloadbalancing", `loadbalancer/${kind}/${n}/${h}`),
          state: {
            ...s,
            ...withTags(),
            name: n,
            arn: this.arn("elasticloadbalancing", `loadbalancer/${kind}/${n}/${h}`),
            arnSuffix: `${kind}/${n}/${h}`,
            dnsName: `${internal}${n}-${h}.elb.${this.region}.amazonaws.com`,
            zoneId: "Z26RNL4JYFTOTI",
          },
        };
      }
      case "aws:lb/targetGroup:TargetGroup": {
        const n = this.physicalName(name, inputs, 32);
        const arn = this.arn("elasticloadbalancing", `targetgroup/${n}/${hex(seed, 16)}`);
        return { id: arn, state: { ...s, ...withTags(), name: n, arn, arnSuffix: `targetgroup/${n}/${hex(seed, 16)}` } };
      }
      case "aws:lb/listener:Listener": {
        const arn = `${String(inputs.loadBalancerArn).replace(":loadbalancer/", ":listener/")}/${hex(seed, 16)}`;
        return { id: arn, state: { ...s, ...withTags(), arn } };
      }
      case "aws:cloudwatch/logGroup:LogGroup": {
        const n = this.physicalName(name, inputs, 512);
        const days = inputs.retentionInDays;
        if (days !== undefined && !CLOUDWATCH_RETENTION_DAYS.includes(Number(days))) {
          throw new Error(`InvalidParameterException: retentionInDays ${String(days)} of ${name} is not a value CloudWatch Logs accepts`);
        }
        return {
          id: n,
          state: {
            ...s,
            ...withTags(),
            name: n,
            arn: this.arn("logs", `log-group:${n}`),
            logGroupClass: inputs.logGroupClass ?? "STANDARD",
          },
        };
      }
      case "aws:cloudwatch/metricAlarm:MetricAlarm": {
        const n = this.physicalName(name, inputs, 255);
        const problem = metricAlarmProblem(inputs);
        if (problem) throw new Error(`ValidationError: metric alarm ${name}: ${problem}`);
        return { id: n, state: { ...s, ...withTags(), name: n, arn: this.arn("cloudwatch", `alarm:${n}`) } };
      }
      case "aws:ec2/flowLog:FlowLog": {
        const id = `fl-${hex(seed, 17)}`;
        const toLogs = (inputs.logDestinationType ?? "cloud-watch-logs") === "cloud-watch-logs";
        if (toLogs && !inputs.iamRoleArn)
          throw new Error(`InvalidParameter: flow log ${name} to CloudWatch Logs needs iamRoleArn (DeliverLogsPermissionArn)`);
        return {
          id,
          state: {
            ...s,
            ...withTags(),
            arn: this.arn("ec2", `vpc-flow-log/${id}`),
            logDestinationType: inputs.logDestinationType ?? "cloud-watch-logs",
            maxAggregationInterval: inputs.maxAggregationInterval ?? 600,
            logFormat: inputs.logFormat ?? DEFAULT_FLOW_LOG_FORMAT,
          },
        };
      }
      case "aws:sqs/queue:Queue": {
        const n = this.physicalName(name, inputs, 80, "queue name");
        const url = `https://sqs.${this.region}.amazonaws.com/${ACCOUNT_ID}/${n}`;
        return { id: url, state: { ...s, ...withTags(), name: n, url, arn: this.arn("sqs", n) } };
      }
      case "aws:sqs/queuePolicy:QueuePolicy":
        return { id: String(inputs.queueUrl), state: s };
      case "aws:cloudwatch/eventRule:EventRule": {
        const n = this.physicalName(name, inputs, 64, "rule name");
        return { id: n, state: { ...s, ...withTags(), name: n, arn: this.arn("events", `rule/${n}`), eventBusName: "default" } };
      }
      case "aws:cloudwatch/eventTarget:EventTarget":
        return { id: `${inputs.rule}-${inputs.targetId}`, state: { ...s, eventBusName: "default" } };
      case "aws:autoscaling/lifecycleHook:LifecycleHook":
        return { id: String(inputs.name), state: s };
      case "aws:route53/zone:Zone": {
        const id = `Z${hex(seed, 20).toUpperCase()}`;
        return { id, state: { ...s, ...withTags(), zoneId: id, arn: `arn:aws:route53:::hostedzone/${id}`, nameServers: [] } };
      }
      case "aws:route53/record:Record":
        return { id: `${inputs.zoneId}_${inputs.name}_${inputs.type}`, state: { ...s, fqdn: String(inputs.name) } };
      case "random:index/randomBytes:RandomBytes": {
        const b = randomBytes(Number(inputs.length ?? 32));
        return { id: "none", state: { ...s, base64: b.toString("base64"), hex: b.toString("hex") } };
      }
      case "random:index/randomId:RandomId": {
        // Drawn once by a real apply; derived from the name here, so two offline plans of the same
        // program compare equal (lib/plan/diff.ts) — it names things, like the IDs above.
        const h = hex(`${seed}:${String(inputs.prefix ?? "")}`, 2 * Number(inputs.byteLength));
        const b = Buffer.from(h, "hex");
        const b64url = b.toString("base64url");
        return {
          id: b64url,
          state: {
            ...s,
            hex: `${inputs.prefix ?? ""}${h}`,
            b64Std: b.toString("base64"),
            b64Url: b64url,
            dec: BigInt(`0x${h}`).toString(),
          },
        };
      }
      case "random:index/randomString:RandomString":
      case "random:index/randomPassword:RandomPassword": {
        const alphabet = `${inputs.lower === false ? "" : "abcdefghijklmnopqrstuvwxyz"}${inputs.upper === false ? "" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}${inputs.numeric === false ? "" : "0123456789"}`;
        const bytes = randomBytes(Number(inputs.length));
        const result = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
        return { id: "none", state: { ...s, result } };
      }
      case "command:local:Command":
        return { id: hex(seed, 16), state: { ...s, stdout: "ok", stderr: "" } };
      default:
        return this.generic(type, seed, s);
    }
  }

  private simple(prefix: string, seed: string, s: State, arn?: (id: string) => string, extra: State = {}): Emulated {
    const id = `${prefix}-${hex(seed, 17)}`;
    return { id, state: { ...s, tagsAll: s.tags ?? {}, ...(arn ? { arn: arn(id) } : {}), ...extra } };
  }

  /** Kubernetes objects, Helm releases and providers: echo the inputs, as a successful apply would. */
  private generic(type: string, seed: string, s: State): Emulated {
    if (type.startsWith("aws:")) {
      throw new Error(`the offline AWS emulation has no model for ${type}: add one in tools/offline/aws.ts`);
    }
    if (type.startsWith("kubernetes:")) {
      const meta = (s.metadata as State | undefined) ?? {};
      const ns = meta.namespace ? `${meta.namespace}/` : "";
      return { id: `${ns}${meta.name ?? hex(seed, 8)}`, state: { ...s, status: s.status ?? {} } };
    }
    return { id: hex(seed, 16), state: s };
  }

  // ----- invokes -----------------------------------------------------------------------------

  call(token: string, args: State): State {
    switch (token) {
      case "aws:index/getAvailabilityZones:getAvailabilityZones":
        return { names: this.zones, zoneIds: this.zones.map((z) => this.zoneIds.get(z)), id: this.region, state: "available" };
      case "aws:index/getRegion:getRegion":
        return {
          name: this.region,
          region: this.region,
          id: this.region,
          endpoint: `ec2.${this.region}.amazonaws.com`,
          description: this.region,
        };
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/offline`, userId: "AIDAOFFLINE", id: ACCOUNT_ID };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws", reverseDnsPrefix: "com.amazonaws" };
      case "aws:ec2/getAmi:getAmi": {
        // The newest image the filters select: Debian publishes one per architecture.
        const filters = (args.filters ?? []) as { name: string; values: string[] }[];
        const architecture = filters.find((f) => f.name === "architecture")?.values[0] ?? "x86_64";
        if (architecture !== "x86_64" && architecture !== "arm64") throw new Error(`no Debian image for architecture ${architecture}`);
        const debianArch = architecture === "arm64" ? "arm64" : "amd64";
        const name = filters.find((f) => f.name === "name")?.values[0];
        if (name && !new RegExp(`^${name.replace(/\*/g, ".*")}$`).test(`debian-12-${debianArch}-20261101-2000`)) {
          throw new Error(`no image matches name ${name} with architecture ${architecture}: DescribeImages would return none`);
        }
        return {
          id: `ami-${hex(JSON.stringify(filters), 17)}`,
          imageId: `ami-${hex(JSON.stringify(filters), 17)}`,
          name: `debian-12-${debianArch}-20261101-2000`,
          architecture,
          rootDeviceName: "/dev/xvda",
          ownerId: "136693071363",
          creationDate: "2026-11-01T20:00:00.000Z",
        };
      }
      case "aws:s3/getAccountPublicAccessBlock:getAccountPublicAccessBlock": {
        const accountId = String(args.accountId ?? ACCOUNT_ID);
        if (accountId !== ACCOUNT_ID)
          throw new Error(`AccessDenied: the offline caller belongs to account ${ACCOUNT_ID}, not ${accountId}`);
        if (this.accountPublicAccessBlock === "none") {
          // The provider's words for S3 Control's NoSuchPublicAccessBlockConfiguration (404), as the
          // engine returns a failed invoke: a gRPC error whose details the SDK rethrows as the message.
          const details = `reading S3 Account Public Access Block (${accountId}): couldn't find resource: NoSuchPublicAccessBlockConfiguration: The public access block configuration was not found`;
          throw Object.assign(new Error(details), { details });
        }
        return { id: accountId, accountId, ...this.accountPublicAccessBlock };
      }
      case "aws:ec2/getSubnet:getSubnet": {
        const id = String(args.id);
        const fact = this.network?.subnets[id];
        const known = this.subnets.get(id);
        if (!fact && !known) throw new Error(`InvalidSubnetID.NotFound: The subnet ID '${id}' does not exist`);
        const cidr = fact?.cidrBlock ?? known!.cidr;
        const zone = fact?.availabilityZone ?? known!.zone;
        if (!known) this.subnets.set(id, { cidr, zone, next: 4, used: new Set() });
        return { id, cidrBlock: cidr, availabilityZone: zone, vpcId: fact?.vpcId ?? "vpc-created" };
      }
      case "aws:ec2/getVpc:getVpc": {
        const id = String(args.id);
        const cidr = this.network?.vpcs[id]?.cidrBlock ?? this.vpcs.get(id);
        if (!cidr) throw new Error(`InvalidVpcID.NotFound: The vpc ID '${id}' does not exist`);
        // DescribeVpcs lists the primary block among the associations too.
        const blocks = this.network?.vpcs[id]?.cidrBlocks ?? [cidr];
        const cidrBlockAssociations = blocks.map((b) => ({
          associationId: `vpc-cidr-assoc-${hex(`${id}/${b}`, 17)}`,
          cidrBlock: b,
          state: "associated",
        }));
        return { id, cidrBlock: cidr, cidrBlockAssociations, arn: this.arn("ec2", `vpc/${id}`) };
      }
      case "aws:ec2/getVpcs:getVpcs": {
        // Filters select; an ID nothing matches is simply absent (DescribeVpcs with a vpc-id filter).
        const known = new Map<string, State>([...this.vpcs.keys()].map((id) => [id, { "vpc-id": id }]));
        for (const id of Object.keys(this.network?.vpcs ?? {})) known.set(id, { "vpc-id": id });
        const ids = [...known].filter(([, attrs]) => matchesFilters(token, args, attrs)).map(([id]) => id);
        return { id: this.region, ids, filters: args.filters, tags: {} };
      }
      case "aws:ec2/getSubnets:getSubnets": {
        const known = new Map<string, State>();
        for (const [id, f] of Object.entries(this.network?.subnets ?? {}))
          known.set(id, { "subnet-id": id, "vpc-id": f.vpcId, "availability-zone": f.availabilityZone });
        for (const [id, info] of this.subnets) if (!known.has(id)) known.set(id, { "subnet-id": id, "availability-zone": info.zone });
        const ids = [...known].filter(([, attrs]) => matchesFilters(token, args, attrs)).map(([id]) => id);
        return { id: this.region, ids, filters: args.filters, tags: {} };
      }
      case "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": {
        if (args.locationType !== "availability-zone") {
          throw new Error(
            `the offline emulation answers getInstanceTypeOfferings for locationType availability-zone only, not ${String(args.locationType)}`,
          );
        }
        // Without recorded offerings every type is offered in every zone of the region.
        const all =
          this.offerings ?? Object.keys(INSTANCE_TYPES).flatMap((instanceType) => this.zones.map((zone) => ({ instanceType, zone })));
        const matched = all.filter((o) => matchesFilters(token, args, { "instance-type": o.instanceType, location: o.zone }));
        return {
          id: this.region,
          instanceTypes: matched.map((o) => o.instanceType),
          locations: matched.map((o) => o.zone),
          locationTypes: matched.map(() => "availability-zone"),
          locationType: "availability-zone",
          filters: args.filters,
          region: this.region,
        };
      }
      default:
        throw new Error(`the offline runtime has no answer for the invoke ${token}: add one in tools/offline/aws.ts`);
    }
  }
}

const ALARM_COMPARISONS = [
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
  "LessThanLowerOrGreaterThanUpperThreshold",
  "LessThanLowerThreshold",
  "GreaterThanUpperThreshold",
];
const ALARM_STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];
const ALARM_MISSING_DATA = ["breaching", "notBreaching", "ignore", "missing"];

/**
 * Why PutMetricAlarm would refuse a single-metric alarm with a static threshold (undefined when it
 * accepts it): the period rules and the evaluation range (one day below an hour's period, seven
 * days otherwise), M of N, the enumerations, and SNS topic ARNs as actions.
 */
export function metricAlarmProblem(inputs: State): string | undefined {
  const period = Number(inputs.period);
  const n = Number(inputs.evaluationPeriods);
  const m = inputs.datapointsToAlarm === undefined ? n : Number(inputs.datapointsToAlarm);
  if (!inputs.namespace || !inputs.metricName) return "namespace and metricName are required";
  if (![10, 20, 30].includes(period) && !(Number.isInteger(period) && period > 0 && period % 60 === 0))
    return `period ${String(inputs.period)} must be 10, 20, 30 or a multiple of 60`;
  if (!Number.isInteger(n) || n < 1) return `evaluationPeriods ${String(inputs.evaluationPeriods)} must be a whole number ≥ 1`;
  const limit = period < 3600 ? 86400 : 604800;
  if (period * n > limit) return `period × evaluationPeriods is ${period * n} s, above ${limit} s`;
  if (!Number.isInteger(m) || m < 1 || m > n) return `datapointsToAlarm ${m} must be from 1 to evaluationPeriods (${n})`;
  if (!ALARM_COMPARISONS.includes(String(inputs.comparisonOperator)))
    return `comparisonOperator ${String(inputs.comparisonOperator)} is unknown`;
  if (inputs.statistic !== undefined && !ALARM_STATISTICS.includes(String(inputs.statistic)))
    return `statistic ${String(inputs.statistic)} is unknown`;
  if (inputs.treatMissingData !== undefined && !ALARM_MISSING_DATA.includes(String(inputs.treatMissingData)))
    return `treatMissingData ${String(inputs.treatMissingData)} is unknown`;
  if (typeof inputs.threshold !== "number") return "threshold is required";
  for (const key of ["alarmActions", "okActions", "insufficientDataActions"]) {
    for (const a of (inputs[key] as string[] | undefined) ?? [])
      if (!/^arn:aws[a-z-]*:(sns|automate|ssm|lambda):/.test(a)) return `${key} entry ${a} is not an action ARN`;
  }
  return undefined;
}

/**
 * Whether an object with `attrs` passes an EC2 Describe* filter list: every filter must match
 * (values OR'd, `*` and `?` as wildcards). A filter name the object lacks is an unmodelled one:
 * loud, like an unmocked invoke.
 */
function matchesFilters(token: string, args: State, attrs: State): boolean {
  if (args.tags !== undefined && Object.keys(args.tags as State).length > 0)
    throw new Error(`${token}: the offline emulation has no tags to filter on`);
  const filters = (args.filters ?? []) as { name: string; values: string[] }[];
  return filters.every((f) => {
    if (!(f.name in attrs)) throw new Error(`${token}: the offline emulation has no model for the filter ${f.name}`);
    const value = String(attrs[f.name]);
    return f.values.some((v) =>
      new RegExp(
        `^${v
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*/g, ".*")
          .replace(/\?/g, ".")}$`,
      ).test(value),
    );
  });
}

export function ipFromInt(n: number): string {
  return intToIp(n);
}
