/** The node-role-boundaries policy on the fixture cluster: one violating change per test. */
import { ebsCsiPolicy } from "../../bootstrap/addons/ebsCsi";
import { doc, encryptionAtRestKeyPolicy, encryptionAtRestPolicy, etcdPolicy, nodeBaselinePolicy, workerPolicy } from "../../lib/iam";
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
import { runOnly } from "../helpers/runOnly";

const POLICY = "node-role-boundaries";
const run = (plan: Plan, config: PolicyPackConfigFile = prodConfig as PolicyPackConfigFile, preview = false) =>
  runPolicies(plan, config, { now: NOW, preview });
const found = (plan: Plan, config: PolicyPackConfigFile = prodConfig as PolicyPackConfigFile, preview = false) =>
  runOnly(plan, [POLICY], config, { preview }).violations;
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
    // SecureStrings: the plain ones (certificates the refresh timer reads) are public.
    (r) =>
      r.type === "aws:ssm/parameter:Parameter" &&
      r.outputs.type === "SecureString" &&
      !String(r.outputs.name).startsWith(`/kubestead/${CLUSTER_NAME}/worker/`),
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

describe("the apiserver's encryption-at-rest key", () => {
  const AT_REST = "arn:aws:kms:us-east-1:111122223333:key/at-rest";
  const cp = identityNames("controlplane");
  const CP_ROLE_ARN = `arn:aws:iam::111122223333:role/${cp.role}`;
  /** The fixture cluster with the key, its policy and the control plane's grant, as components/controlPlane.ts makes them. */
  const withKey = (
    keyPolicy: unknown = encryptionAtRestKeyPolicy("aws", "111122223333", CP_ROLE_ARN, CLUSTER_NAME),
    grant: unknown = encryptionAtRestPolicy(AT_REST, CLUSTER_NAME),
  ) => {
    const plan = addResource(happyPlan(), {
      type: IAM_T.key,
      name: "kc-encryption-at-rest",
      inputs: {
        policy: JSON.stringify(keyPolicy),
        tags: { "kubestead.io/cluster": CLUSTER_NAME, "kubestead.io/role": "controlplane", "kubestead.io/purpose": "encryption-at-rest" },
      },
      computed: { arn: AT_REST, keyId: "at-rest", id: "at-rest" },
    });
    return addResource(plan, {
      type: IAM_T.rolePolicy,
      name: "kc-controlplane-encryption-at-rest",
      inputs: { role: cp.role, policy: JSON.stringify(grant) },
    });
  };
  const openKeyPolicy = doc({
    Sid: "Iam",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::111122223333:root" },
    Action: ["kms:*"],
    Resource: "*",
  });

  test("as the components make it: only the control plane uses it, nothing to report", () => {
    expect(messages(withKey())).toEqual([]);
  });

  test("a worker granted kms:* on it gets nothing from it: the key policy names the control plane alone", () => {
    const plan = withKey();
    setProp(
      plan,
      worker.policy,
      "policy",
      JSON.stringify(
        doc(
          ...workerPolicy({ partition: "aws", region: "us-east-1", accountId: "111122223333", cluster: CLUSTER_NAME, kmsKeyArn: KEY_ARN })
            .Statement,
          { Sid: "Greedy", Effect: "Allow", Action: ["kms:*"], Resource: AT_REST },
        ),
      ),
    );
    expect(messages(plan)).toEqual([]);
  });

  test("a key policy that hands the key to IAM: the worker's grant reads every Secret (mandatory in prod)", () => {
    const plan = withKey(openKeyPolicy);
    setProp(
      plan,
      worker.policy,
      "policy",
      JSON.stringify(doc({ Sid: "Greedy", Effect: "Allow", Action: ["kms:Decrypt"], Resource: AT_REST })),
    );
    const v = found(plan).filter((x) => x.message.includes("encryption-at-rest key"));
    expect(v.every((x) => x.enforcementLevel === "mandatory")).toBe(true);
    expect(v.map((x) => x.message)).toContainEqual(
      `IAM role ${worker.role} (worker nodes) is allowed kms:Decrypt on encryption-at-rest key ${AT_REST} of cluster ${CLUSTER_NAME} with the KMS plugin's encryption context, granted by role policy ${worker.policy}: only the controlplane node role of cluster ${CLUSTER_NAME} may use it, and only with the KMS plugin's encryption context: grant nothing else on it (lib/iam.ts encryptionAtRestKeyPolicy, encryptionAtRestPolicy).`,
    );
  });

  test("the control plane's grant without the encryption-context condition is reported: the key would serve any purpose", () => {
    const plan = withKey(openKeyPolicy, doc({ Sid: "Loose", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt"], Resource: AT_REST }));
    expect(messages(plan)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^IAM role ${cp.role} \\(controlplane nodes\\) is allowed kms:Encrypt, kms:Decrypt on encryption-at-rest key .* without the KMS plugin's encryption context`,
        ),
      ),
    ]);
  });

  test("a key policy that leaves the control plane out: its apiservers could not read Secrets", () => {
    const plan = withKey(
      doc({
        Sid: "Admin",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111122223333:root" },
        Action: ["kms:DescribeKey"],
        Resource: "*",
      }),
    );
    expect(messages(plan)).toEqual(
      ["kms:Encrypt", "kms:Decrypt"].map(
        (a) =>
          `IAM role ${cp.role} (controlplane nodes) cannot ${a} its own encryption-at-rest key ${AT_REST} of cluster ${CLUSTER_NAME} with the KMS plugin's encryption context (ImplicitlyDenied): its apiservers can neither read nor write Secrets. Grant it with lib/iam.ts encryptionAtRestPolicy and the key policy's ControlPlaneEncryptsSecrets statement (encryptionAtRestKeyPolicy).`,
      ),
    );
  });
});

describe("etcd's runtime state in SSM and its backup metrics", () => {
  const etcd = identityNames("etcd");
  const SCOPE = { partition: "aws", region: "us-east-1", accountId: "111122223333", cluster: CLUSTER_NAME, kmsKeyArn: KEY_ARN };
  const MARKER = `etcd's founded marker /kubestead/${CLUSTER_NAME}/etcd/state/<incarnation>/founded`;
  const TOKEN = `etcd's cluster token /kubestead/${CLUSTER_NAME}/etcd/state/<incarnation>/cluster-token`;
  const writer = doc({
    Sid: "Params",
    Effect: "Allow",
    Action: ["ssm:PutParameter", "ssm:DeleteParameter", "cloudwatch:PutMetricData"],
    Resource: ["arn:aws:ssm:*:*:parameter/kubestead/*", "*"],
  });

  test("the fixture cluster asks about them, and passes: only etcd creates its marker and writes its token", () => {
    expect(messages(happyPlan())).toEqual([]);
  });

  test("a role that may write and delete every parameter of the cluster could reopen founding, or silence the alarm", () => {
    const m = messages(podRole(happyPlan(), "kc-param-writer", writer));
    expect(m).toContainEqual(
      `IAM role kc-param-writer is allowed ssm:PutParameter, ssm:DeleteParameter on ${MARKER}, granted by role policy kc-param-writer-policy: only etcd's node role creates its founded marker and writes its cluster token, and no role overwrites the marker or deletes either, or a member with an empty volume could found a second cluster (lib/iam.ts etcdPolicy WriteClusterState, nodeBaselinePolicy).`,
    );
    expect(m).toContainEqual(
      expect.stringMatching(new RegExp(`is allowed ssm:PutParameter on ${MARKER.replace(/[<>/]/g, ".")} overwriting it`)),
    );
    expect(m).toContainEqual(
      expect.stringMatching(new RegExp(`is allowed ssm:PutParameter on ${TOKEN.replace(/[<>/]/g, ".")} overwriting it`)),
    );
    expect(m).toContainEqual(expect.stringMatching(new RegExp(`is allowed ssm:DeleteParameter on ${TOKEN.replace(/[<>/]/g, ".")},`)));
    expect(m).toContainEqual(
      expect.stringMatching(
        /^IAM role kc-param-writer is allowed cloudwatch:PutMetricData on CloudWatch metrics in namespace Kubestead\/etcd, .*only etcd's node role publishes to Kubestead\/etcd/,
      ),
    );
  });

  test("the same grant on the worker role is held by the worker's baseline denies", () => {
    expect(messages(setProp(happyPlan(), worker.policy, "policy", JSON.stringify(writer)))).toEqual(
      // Its own bootstrap kubeconfig it can no longer read (the grant replaced its policy); nothing of etcd's.
      [
        expect.stringMatching(/cannot ssm:GetParameter its own SSM parameter \/kubestead\/kc\/worker\//),
        expect.stringMatching(/cannot kms:Decrypt its own/),
      ],
    );
  });

  test("etcd's role without the baseline's overwrite deny could rewrite its founded marker, and delete its state", () => {
    const loose = setProp(
      happyPlan(),
      etcd.policy,
      "policy",
      JSON.stringify(
        doc(...etcdPolicy(SCOPE, BACKUP_BUCKET_ARN).Statement, {
          Sid: "Del",
          Effect: "Allow",
          Action: ["ssm:DeleteParameter"],
          Resource: "*",
        }),
      ),
    );
    expect(messages(loose)).toEqual([]);
    setProp(
      loose,
      etcd.baseline,
      "policy",
      JSON.stringify(doc(...nodeBaselinePolicy("aws", "etcd").Statement.filter((s) => !/EtcdState|EtcdFounded/.test(s.Sid)))),
    );
    const m = messages(loose);
    expect(m).toContainEqual(
      expect.stringMatching(/^IAM role kc-etcd-role \(etcd nodes\) is allowed ssm:PutParameter on etcd's founded marker .* overwriting it/),
    );
    expect(m).toContainEqual(
      expect.stringMatching(/^IAM role kc-etcd-role \(etcd nodes\) is allowed ssm:DeleteParameter on etcd's founded marker/),
    );
  });

  test("etcd's metrics grant without its namespace condition is reported; without the grant, the alarm would always fire", () => {
    const unconditioned = etcdPolicy(SCOPE, BACKUP_BUCKET_ARN);
    delete unconditioned.Statement.find((s) => s.Sid === "PublishBackupMetrics")!.Condition;
    expect(messages(setProp(happyPlan(), etcd.policy, "policy", JSON.stringify(unconditioned)))).toEqual([
      expect.stringMatching(
        /^IAM role kc-etcd-role \(etcd nodes\) is allowed cloudwatch:PutMetricData on CloudWatch metrics in namespace Kubestead\/other/,
      ),
    ]);
    const without = etcdPolicy(SCOPE, BACKUP_BUCKET_ARN);
    without.Statement = without.Statement.filter((s) => s.Sid !== "PublishBackupMetrics" && s.Sid !== "WriteClusterState");
    expect(messages(setProp(happyPlan(), etcd.policy, "policy", JSON.stringify(without)))).toEqual([
      `IAM role kc-etcd-role (etcd nodes) cannot ssm:PutParameter its own ${MARKER} (ImplicitlyDenied): its cluster is never marked founded, or a restore cannot record its token. Grant it with lib/iam.ts etcdPolicy WriteClusterState.`,
      `IAM role kc-etcd-role (etcd nodes) cannot ssm:PutParameter its own ${TOKEN} overwriting it (ImplicitlyDenied): its cluster is never marked founded, or a restore cannot record its token. Grant it with lib/iam.ts etcdPolicy WriteClusterState.`,
      "IAM role kc-etcd-role (etcd nodes) cannot cloudwatch:PutMetricData its own CloudWatch metrics in namespace Kubestead/etcd (ImplicitlyDenied): the backup alarm fires although backups run. Grant it with lib/iam.ts etcdPolicy PublishBackupMetrics.",
    ]);
  });
});
