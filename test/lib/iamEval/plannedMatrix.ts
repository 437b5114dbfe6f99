/**
 * The IAM access matrix on a stack planned under the offline runtime (the real program): shared by
 * the dev and prod test files (the SDK's state is per module registry, so one stack per test file).
 */
import type { Plan, PlanResource } from "../../../lib/plan/types";
import { Cell, MatrixInput, accessMatrix, forbiddenCells, missingCells } from "../../../lib/iamEval/matrix";
import { AMAZON_SSM_MANAGED_INSTANCE_CORE, managedPolicyArn } from "../../../lib/iamEval/managedPolicies";
import { evaluateRequest } from "../../../lib/iamEval/evaluate";
import { PolicyPackConfigFile, runPolicies } from "../../../policy/runner";
import { IAM_T, boundaryInput } from "../../../policy/rules/nodeRoleBoundaries";
import { graphOfPlan } from "../../helpers/policyFixtures";
import { ofType, planStack, tagsOf, withRole } from "../../helpers/plannedStack";

const NODE_ROLES = ["etcd", "controlplane", "worker"];
const POLICY = "node-role-boundaries";
/** IAM's limit on the inline policies of one role together, white space not counted. */
const INLINE_AGGREGATE_LIMIT = 10_240;

const describeCell = (c: Cell) => `${c.role.name} ${c.action} ${c.what}${c.via ? ` ${c.via}` : ""} (${c.grantedBy.join(", ")})`;

/** Parameters a role can read: fetch with GetParameter and decrypt through SSM. */
function readable(cells: Cell[], role: string): string[] {
  const allowed = (action: string, via?: string) =>
    new Set(
      cells
        .filter((c) => c.role.name === role && c.subject === "parameter" && c.action === action && c.decision === "Allowed")
        .filter((c) => via === undefined || c.via === via)
        .map((c) => c.what),
    );
  const fetch = allowed("ssm:GetParameter");
  const decrypt = allowed("kms:Decrypt", "through SSM");
  return [...fetch]
    .filter((w) => decrypt.has(w))
    .map((w) => w.replace(/^SSM parameter /, ""))
    .sort();
}

/** A copy of the plan with `policyArn` attached to `role` the way nodeIdentity used to attach it. */
export function withAttachment(plan: Plan, role: PlanResource, policyArn: string): Plan {
  const copy: Plan = structuredClone(plan);
  const name = `${role.name}-reattached`;
  const inputs = { role: role.outputs.name, policyArn };
  copy.resources.push({
    // urn:pulumi:<stack>::<project>::<parent type>$<type>::<name>, beside the role under its parent.
    urn: `${role.urn.slice(0, role.urn.lastIndexOf("$"))}$${IAM_T.rolePolicyAttachment}::${name}`,
    type: IAM_T.rolePolicyAttachment,
    name,
    custom: true,
    id: `${name}-id`,
    parent: role.parent,
    provider: role.provider,
    dependencies: [role.urn],
    propertyDependencies: { role: [role.urn] },
    inputs,
    outputs: { ...inputs, id: `${name}-id` },
    options: { ...role.options },
    secretPaths: [],
  });
  return copy;
}

export function describePlannedMatrix(stack: string, config: PolicyPackConfigFile, level: "advisory" | "mandatory"): void {
  describe(`the IAM access matrix of the planned ${stack} stack`, () => {
    let plan: Plan;
    let input: MatrixInput;
    let cells: Cell[];
    let cluster: string;
    beforeAll(async () => {
      plan = await planStack(stack);
      const { graph } = graphOfPlan(plan);
      const b = boundaryInput(graph);
      expect(b.findings).toEqual([]);
      input = b.input!;
      cells = accessMatrix(input);
      cluster = tagsOf(withRole(plan, IAM_T.role, "worker")[0])["kubestead.io/cluster"];
    }, 120_000);

    test("the matrix is not vacuous: every node role, every secret parameter, every etcd volume, the backup bucket", () => {
      expect(
        input.roles
          .map((r) => r.nodeRole)
          .filter(Boolean)
          .sort(),
      ).toEqual([...NODE_ROLES].sort());
      // Every role of the plan is in the matrix (node roles with their own and the baseline policy,
      // add-on pod roles with theirs): a role left out would be a role nobody checked.
      expect(input.roles.map((r) => r.name).sort()).toEqual(
        ofType(plan, IAM_T.role)
          .map((r) => String(r.outputs.name))
          .sort(),
      );
      for (const r of input.roles.filter((x) => x.nodeRole)) {
        expect(r.policies.map((p) => p.name)).toEqual(
          expect.arrayContaining([expect.stringMatching(/-node-policy$/), expect.stringMatching(/-node-baseline$/)]),
        );
      }
      const secure = ofType(plan, IAM_T.parameter).filter((p) => p.outputs.type === "SecureString");
      expect(input.parameters.map((p) => p.name).sort()).toEqual(secure.map((p) => String(p.outputs.name)).sort());
      expect(input.parameters.every((p) => p.keyArn !== undefined)).toBe(true);
      expect(input.etcdVolumes.length).toBe(withRole(plan, "aws:ebs/volume:Volume", "etcd").length);
      expect(input.etcdVolumes.length).toBeGreaterThanOrEqual(3);
      expect(input.backupBucket).toMatchObject({ ownerPrefix: `${cluster}/`, keyArn: expect.stringMatching(/^arn:aws:kms:/) });
    });

    test("each node role reads its own path and nothing else; no other role reads any secret", () => {
      for (const r of input.roles) {
        const own = input.parameters
          .map((p) => p.name)
          .filter((n) => r.nodeRole !== undefined && n.startsWith(`/kubestead/${cluster}/${r.nodeRole}/`))
          .sort();
        if (r.nodeRole !== undefined) expect(own.length).toBeGreaterThan(0);
        expect({ role: r.name, reads: readable(cells, r.name) }).toEqual({ role: r.name, reads: own });
      }
    });

    test("no role fetches another role's parameter by any read action, or decrypts one with a direct KMS call", () => {
      expect(
        forbiddenCells(cells)
          .filter((c) => c.subject === "parameter")
          .map(describeCell),
      ).toEqual([]);
    });

    test("nothing but etcd's node role can attach, detach, delete, resize, snapshot or retag an etcd volume", () => {
      const allowed = cells.filter((c) => c.subject === "etcd-volume" && c.decision === "Allowed");
      expect([...new Set(allowed.map((c) => c.role.nodeRole))]).toEqual(["etcd"]);
      expect(
        forbiddenCells(cells)
          .filter((c) => c.subject === "etcd-volume")
          .map(describeCell),
      ).toEqual([]);
      // etcd's own role only attaches (its boot re-attaches the member's volume); it destroys nothing either.
      expect([...new Set(allowed.map((c) => c.action))]).toEqual(["ec2:AttachVolume"]);
    });

    test("no role overwrites outside the cluster's prefix, deletes a backup or loosens the bucket; only etcd reads or writes snapshots", () => {
      expect(
        forbiddenCells(cells)
          .filter((c) => c.subject === "backup")
          .map(describeCell),
      ).toEqual([]);
      const allowed = cells.filter((c) => c.subject === "backup" && c.decision === "Allowed");
      expect([...new Set(allowed.map((c) => c.role.nodeRole))]).toEqual(["etcd"]);
      expect([...new Set(allowed.map((c) => c.action))].sort()).toEqual(["kms:Decrypt", "s3:GetObject", "s3:PutObject"]);
    });

    test("without kubestead:sessionManager no node role may register with Systems Manager or carry a session", () => {
      const sessionCalls = [
        "ssm:UpdateInstanceInformation",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:OpenDataChannel",
        "ec2messages:GetMessages",
      ];
      const granted = input.roles
        .filter((r) => r.nodeRole)
        .flatMap((r) =>
          sessionCalls
            .filter(
              (action) =>
                evaluateRequest({ principal: r.arn, action, resource: "*", resourceAccount: r.arn.split(":")[4], context: {} }, r.policies)
                  .decision !== "ImplicitlyDenied",
            )
            .map((action) => `${r.name} ${action}`),
        );
      expect(granted).toEqual([]);
    });

    test("every node role can read what its nodes need at boot", () => {
      expect(missingCells(cells).map(describeCell)).toEqual([]);
    });

    test(`the ${POLICY} policy runs on the graph and finds nothing`, () => {
      const r = runPolicies(plan, config, { preview: false });
      expect(r.violations.filter((v) => v.policy === POLICY)).toEqual([]);
      expect(r.evaluated[POLICY]).toBe(1);
      expect(r.levels[POLICY]).toBe(level);
    });

    test("AmazonSSMManagedInstanceCore attached to the worker role again fails the policy, naming the control plane's CA key", () => {
      const [worker] = withRole(plan, IAM_T.role, "worker");
      const broken = withAttachment(plan, worker, managedPolicyArn("aws", AMAZON_SSM_MANAGED_INSTANCE_CORE));
      const r = runPolicies(broken, config, { preview: false });
      const found = r.violations.filter((v) => v.policy === POLICY);
      expect(found.every((v) => v.enforcementLevel === level && v.urn === worker.urn)).toBe(true);
      expect(found.map((v) => v.message)).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^IAM role ${worker.outputs.name} \\(worker nodes\\) is allowed ssm:GetParameter, .* on SSM parameter /kubestead/${cluster}/controlplane/ca\\.key, granted by arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore \\(v2, 2019-05-23\\)`,
          ),
        ),
      );
    });

    test("the apiserver's encryption-at-rest key: only the control plane, only with the KMS plugin's context", () => {
      expect(input.encryptionKeys).toEqual([{ arn: expect.stringMatching(/^arn:aws:kms:/), cluster }]);
      const onKey = cells.filter((c) => c.subject === "encryption-key");
      // Every role is asked about every action, with and without the context.
      expect(onKey.length).toBe(input.roles.length * 6);
      const allowed = onKey.filter((c) => c.decision === "Allowed");
      expect(allowed.map((c) => `${c.role.nodeRole} ${c.action} ${c.via}`).sort()).toEqual([
        "controlplane kms:Decrypt with the KMS plugin's encryption context",
        "controlplane kms:Encrypt with the KMS plugin's encryption context",
      ]);
      expect(forbiddenCells(onKey).map(describeCell)).toEqual([]);
    });

    test("a worker role granted kms:Decrypt on that key in its own policy still cannot use it; the policy reports the grant once the key policy trusts IAM", () => {
      const [worker] = withRole(plan, IAM_T.role, "worker");
      const key = ofType(plan, IAM_T.key).find((k) => tagsOf(k)["kubestead.io/purpose"] === "encryption-at-rest")!;
      const copy: Plan = structuredClone(plan);
      const policy = copy.resources.find((r) => r.type === IAM_T.rolePolicy && r.inputs.role === worker.outputs.name)!;
      const doc = JSON.parse(String(policy.outputs.policy));
      doc.Statement.push({ Sid: "Greedy", Effect: "Allow", Action: ["kms:Decrypt"], Resource: key.outputs.arn });
      policy.outputs.policy = JSON.stringify(doc);
      expect(runPolicies(copy, config, { preview: false }).violations.filter((v) => v.policy === POLICY)).toEqual([]);
      // Control: the same grant under a key policy that hands use of the key to IAM (as the cluster key's does).
      const copyKey = copy.resources.find((r) => r.urn === key.urn)!;
      copyKey.outputs.policy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${String(key.outputs.arn).split(":")[4]}:root` },
            Action: "kms:*",
            Resource: "*",
          },
        ],
      });
      const found = runPolicies(copy, config, { preview: false }).violations.filter((v) => v.policy === POLICY);
      expect(found.map((v) => v.message).sort()).toEqual(
        ["with", "without"].map((w) =>
          expect.stringMatching(
            new RegExp(
              `^IAM role ${worker.outputs.name} \\(worker nodes\\) is allowed kms:Decrypt on encryption-at-rest key .* ${w} the KMS plugin's encryption context`,
            ),
          ),
        ),
      );
    });

    test("every role's inline policies fit IAM's 10,240-character aggregate", () => {
      for (const role of ofType(plan, IAM_T.role)) {
        const size = ofType(plan, IAM_T.rolePolicy)
          .filter((p) => p.inputs.role === role.outputs.name)
          .reduce((n, p) => n + String(p.inputs.policy).replace(/\s/g, "").length, 0);
        expect({ role: role.name, size: Math.min(size, INLINE_AGGREGATE_LIMIT) }).toEqual({ role: role.name, size });
      }
    });
  });
}
