/** The boot-prerequisites rule on the fixture cluster: each group must depend on what its nodes read at boot. */
import { encodeUserData, renderCloudConfig } from "../../bootstrap/cloudInit";
import { SECRETS_MANIFEST_PATH } from "../../bootstrap/types";
import type { Plan } from "../../lib/plan/types";
import { BOOT_T, bootParameters, bootPrerequisiteProblems, prerequisitesOf } from "../../policy/rules/bootPrerequisites";
import { makeGraph } from "../../policy/rules/graph";
import {
  UNKNOWN,
  addResource,
  bootUserData,
  dropDependency,
  find,
  graphOfPlan,
  happyPlan,
  removeResource,
  setProp,
} from "../helpers/policyFixtures";

const problems = (plan: Plan) => {
  const { graph, parents } = graphOfPlan(plan);
  return bootPrerequisiteProblems(graph, parents);
};
const messages = (plan: Plan) => problems(plan).map((f) => f.message);

describe("bootParameters", () => {
  const doc = (secrets: string[]) =>
    renderCloudConfig({
      files: [{ path: "/opt/boot.sh", mode: "0755", content: "#!/bin/bash\n" }],
      secrets: secrets.map((parameter, i) => ({ parameter, path: `/etc/x/${i}`, mode: "0600" })),
      bootScriptPath: "/opt/boot.sh",
    });

  test("reads the manifest's parameter names, gzipped or not", () => {
    const names = ["/kubestead/c/worker/b", "/kubestead/c/worker/a"];
    expect(bootParameters(encodeUserData(doc(names)))).toEqual({ parameters: [...names].sort(), unknown: false });
    expect(bootParameters(bootUserData(names))).toEqual({ parameters: [...names].sort(), unknown: false });
  });

  test.each([
    ["no user data", undefined],
    ["an empty manifest", encodeUserData(doc([]))],
    ["a shell script", Buffer.from("#!/bin/sh\necho hi\n").toString("base64")],
  ])("%s reads nothing", (_what, userData) => {
    expect(bootParameters(userData)).toEqual({ parameters: [], unknown: false });
  });

  test("unknown user data is unknown", () => {
    expect(bootParameters(UNKNOWN)).toEqual({ parameters: [], unknown: true });
  });

  test("a cloud-config that does not parse, or corrupt gzip, is an error", () => {
    expect(bootParameters(Buffer.from("#cloud-config\nwrite_files: [\n").toString("base64")).error).toBeDefined();
    expect(bootParameters(Buffer.from([0x1f, 0x8b, 1, 2, 3]).toString("base64")).error).toBeDefined();
    const noContent = `#cloud-config\nwrite_files:\n  - path: ${SECRETS_MANIFEST_PATH}\n`;
    expect(bootParameters(Buffer.from(noContent).toString("base64")).error).toMatch(/no plain-text content/);
  });
});

describe("boot prerequisites on the fixture cluster", () => {
  test("every group depends on everything it needs: no findings", () => {
    expect(problems(happyPlan())).toEqual([]);
  });

  test("a group not depending on a parameter its boot reads is named, with the parameter and the fix", () => {
    const plan = dropDependency(happyPlan(), "kc-etcd-0-asg", "kc-etcd-backup-key");
    expect(problems(plan)).toEqual([
      {
        urn: find(plan, "kc-etcd-0-asg").urn,
        message:
          "auto scaling group kc-etcd-0-asg does not depend on SSM parameter /kubestead/kc/etcd/backup.key (kc-etcd-backup-key), which its boot reads, so an instance can boot before it exists: add it to the group's dependsOn.",
      },
    ]);
  });

  test("a parameter the boot reads that nothing in the stack creates", () => {
    const plan = removeResource(happyPlan(), "kc-controlplane-ca-key");
    expect(messages(plan)).toEqual([
      expect.stringMatching(
        /^auto scaling group kc-controlplane-asg boots nodes that read SSM parameter \/kubestead\/kc\/controlplane\/ca\.key \(secrets manifest of launch template kc-controlplane\), but no resource in the stack creates it/,
      ),
    ]);
  });

  test.each([
    ["role policy", "kc-controlplane-policy", /does not depend on role policy kc-controlplane-policy on IAM role kc-controlplane-role/],
    [
      "baseline role policy",
      "kc-controlplane-baseline",
      /does not depend on role policy kc-controlplane-baseline on IAM role kc-controlplane-role/,
    ],
  ])("a missing %s", (_what, name, message) => {
    const plan = dropDependency(happyPlan(), "kc-controlplane-asg", name);
    expect(messages(plan)).toEqual([expect.stringMatching(message)]);
  });

  test("a role policy attachment on the node role counts too", () => {
    const plan = addResource(happyPlan(), {
      type: BOOT_T.rolePolicyAttachment,
      name: "kc-controlplane-extra",
      inputs: { role: "kc-controlplane-role", policyArn: "arn:aws:iam::111122223333:policy/extra" },
    });
    expect(messages(plan)).toEqual([
      expect.stringMatching(
        /^auto scaling group kc-controlplane-asg does not depend on role policy attachment kc-controlplane-extra on IAM role kc-controlplane-role/,
      ),
    ]);
  });

  test("an add-on's role policy on the node role counts too", () => {
    const plan = addResource(happyPlan(), {
      type: BOOT_T.rolePolicy,
      name: "kc-controlplane-cluster-autoscaler",
      inputs: { role: "kc-controlplane-role", policy: "{}" },
    });
    expect(messages(plan)).toEqual([
      expect.stringMatching(/^auto scaling group kc-controlplane-asg does not depend on role policy kc-controlplane-cluster-autoscaler/),
    ]);
  });

  test("a group not waiting for its instance profile (the role it still reaches through the role policies)", () => {
    const plan = dropDependency(happyPlan(), "kc-general-asg", "kc-worker-profile");
    dropDependency(plan, "kc-general", "kc-worker-profile");
    expect(messages(plan)).toEqual([
      expect.stringMatching(/does not depend on instance profile kc-worker-profile of launch template kc-general/),
    ]);
  });

  test.each([
    ["listener", "kc-api-6443", /kc-general-asg does not depend on the API endpoint's listener kc-api-6443 \(TCP 6443\)/],
    [
      "DNS record",
      "kc-api-name",
      /kc-general-asg does not depend on the API endpoint's DNS record api\.kc\.kubestead\.internal \(kc-api-name\)/,
    ],
  ])("a worker group not waiting for the API endpoint's %s", (_what, name, message) => {
    const plan = dropDependency(happyPlan(), "kc-general-asg", name);
    expect(messages(plan)).toEqual([expect.stringMatching(message)]);
  });

  test("only worker groups need the endpoint, and only api. records are the endpoint", () => {
    const plan = addResource(happyPlan(), {
      type: BOOT_T.record,
      name: "kc-etcd-0-name",
      inputs: { zoneId: "Z0123", name: "etcd-0.kc.kubestead.internal", type: "A", records: ["10.0.0.10"] },
    });
    // Neither etcd nor control-plane groups depend on the listener or any record in the fixture.
    expect(problems(plan)).toEqual([]);
  });

  test("a prerequisite reached through another resource or through the parent counts", () => {
    const plan = happyPlan();
    // Through the launch template…
    dropDependency(plan, "kc-general-asg", "kc-workers-bootstrap-kubeconfig");
    find(plan, "kc-general").dependencies.push(find(plan, "kc-workers-bootstrap-kubeconfig").urn);
    // …and through a parent component that depends on the endpoint.
    addResource(plan, { type: "kubestead:components:WorkerPool", name: "kc-general-pool", inputs: {} });
    const pool = find(plan, "kc-general-pool");
    pool.dependencies.push(find(plan, "kc-api-6443").urn, find(plan, "kc-api-name").urn);
    dropDependency(plan, "kc-general-asg", "kc-api-6443");
    dropDependency(plan, "kc-general-asg", "kc-api-name");
    find(plan, "kc-general-asg").parent = pool.urn;
    expect(problems(plan)).toEqual([]);
  });

  test("dependency cycles terminate", () => {
    const plan = happyPlan();
    find(plan, "kc-etcd-backup-key").dependencies.push(find(plan, "kc-etcd-0-asg").urn);
    const { graph, parents } = graphOfPlan(plan);
    const asg = graph.byUrn.get(find(plan, "kc-etcd-0-asg").urn)!;
    expect(prerequisitesOf(graph, asg, parents).has(asg.urn)).toBe(false);
    expect(problems(plan)).toEqual([]);
  });
});

describe("preview unknowns are skipped, not reported", () => {
  test("unknown user data: parameters are not checked, the identity still is", () => {
    const plan = happyPlan();
    setProp(plan, "kc-general", "userData", UNKNOWN);
    dropDependency(plan, "kc-general-asg", "kc-workers-bootstrap-kubeconfig");
    expect(problems(plan)).toEqual([]);
    dropDependency(plan, "kc-general-asg", "kc-worker-policy");
    expect(messages(plan)).toEqual([expect.stringMatching(/does not depend on role policy kc-worker-policy/)]);
  });

  test("a parameter whose name is unknown may be the one read: absence is not reported", () => {
    const plan = happyPlan();
    setProp(plan, "kc-controlplane-ca-key", "name", UNKNOWN);
    expect(problems(plan)).toEqual([]);
  });

  test("unknown references are followed through propertyDependencies", () => {
    const plan = happyPlan();
    setProp(plan, "kc-general", "iamInstanceProfile", UNKNOWN);
    setProp(plan, "kc-worker-profile", "role", UNKNOWN);
    setProp(plan, "kc-worker-role", "name", UNKNOWN);
    setProp(plan, "kc-worker-policy", "role", UNKNOWN);
    expect(problems(plan)).toEqual([]);
    dropDependency(plan, "kc-general-asg", "kc-worker-policy");
    expect(messages(plan)).toEqual([expect.stringMatching(/does not depend on role policy kc-worker-policy on IAM role kc-worker-role/)]);
  });

  test("an unknown listener port or record name is not an endpoint the policy can name", () => {
    const plan = happyPlan();
    setProp(plan, "kc-api-6443", "port", UNKNOWN);
    setProp(plan, "kc-api-name", "name", UNKNOWN);
    dropDependency(plan, "kc-general-asg", "kc-api-6443");
    dropDependency(plan, "kc-general-asg", "kc-api-name");
    expect(problems(plan)).toEqual([]);
  });
});

test("a graph without groups has nothing to check", () => {
  expect(bootPrerequisiteProblems(makeGraph([]))).toEqual([]);
});

test("type tokens match the provider classes' __pulumiType", () => {
  const modules: Record<keyof typeof BOOT_T, [string, string]> = {
    parameter: ["@pulumi/aws/ssm/parameter", "Parameter"],
    instanceProfile: ["@pulumi/aws/iam/instanceProfile", "InstanceProfile"],
    role: ["@pulumi/aws/iam/role", "Role"],
    rolePolicy: ["@pulumi/aws/iam/rolePolicy", "RolePolicy"],
    rolePolicyAttachment: ["@pulumi/aws/iam/rolePolicyAttachment", "RolePolicyAttachment"],
    record: ["@pulumi/aws/route53/record", "Record"],
  };
  for (const [key, [mod, cls]] of Object.entries(modules)) {
    expect(require(mod)[cls].__pulumiType).toBe(BOOT_T[key as keyof typeof BOOT_T]);
  }
});
