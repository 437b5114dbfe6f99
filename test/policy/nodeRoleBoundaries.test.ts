/** The node-role-boundaries policy on the fixture cluster: one violating change per test. */
import { ebsCsiPolicy } from "../../bootstrap/addons/ebsCsi";
import { doc, workerPolicy } from "../../lib/iam";
import type { Plan } from "../../lib/plan/types";
import devConfig from "../../policy/dev.json";
import prodConfig from "../../policy/prod.json";
import { PolicyPackConfigFile, runPolicies } from "../../policy/runner";
import { IAM_T } from "../../policy/rules/nodeRoleBoundaries";
import {
  BACKUP_BUCKET_ARN,
  CLUSTER_NAME,
  KEY_ARN,
  NOW,
  OIDC_HOST,
  UNKNOWN,
  addResource,
  happyPlan,
  identityNames,
  podRoleTrust,
  setProp,
} from "../helpers/policyFixtures";

const POLICY = "node-role-boundaries";
const run = (plan: Plan, config: PolicyPackConfigFile = prodConfig as PolicyPackConfigFile, preview = false) =>
  runPolicies(plan, config, { now: NOW, preview });
const found = (plan: Plan, config?: PolicyPackConfigFile, preview?: boolean) =>
  run(plan, config, preview).violations.filter((v) => v.policy === POLICY);
const messages = (plan: Plan, preview?: boolean) => found(plan, undefined, preview).map((v) => v.message);

const attach = (plan: Plan, role: string, policyArn: string, name = `${role}-extra`) =>
  addResource(plan, { type: IAM_T.rolePolicyAttachment, name, inputs: { role, policyArn } });

/** A role pods assume through the cluster's OIDC provider, with one inline policy. */
const podRole = (plan: Plan, name: string, policy: unknown) => {
  addResource(plan, {
    type: IAM_T.role,
    name,
    inputs: {
      name,
      assumeRolePolicy: podRoleTrust({ StringEquals: { [`${OIDC_HOST}:sub`]: `system:serviceaccount:kube-system:${name}` } }),
      tags: { "kubestead.io/cluster": CLUSTER_NAME, "kubestead.io/role": "pod-identity" },
    },
    computed: { id: name, arn: `arn:aws:iam::111122223333:role/${name}` },
  });
  return addResource(plan, { type: IAM_T.rolePolicy, name: `${name}-policy`, inputs: { role: name, policy: JSON.stringify(policy) } });
};

const worker = identityNames("worker");
const CA_KEY = `/kubestead/${CLUSTER_NAME}/controlplane/ca.key`;

test("the fixture cluster passes, and the policy ran", () => {
  const r = run(happyPlan());
  expect(r.violations.filter((v) => v.policy === POLICY)).toEqual([]);
  expect(r.evaluated[POLICY]).toBe(1);
});

test("AmazonSSMManagedInstanceCore on the worker role: it may fetch every other role's parameter (mandatory in prod)", () => {
  const plan = attach(happyPlan(), worker.role, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", "kc-worker-ssm-core");
  const v = found(plan);
  expect(v.every((x) => x.enforcementLevel === "mandatory" && x.name === worker.role)).toBe(true);
  expect(v.map((x) => x.message)).toContainEqual(
    `IAM role ${worker.role} (worker nodes) is allowed ssm:GetParameter, ssm:GetParameters on SSM parameter ${CA_KEY}, granted by arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore (v2, 2019-05-23): only the controlplane node role of cluster ${CLUSTER_NAME} may read it: scope ssm:GetParameter* and kms:Decrypt (kms:ViaService and kms:EncryptionContext:PARAMETER_ARN) to the role's own path /kubestead/<cluster>/<role>/ (lib/iam.ts readOwnSecrets).`,
  );
  // Its own parameter is no finding; every other role's is.
  expect(v.some((x) => x.message.includes(`/kubestead/${CLUSTER_NAME}/worker/`))).toBe(false);
  const others = plan.resources.filter(
    (r) => r.type === "aws:ssm/parameter:Parameter" && !String(r.outputs.name).startsWith(`/kubestead/${CLUSTER_NAME}/worker/`),
  );
  expect(v).toHaveLength(others.length);
});

test("the same attachment in dev is advisory", () => {
  const plan = attach(happyPlan(), worker.role, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
  const v = found(plan, devConfig as PolicyPackConfigFile);
  expect(v.length).toBeGreaterThan(0);
  expect(v.every((x) => x.enforcementLevel === "advisory")).toBe(true);
});

test("a managed policy whose document is not written down cannot be evaluated", () => {
  const plan = attach(happyPlan(), worker.role, "arn:aws:iam::aws:policy/AdministratorAccess");
  expect(messages(plan)).toEqual([
    `role policy attachment kc-worker-role-extra attaches arn:aws:iam::aws:policy/AdministratorAccess to IAM role ${worker.role}, a managed policy whose document is not written down in lib/iamEval/managedPolicies.ts: its permissions cannot be evaluated. Add its current version there or grant what the role needs inline.`,
  ]);
});

test("a customer managed policy from outside the stack cannot be evaluated", () => {
  const plan = attach(happyPlan(), worker.role, "arn:aws:iam::111122223333:policy/shared");
  expect(messages(plan)).toEqual([
    expect.stringMatching(
      /attaches arn:aws:iam::111122223333:policy\/shared to IAM role kc-worker-role, a policy that is not in this stack/,
    ),
  ]);
});

test("a customer managed policy in the stack is evaluated: a decrypt without the encryption context reads every secret", () => {
  const arn = "arn:aws:iam::111122223333:policy/kc-debug";
  const plan = addResource(happyPlan(), {
    type: IAM_T.policy,
    name: "kc-debug",
    inputs: {
      policy: JSON.stringify(
        doc({
          Sid: "Debug",
          Effect: "Allow",
          Action: ["ssm:GetParameter", "kms:Decrypt"],
          Resource: ["arn:aws:ssm:*:*:parameter/*", KEY_ARN],
        }),
      ),
    },
    computed: { arn, id: arn },
  });
  attach(plan, worker.role, arn);
  const m = messages(plan);
  expect(m).toContainEqual(
    expect.stringMatching(new RegExp(`allowed ssm:GetParameter on SSM parameter ${CA_KEY}, granted by policy ${arn}`)),
  );
  expect(m).toContainEqual(
    expect.stringMatching(new RegExp(`allowed kms:Decrypt on SSM parameter ${CA_KEY} through SSM, granted by policy ${arn}`)),
  );
  expect(m).toContainEqual(
    expect.stringMatching(
      new RegExp(`allowed kms:Decrypt on SSM parameter ${CA_KEY} with a direct KMS call on its ciphertext, granted by policy ${arn}`),
    ),
  );
});

test("a role whose decrypt names another role's path: it reads the other's secrets and cannot read its own", () => {
  const scope = { partition: "aws", region: "us-east-1", accountId: "111122223333", cluster: CLUSTER_NAME, kmsKeyArn: KEY_ARN };
  const wrong = workerPolicy(scope);
  const decrypt = wrong.Statement.find((s) => s.Sid === "DecryptWithClusterKey")!;
  decrypt.Condition = {
    ...decrypt.Condition,
    StringLike: {
      "kms:EncryptionContext:PARAMETER_ARN": `arn:aws:ssm:us-east-1:111122223333:parameter/kubestead/${CLUSTER_NAME}/controlplane/*`,
    },
  };
  const plan = setProp(happyPlan(), worker.policy, "policy", JSON.stringify(wrong));
  const m = messages(plan);
  expect(m).toContainEqual(
    `IAM role ${worker.role} (worker nodes) cannot kms:Decrypt its own SSM parameter /kubestead/${CLUSTER_NAME}/worker/bootstrap-kubelet.conf through SSM (ImplicitlyDenied): its nodes fail at boot. Grant it with lib/iam.ts readOwnSecrets.`,
  );
  expect(m).toContainEqual(
    expect.stringMatching(
      new RegExp(`is allowed kms:Decrypt on SSM parameter ${CA_KEY} through SSM, granted by role policy ${worker.policy}`),
    ),
  );
});

test("a pod role with upstream's unscoped EBS CSI statements may destroy etcd's volumes; the cluster's ebsCsiPolicy may not", () => {
  const unscoped = doc({
    Sid: "Volumes",
    Effect: "Allow",
    Action: ["ec2:AttachVolume", "ec2:DetachVolume", "ec2:DeleteVolume", "ec2:ModifyVolume", "ec2:CreateSnapshot"],
    Resource: "*",
  });
  const m = messages(podRole(happyPlan(), "kc-ebs-csi", unscoped));
  expect(m).toHaveLength(3);
  expect(m[0]).toMatch(
    /^IAM role kc-ebs-csi is allowed ec2:AttachVolume, ec2:DetachVolume, ec2:DeleteVolume, ec2:ModifyVolume, ec2:CreateSnapshot on etcd data volume arn:aws:ec2:us-east-1:111122223333:volume\/vol-0 \(member 0\), granted by role policy kc-ebs-csi-policy: only etcd's node role may touch etcd's data/,
  );
  expect(messages(podRole(happyPlan(), "kc-ebs-csi", ebsCsiPolicy(CLUSTER_NAME)))).toEqual([]);
});

test("a role that may delete backup versions or turn versioning off", () => {
  const plan = podRole(
    happyPlan(),
    "kc-backup-admin",
    doc({ Sid: "All", Effect: "Allow", Action: ["s3:*"], Resource: [BACKUP_BUCKET_ARN, `${BACKUP_BUCKET_ARN}/*`] }),
  );
  const m = messages(plan);
  expect(m).toContainEqual(
    expect.stringMatching(
      /^IAM role kc-backup-admin is allowed s3:GetObject, s3:DeleteObject, s3:DeleteObjectVersion, s3:PutObjectRetention, s3:BypassGovernanceRetention on backup object arn:aws:s3:::kc-etcd-backups\/kc\//,
    ),
  );
  expect(m).toContainEqual(
    expect.stringMatching(/s3:PutBucketVersioning, s3:PutLifecycleConfiguration, .* on backup bucket arn:aws:s3:::kc-etcd-backups/),
  );
  expect(m).toContainEqual(expect.stringMatching(/s3:PutObject on backup object .*\(an overwrite of an existing snapshot\)/));
});

test("etcd's own role may not delete its backups either: the baseline denies it whatever its policy grants", () => {
  const etcd = identityNames("etcd");
  const plan = setProp(
    happyPlan(),
    etcd.policy,
    "policy",
    JSON.stringify(doc({ Sid: "All", Effect: "Allow", Action: ["s3:*"], Resource: "*" })),
  );
  expect(messages(plan).filter((m) => m.includes("s3:Delete"))).toEqual([]);
  setProp(
    plan,
    etcd.baseline,
    "policy",
    JSON.stringify(doc({ Sid: "Nothing", Effect: "Allow", Action: ["sts:GetCallerIdentity"], Resource: "*" })),
  );
  expect(messages(plan)).toContainEqual(
    expect.stringMatching(/^IAM role kc-etcd-role \(etcd nodes\) is allowed s3:PutObject on backup object .*elsewhere/),
  );
  expect(messages(plan)).toContainEqual(
    expect.stringMatching(/^IAM role kc-etcd-role \(etcd nodes\) is allowed s3:DeleteObject, s3:DeleteObjectVersion/),
  );
});

test("a policy document IAM would refuse is reported", () => {
  const plan = setProp(happyPlan(), worker.baseline, "policy", "{}");
  expect(messages(plan)).toEqual([
    expect.stringMatching(/^role policy kc-worker-baseline on IAM role kc-worker-role is not a valid IAM policy/),
  ]);
});

test("values unknown in a preview are skipped: a role with an unknown policy, a parameter with an unknown ARN", () => {
  const plan = attach(happyPlan(), worker.role, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
  setProp(plan, worker.policy, "policy", UNKNOWN, ["outputs"]);
  expect(messages(plan, true)).toEqual([]);
  const p2 = attach(happyPlan(), worker.role, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
  setProp(p2, "kc-controlplane-ca-key", "arn", UNKNOWN, ["outputs"]);
  const m = messages(p2, true);
  expect(m.length).toBeGreaterThan(0);
  expect(m.some((x) => x.includes(CA_KEY))).toBe(false);
});
