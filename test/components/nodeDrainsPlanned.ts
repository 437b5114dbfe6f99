/**
 * Drains and safe rolls on a planned stack (the real program under the offline runtime): the
 * terminating hooks, the queue and its rules, the handler add-on and its pod role, the refresh
 * settings, the policies, the bring-up solver, and the change report on that graph. Shared by the
 * dev and prod test files (one stack per file: the SDK's state is per module registry).
 */
import { parseAllDocuments } from "yaml";
import { diffPlans, unacknowledged } from "../../lib/plan/diff";
import type { Plan, PlanResource } from "../../lib/plan/types";
import type { PolicyPackConfigFile } from "../../policy/runner";
import { runPolicies } from "../../policy/runner";
import { solvePlanBringup } from "../../tools/bringup";
import { ofType, planStack, tagsOf, withRole } from "../helpers/plannedStack";

const ASG = "aws:autoscaling/group:Group";
const HOOK = "aws:autoscaling/lifecycleHook:LifecycleHook";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";

type K8s = { kind: string; metadata: { name: string }; spec?: any };

export function describePlannedDrains(
  stack: string,
  config: PolicyPackConfigFile,
  o: { controlPlaneNodes: number; pools: string[] },
): void {
  describe(`drains and rolls on the planned ${stack} stack`, () => {
    let plan: Plan;
    let cluster: string;
    beforeAll(async () => {
      plan = await planStack(stack);
      cluster = tagsOf(withRole(plan, ASG, "controlplane")[0])["kubestead.io/cluster"];
    }, 120_000);

    const hooksOf = (asg: PlanResource) => ofType(plan, HOOK).filter((h) => h.inputs.autoscalingGroupName === asg.outputs.name);

    test("every Kubernetes node group has one terminating hook (CONTINUE after 300 s); etcd groups have none", () => {
      const groups = [...withRole(plan, ASG, "controlplane"), ...withRole(plan, ASG, "worker")];
      expect(groups.map((g) => g.outputs.name).sort()).toEqual(
        [`${cluster}-controlplane`, ...o.pools.map((p) => `${cluster}-${p}`)].sort(),
      );
      for (const g of groups) {
        expect(hooksOf(g).map((h) => h.inputs)).toEqual([
          {
            autoscalingGroupName: g.outputs.name,
            name: "kubestead-drain",
            lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
            defaultResult: "CONTINUE",
            heartbeatTimeout: 300,
          },
        ]);
        // The hook follows its group (it names the group's output), never the other way round.
        expect(hooksOf(g)[0].propertyDependencies.autoscalingGroupName).toEqual([g.urn]);
      }
      for (const e of withRole(plan, ASG, "etcd")) {
        expect(hooksOf(e)).toEqual([]);
        expect(e.inputs.instanceRefresh).toBeUndefined();
      }
    });

    test("the control plane refreshes one node at a time with a checkpoint after each; pools terminate before launching", () => {
      const [cp] = withRole(plan, ASG, "controlplane");
      const prefs = (cp.inputs.instanceRefresh as any).preferences;
      expect(prefs).toMatchObject({ minHealthyPercentage: 66, maxHealthyPercentage: 100, skipMatching: true, checkpointDelay: "300" });
      expect(prefs.checkpointPercentages).toEqual(o.controlPlaneNodes === 3 ? [33, 66, 100] : [100]);
      expect(cp.inputs.healthCheckType).toBe("ELB");
      for (const w of withRole(plan, ASG, "worker"))
        expect((w.inputs.instanceRefresh as any).preferences).toMatchObject({ maxHealthyPercentage: 100 });
    });

    test("one encrypted queue, fed by five rules; only EventBridge from those rules and SQS of this account may send", () => {
      const [queue] = ofType(plan, "aws:sqs/queue:Queue");
      expect(ofType(plan, "aws:sqs/queue:Queue")).toHaveLength(1);
      expect(queue.inputs).toMatchObject({ name: `${cluster}-node-termination`, sqsManagedSseEnabled: true, messageRetentionSeconds: 300 });
      const rules = ofType(plan, "aws:cloudwatch/eventRule:EventRule");
      expect(rules.map((r) => r.inputs.name).sort()).toEqual(
        ["lifecycle", "rebalance", "scheduled-change", "spot-interruption", "state-change"].map((id) => `${cluster}-drain-${id}`),
      );
      const lifecycle = JSON.parse(String(rules.find((r) => r.inputs.name === `${cluster}-drain-lifecycle`)!.inputs.eventPattern));
      expect(lifecycle.detail.AutoScalingGroupName).toEqual([`${cluster}-controlplane`, ...o.pools.map((p) => `${cluster}-${p}`)].sort());
      const targets = ofType(plan, "aws:cloudwatch/eventTarget:EventTarget");
      expect(targets).toHaveLength(5);
      for (const t of targets) expect(t.inputs.arn).toBe(queue.outputs.arn);
      const [policy] = ofType(plan, "aws:sqs/queuePolicy:QueuePolicy");
      const doc = JSON.parse(String(policy.inputs.policy));
      expect(policy.inputs.queueUrl).toBe(queue.outputs.url);
      const events = doc.Statement.find((s: any) => s.Principal?.Service === "events.amazonaws.com");
      expect(events.Resource).toBe(queue.outputs.arn);
      expect(events.Condition.ArnEquals["aws:SourceArn"]).toEqual(rules.map((r) => r.outputs.arn).sort());
      const sqs = doc.Statement.find((s: any) => s.Principal?.Service === "sqs.amazonaws.com");
      expect(sqs.Condition.StringEquals["aws:SourceAccount"]).toMatch(/^\d{12}$/);
    });

    test("the handler add-on reads that queue with its own pod role, scoped to the queue and this cluster's node groups", () => {
      const [queue] = ofType(plan, "aws:sqs/queue:Queue");
      const stored = ofType(plan, "aws:s3/bucketObjectv2:BucketObjectv2").find(
        (r) => (r.inputs.metadata as Record<string, string> | undefined)?.addon === "node-termination",
      )!;
      const objects = parseAllDocuments(String(stored.inputs.content)).map((d) => d.toJS() as K8s);
      expect(objects.map((x) => `${x.kind}/${x.metadata.name}`)).toEqual([
        "ServiceAccount/aws-node-termination-handler",
        "ClusterRole/aws-node-termination-handler",
        "ClusterRoleBinding/aws-node-termination-handler",
        "Deployment/aws-node-termination-handler",
      ]);
      const container = objects.find((x) => x.kind === "Deployment")!.spec.template.spec.containers[0];
      expect(container.image).toBe("public.ecr.aws/aws-ec2/aws-node-termination-handler:v1.25.3");
      const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
      expect(env.QUEUE_URL).toBe(queue.outputs.url);
      expect(env.MANAGED_TAG).toBe(`kubernetes.io/cluster/${cluster}`);
      const role = ofType(plan, "aws:iam/role:Role").find((r) => tagsOf(r)["kubestead.io/addon"] === "node-termination")!;
      expect(env.AWS_ROLE_ARN).toBe(role.outputs.arn);
      const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
      expect(JSON.stringify(trust)).toContain("system:serviceaccount:kube-system:aws-node-termination-handler");
      const rp = ofType(plan, "aws:iam/rolePolicy:RolePolicy").find((p) => p.inputs.role === role.outputs.name)!;
      const statements = JSON.parse(String(rp.inputs.policy)).Statement;
      expect(statements.find((s: any) => s.Sid === "ReadOwnQueue").Resource).toBe(queue.outputs.arn);
      // Mutating actions are never on "*": only the three Describe actions (no resource-level support).
      for (const s of statements.filter((x: any) => x.Resource === "*"))
        for (const a of s.Action) expect(a).toMatch(/^(autoscaling|ec2):Describe/);
      const complete = statements.find((s: any) => s.Action.includes("autoscaling:CompleteLifecycleAction"));
      expect(complete.Resource).toMatch(new RegExp(`:autoScalingGroupName/${cluster}-\\*$`));
      expect(complete.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: "owned" } });
      // The groups it may complete carry that tag; etcd's do not.
      for (const g of [...withRole(plan, ASG, "controlplane"), ...withRole(plan, ASG, "worker")])
        expect(tagsOf(g)[`kubernetes.io/cluster/${cluster}`]).toBe("owned");
      for (const e of withRole(plan, ASG, "etcd")) expect(tagsOf(e)[`kubernetes.io/cluster/${cluster}`]).toBeUndefined();
    });

    test("the bring-up solver runs the handler on a control-plane node and converges", () => {
      const r = solvePlanBringup(plan);
      expect(r.stuck).toEqual([]);
      expect(r.converged).toBe(true);
      const step = r.order.find((s) => s.workload === "kube-system/Deployment/aws-node-termination-handler")!;
      expect(step.nodes.every((n) => n.startsWith(`${cluster}-controlplane`))).toBe(true);
    });

    test("node-drain-hooks and instance-refresh-safe look at the graph and find nothing", () => {
      const r = runPolicies(plan, config, { preview: false });
      for (const p of ["node-drain-hooks", "instance-refresh-safe"]) {
        expect(r.evaluated[p]).toBe(1);
        expect(r.violations.filter((v) => v.policy === p)).toEqual([]);
      }
    });

    test("the change report on this graph: a release that rolls the control plane and the pools together is flagged, in order", () => {
      const head: Plan = structuredClone(plan);
      for (const lt of [...withRole(head, LT, "controlplane"), ...withRole(head, LT, "worker")]) lt.inputs.imageId = "ami-0newer";
      const d = diffPlans(plan, head);
      expect(d.rolls.map((r) => r.role)).toEqual(["controlplane", ...o.pools.map(() => "worker")]);
      expect(d.rolls[0].because).toEqual(["launch template imageId"]);
      expect(unacknowledged(d, []).map((x) => x.id)).toEqual(["control-plane-and-workers-together"]);
    });
  });
}
