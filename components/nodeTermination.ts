import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as sqs from "@pulumi/aws/sqs";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../lib/config/types";
import { drainEventRules, nodeTerminationQueueName, queuePolicy } from "../lib/nodeTermination";
import { roleTags } from "../lib/tags";

export interface NodeTerminationArgs {
  config: ClusterConfig;
  accountId: pulumi.Input<string>;
}

/**
 * Where the node termination handler learns that a node is about to go (lib/nodeTermination.ts):
 * one SQS queue and the EventBridge rules that feed it. The terminating lifecycle hooks live with
 * their groups (WorkerPool, ControlPlane); the handler itself is an add-on the control plane
 * applies, with its own pod role (ServiceAccountIssuer).
 */
export class NodeTermination extends pulumi.ComponentResource {
  public readonly queueArn: pulumi.Output<string>;
  public readonly queueUrl: pulumi.Output<string>;

  constructor(name: string, args: NodeTerminationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:NodeTermination", name, {}, opts);
    const c = args.config;
    const parent = { parent: this };
    const tags = roleTags(c, "node-termination", nodeTerminationQueueName(c.name));

    const queue = new sqs.Queue(
      `${name}-queue`,
      {
        name: nodeTerminationQueueName(c.name),
        // Encrypted with an SQS-owned key: EventBridge can send to it with no key policy to keep
        // (a customer key would have to trust events.amazonaws.com), and the messages hold only
        // instance IDs and event times.
        sqsManagedSseEnabled: true,
        // A notice older than five minutes is past acting on: spot gives two, the hook waits five.
        messageRetentionSeconds: 300,
        receiveWaitTimeSeconds: 20,
        // The queue's default; the handler sets its own per receive (shorter). A message it took but
        // did not delete (it was evicted mid-drain) comes back and is handled again by the
        // rescheduled pod, which is safe: the message is deleted only after the drain.
        visibilityTimeoutSeconds: 60,
        tags,
      },
      parent,
    );

    // Kubernetes node groups only: etcd members are not nodes and have nothing to drain.
    const groups = [`${c.name}-controlplane`, ...c.workers.map((w) => `${c.name}-${w.name}`)];
    const rules = drainEventRules(groups).map((r) => {
      const rule = new cloudwatch.EventRule(
        `${name}-${r.id}`,
        { name: `${c.name}-drain-${r.id}`, description: r.description, eventPattern: JSON.stringify(r.pattern), tags },
        parent,
      );
      new cloudwatch.EventTarget(`${name}-${r.id}`, { rule: rule.name, arn: queue.arn, targetId: "node-termination-queue" }, parent);
      return rule;
    });

    new sqs.QueuePolicy(
      `${name}-queue-policy`,
      {
        queueUrl: queue.url,
        policy: pulumi
          .all([queue.arn, pulumi.all(rules.map((r) => r.arn)), args.accountId])
          .apply(([arn, ruleArns, accountId]) => JSON.stringify(queuePolicy(arn, ruleArns, accountId))),
      },
      parent,
    );

    this.queueArn = queue.arn;
    this.queueUrl = queue.url;
    this.registerOutputs({ queueArn: this.queueArn, queueUrl: this.queueUrl });
  }
}
