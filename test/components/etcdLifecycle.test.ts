/**
 * The planned prod stack's etcd lifecycle: the incarnation its founded marker and token live
 * under, the scripts every member fetches from SSM, the corruption checks, the etcd role's writes,
 * and the alarm that fires when backups stop.
 */
import { decodeUserData } from "../../bootstrap/cloudInit";
import { Plan, PlanResource } from "../../lib/plan/types";
import { byUrn, ofType, planStack, withRole } from "../helpers/plannedStack";

let plan: Plan;
beforeAll(async () => {
  plan = await planStack("prod");
}, 120_000);

type Doc = { Statement: { Sid: string; Action: string[]; Resource: string | string[]; Condition?: unknown }[] };
const files = (lt: PlanResource) => {
  const doc = decodeUserData(String(lt.inputs.userData));
  return { doc, has: (s: string) => doc.includes(s) };
};

test("one incarnation for the cluster, protected in prod: its founded marker and token are named by it", () => {
  const [id] = ofType(plan, "random:index/randomId:RandomId").filter((r) => r.name.endsWith("-etcd-incarnation"));
  expect(id.inputs.byteLength).toBe(6);
  expect(id.options.protect).toBe(true);
  const hex = String(id.outputs.hex);
  expect(hex).toMatch(/^[0-9a-f]{12}$/);
  const lts = withRole(plan, "aws:ec2/launchTemplate:LaunchTemplate", "etcd");
  expect(lts).toHaveLength(3);
  for (const lt of lts) {
    const f = files(lt);
    expect(f.has(`readonly ETCD_FOUNDED_PARAM="/kubestead/kubestead-prod/etcd/state/${hex}/founded"`)).toBe(true);
    expect(f.has(`readonly ETCD_TOKEN_PARAM="/kubestead/kubestead-prod/etcd/state/${hex}/cluster-token"`)).toBe(true);
    // etcd 3.6 (the default release): corruption checks by feature gate.
    expect(f.has("ETCD_FEATURE_GATES=InitialCorruptCheck=true,CompactHashCheck=true")).toBe(true);
  }
  const restore = ofType(plan, "aws:ssm/parameter:Parameter").find(
    (p) => p.inputs.name === "/kubestead/kubestead-prod/etcd/files/etcd-restore.sh",
  )!;
  expect(String(restore.inputs.value)).toContain(`readonly TOKEN_PARAM="/kubestead/kubestead-prod/etcd/state/${hex}/cluster-token"`);
});

test("the shared scripts: one advanced String parameter each, fetched by every member, which boots only after them", () => {
  const shared = ofType(plan, "aws:ssm/parameter:Parameter").filter((p) =>
    String(p.inputs.name).startsWith("/kubestead/kubestead-prod/etcd/files/"),
  );
  expect(shared.map((p) => [p.inputs.name, p.inputs.type, p.inputs.tier])).toEqual(
    ["etcd-backup.sh", "etcd-restore.sh", "etcd-lifecycle.sh", "cert-refresh.sh"].map((f) => [
      `/kubestead/kubestead-prod/etcd/files/${f}`,
      "String",
      "Advanced",
    ]),
  );
  for (const asg of withRole(plan, "aws:autoscaling/group:Group", "etcd")) {
    for (const p of shared) expect(asg.dependencies).toContain(p.urn);
  }
  for (const lt of withRole(plan, "aws:ec2/launchTemplate:LaunchTemplate", "etcd")) {
    const f = files(lt);
    for (const p of shared) expect(f.has(`${String(p.inputs.name)}\t/opt/kubestead/bin/`)).toBe(true);
    expect(f.has("/etc/systemd/system/etcd-settle.service")).toBe(true);
    expect(f.has("/etc/systemd/system/etcd-defrag.timer")).toBe(true);
    // User data keeps room under EC2's 16 KiB for what comes next.
    expect(Buffer.from(String(lt.inputs.userData), "base64").length).toBeLessThanOrEqual(13 * 1024);
  }
});

test("the etcd role writes its cluster state and backup metrics, nothing more; the other roles are denied both", () => {
  const policies = ofType(plan, "aws:iam/rolePolicy:RolePolicy").map((p) => ({ p, doc: JSON.parse(String(p.inputs.policy)) as Doc }));
  const etcd = policies.find(({ doc }) => doc.Statement.some((s) => s.Sid === "WriteClusterState"))!.doc;
  const sid = (s: string) => etcd.Statement.find((x) => x.Sid === s)!;
  expect(sid("WriteClusterState")).toEqual({
    Sid: "WriteClusterState",
    Effect: "Allow",
    Action: ["ssm:PutParameter"],
    Resource: [
      expect.stringMatching(/:parameter\/kubestead\/kubestead-prod\/etcd\/state\/\*\/founded$/),
      expect.stringMatching(/:parameter\/kubestead\/kubestead-prod\/etcd\/state\/\*\/cluster-token$/),
    ],
  });
  expect(sid("PublishBackupMetrics").Condition).toEqual({ StringEquals: { "cloudwatch:namespace": "Kubestead/etcd" } });
  const baselines = policies.filter(({ p }) => p.name.endsWith("-baseline"));
  expect(baselines.length).toBeGreaterThanOrEqual(3);
  for (const { doc } of baselines) {
    expect(doc.Statement.map((s) => s.Sid)).toEqual(expect.arrayContaining(["NeverDeleteEtcdState", "NeverOverwriteEtcdFoundedMarker"]));
  }
  expect(baselines.filter(({ doc }) => doc.Statement.some((s) => s.Sid === "NeverPublishEtcdBackupMetrics"))).toHaveLength(
    baselines.length - 1,
  );
});

test("the alarm fires after three hours without an upload, and when no data arrives at all", () => {
  const alarms = ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm");
  expect(alarms).toHaveLength(1);
  expect(alarms[0].inputs).toMatchObject({
    name: "kubestead-prod-etcd-backups-stopped",
    namespace: "Kubestead/etcd",
    metricName: "BackupsUploaded",
    dimensions: { Cluster: "kubestead-prod" },
    statistic: "Sum",
    period: 3600,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    threshold: 1,
    comparisonOperator: "LessThanThreshold",
    treatMissingData: "breaching",
  });
  expect(byUrn(plan, alarms[0].parent!).type).toBe("kubestead:components:EtcdCluster");
  expect(plan.outputs.etcdBackups).toEqual({
    uri: `s3://${String(plan.outputs.backupBucket)}/kubestead-prod/`,
    alarmName: "kubestead-prod-etcd-backups-stopped",
    alarmAfterMinutes: 180,
  });
});
