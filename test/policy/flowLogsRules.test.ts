/** clusterVpcs and flowLogProblems on small hand-built graphs. */
import { clusterVpcs, flowLogProblems } from "../../policy/rules/flowLogs";
import { GraphResource, NETWORK_COMPONENT, T, makeGraph } from "../../policy/rules/graph";
import { UNKNOWN } from "../helpers/fixtureValues";
import { graphResource } from "../helpers/graphResource";

const res = (type: string, name: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}) =>
  graphResource(`urn:${name}`, type, props, deps, name);

const vpc = res(T.vpc, "main", { id: "vpc-1" });
const otherVpc = res(T.vpc, "other", { id: "vpc-2" });
const sgIn = (vpcId: unknown, deps: Record<string, string[]> = {}) => res(T.securityGroup, "nodes", { vpcId }, deps);
const flowLog = (props: Record<string, unknown>, deps: Record<string, string[]> = {}) => res(T.flowLog, "flows", props, deps);
const logGroup = (props: Record<string, unknown>) => res(T.logGroup, "flow-logs", { arn: "arn:aws:logs:lg", ...props });

const noFlowLog = (what: string) =>
  `${what} has no flow log: no record of the traffic in and out of the cluster; add an ec2.FlowLog (kubestead: network.flowLogs.enabled).`;
const notEncrypted = "flow log flows writes to log group flow-logs, which is not encrypted with a KMS key; set kmsKeyId.";
const keptForever = "log group flow-logs of flow log flows keeps records forever; set retentionInDays.";

describe("clusterVpcs", () => {
  test.each<[string, GraphResource[], string[]]>([
    ["a created VPC, with a security group in it by ID", [vpc, sgIn("vpc-1")], ["urn:main"]],
    ["a security group in a VPC the stack does not create", [sgIn("vpc-9")], ["vpc-9"]],
    ["two security groups in the same adopted VPC", [sgIn("vpc-9"), res(T.securityGroup, "lb", { vpcId: "vpc-9" })], ["vpc-9"]],
    ["a security group whose vpcId is unknown", [sgIn(UNKNOWN)], []],
    ["a security group without vpcId", [res(T.securityGroup, "nodes", {})], []],
    [
      "a security group whose vpcId comes from a created VPC whose id is not in the graph",
      [res(T.vpc, "main", {}), sgIn("vpc-1", { vpcId: ["urn:main"] })],
      ["urn:main"],
    ],
    [
      "a security group whose vpcId comes from the network component (adopted VPC)",
      [res(NETWORK_COMPONENT, "network", {}), sgIn("vpc-9", { vpcId: ["urn:network"] })],
      ["vpc-9"],
    ],
    ["a subnet in a VPC the stack does not create (only security groups count)", [res(T.subnet, "a", { vpcId: "vpc-9" })], []],
  ])("%s", (_what, resources, want) => {
    expect(clusterVpcs(makeGraph(resources)).map((v) => (typeof v === "string" ? v : v.urn))).toStrictEqual(want);
  });
});

describe("flowLogProblems: every VPC has a flow log", () => {
  test.each<[string, GraphResource[], { urn?: string; message: string }[]]>([
    ["a created VPC without flow log", [vpc], [{ urn: "urn:main", message: noFlowLog("VPC main") }]],
    ["a created VPC with its flow log", [vpc, flowLog({ vpcId: "vpc-1" })], []],
    [
      "two VPCs, a flow log on one only",
      [vpc, otherVpc, flowLog({ vpcId: "vpc-1" })],
      [{ urn: "urn:other", message: noFlowLog("VPC other") }],
    ],
    [
      "two VPCs, a flow log whose vpcId is unknown in preview but comes from one",
      [vpc, otherVpc, flowLog({ vpcId: UNKNOWN }, { vpcId: ["urn:main"] })],
      [{ urn: "urn:other", message: noFlowLog("VPC other") }],
    ],
    ["a flow log whose vpcId is unknown and has no dependency: decided on update", [vpc, flowLog({ vpcId: UNKNOWN })], []],
    ["an adopted VPC without flow log", [sgIn("vpc-9")], [{ message: noFlowLog("adopted VPC vpc-9") }]],
    ["an adopted VPC with its flow log", [sgIn("vpc-9"), flowLog({ vpcId: "vpc-9" })], []],
    [
      "an adopted VPC, the flow log on another VPC",
      [sgIn("vpc-9"), flowLog({ vpcId: "vpc-8" })],
      [{ message: noFlowLog("adopted VPC vpc-9") }],
    ],
    ["an adopted VPC, a flow log whose vpcId is unknown: decided on update", [sgIn("vpc-9"), flowLog({ vpcId: UNKNOWN })], []],
  ])("%s", (_what, resources, want) => {
    expect(flowLogProblems(makeGraph(resources))).toStrictEqual(want);
  });
});

describe("flowLogProblems: a CloudWatch destination is encrypted and expires", () => {
  const cw = { vpcId: "vpc-1", logDestinationType: "cloud-watch-logs", logDestination: "arn:aws:logs:lg" };
  test.each<[string, Record<string, unknown>, Record<string, unknown>, string[], Record<string, string[]>?]>([
    ["KMS key and retention set", cw, { kmsKeyId: "arn:aws:kms:key", retentionInDays: 30 }, []],
    ["retention given as a string", cw, { kmsKeyId: "arn:aws:kms:key", retentionInDays: "1" }, []],
    ["no KMS key", cw, { retentionInDays: 30 }, [notEncrypted]],
    ["an empty KMS key", cw, { kmsKeyId: "", retentionInDays: 30 }, [notEncrypted]],
    ["retention 0", cw, { kmsKeyId: "arn:aws:kms:key", retentionInDays: 0 }, [keptForever]],
    ["no retention", cw, { kmsKeyId: "arn:aws:kms:key" }, [keptForever]],
    ["neither KMS key nor retention", cw, {}, [notEncrypted, keptForever]],
    ["KMS key and retention unknown in preview", cw, { kmsKeyId: UNKNOWN, retentionInDays: UNKNOWN }, []],
    [
      "the destination type left to its default (CloudWatch)",
      { vpcId: "vpc-1", logDestination: "arn:aws:logs:lg" },
      {},
      [notEncrypted, keptForever],
    ],
    ["an S3 destination (not a log group)", { ...cw, logDestinationType: "s3" }, {}, []],
    ["a destination that is no log group of the stack", { ...cw, logDestination: "arn:aws:logs:elsewhere" }, {}, []],
    [
      "a destination unknown in preview, from the log group",
      { ...cw, logDestination: UNKNOWN },
      {},
      [notEncrypted, keptForever],
      { logDestination: ["urn:flow-logs"] },
    ],
  ])("%s", (_what, flowProps, groupProps, messages, deps = {}) => {
    const g = makeGraph([vpc, flowLog(flowProps, deps), logGroup(groupProps)]);
    expect(flowLogProblems(g)).toStrictEqual(messages.map((message) => ({ urn: "urn:flows", message })));
  });
});
