/** aws-node-termination-handler in queue mode, as rendered: what it needs to start and whom it may drain. */
import { nodeTerminationHandlerObjects } from "../../../bootstrap/addons/nodeTerminationHandler";

const ARGS = {
  version: "1.25.3",
  clusterName: "kc",
  region: "eu-west-1",
  queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/kc-node-termination",
  roleArn: "arn:aws:iam::123456789012:role/kc-eu-west-1-node-termination",
};

const container = () => {
  const d = nodeTerminationHandlerObjects(ARGS).find((o) => o.kind === "Deployment") as any;
  return d.spec.template.spec.containers[0];
};
const envOf = () => Object.fromEntries(container().env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

test("the handler knows its own node, pod and namespace from the downward API (it refuses to start without NODE_NAME)", () => {
  const env = envOf();
  expect(env.NODE_NAME).toEqual({ fieldRef: { fieldPath: "spec.nodeName" } });
  expect(env.POD_NAME).toEqual({ fieldRef: { fieldPath: "metadata.name" } });
  expect(env.NAMESPACE).toEqual({ fieldRef: { fieldPath: "metadata.namespace" } });
});

test("queue mode on its own queue, draining only this cluster's instances, by provider ID", () => {
  const env = envOf();
  expect(env).toMatchObject({
    ENABLE_SQS_TERMINATION_DRAINING: "true",
    QUEUE_URL: ARGS.queueUrl,
    CHECK_TAG_BEFORE_DRAINING: "true",
    USE_PROVIDER_ID: "true",
    AWS_ROLE_ARN: ARGS.roleArn,
  });
  expect(String(env.MANAGED_TAG)).toContain("kc");
  expect(env.MANAGED_ASG_TAG).toBe(env.MANAGED_TAG);
  // Every variable is set once.
  const names = container().env.map((e: any) => e.name);
  expect(new Set(names).size).toBe(names.length);
});

test("the image is the pinned release; a queue URL that is not one is refused", () => {
  expect(container().image).toBe("public.ecr.aws/aws-ec2/aws-node-termination-handler:v1.25.3");
  expect(() => nodeTerminationHandlerObjects({ ...ARGS, queueUrl: "https://example.com/q" })).toThrow("queue URL must look like");
});
