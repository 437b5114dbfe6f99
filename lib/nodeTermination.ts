/**
 * Draining nodes before AWS terminates them: what the node termination handler (queue mode) needs
 * from AWS, as plain documents. components/nodeTermination.ts creates the queue, its policy and
 * the EventBridge rules from these; bootstrap/addons/nodeTerminationHandler.ts renders the handler.
 *
 * The flow: an instance refresh, a scale-in or a spot reclaim puts a Kubernetes node's instance
 * into Terminating:Wait (the group's terminating lifecycle hook); Auto Scaling publishes the
 * lifecycle action to EventBridge, EC2 publishes spot interruption warnings, rebalance
 * recommendations and state changes; the rules below forward them to one SQS queue; the handler
 * reads it, cordons and drains the node (evictions respect PodDisruptionBudgets) and completes
 * the lifecycle action, so the instance goes only after its pods have.
 * https://github.com/aws/aws-node-termination-handler (Queue Processor)
 */
import { CLUSTER_TAG_PREFIX } from "./iamNames";

/** An IAM identity or resource policy as plain data (resource policies carry a Principal). */
export type IamDocument = {
  Version: "2012-10-17";
  Statement: Record<string, unknown>[];
};

/** The terminating hook every Kubernetes node group carries (components/workerPool.ts, controlPlane.ts). */
export const TERMINATING_HOOK = {
  /** Same name on every group: the handler completes whatever hook the event names. */
  name: "kubestead-drain",
  lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
  /**
   * CONTINUE: if the handler is down, the instance still goes after the timeout (ABANDON would end
   * the same way for a terminating instance, and reads as a failure in the activity history).
   */
  defaultResult: "CONTINUE",
  /**
   * Seconds the instance waits for the drain: the handler's own node grace period (120 s) plus
   * time to receive the message and evict. A hard ceiling: the handler records no heartbeats (its
   * role has no autoscaling:RecordLifecycleActionHeartbeat), so a pod whose grace period or
   * PodDisruptionBudget holds the drain past it is stopped with the instance (README "Upgrades").
   */
  heartbeatTimeout: 300,
} as const;

/** The handler's node grace period (NODE_TERMINATION_GRACE_PERIOD), within the hook's heartbeat. */
export const DRAIN_GRACE_SECONDS = 120;

export function nodeTerminationQueueName(cluster: string): string {
  return `${cluster}-node-termination`;
}

export function queueArn(partition: string, region: string, accountId: string, cluster: string): string {
  return `arn:${partition}:sqs:${region}:${accountId}:${nodeTerminationQueueName(cluster)}`;
}

/** https://sqs.<region>.<dnsSuffix>/<account>/<name>, as SQS reports the queue's URL. */
export function queueUrl(region: string, dnsSuffix: string, accountId: string, cluster: string): string {
  return `https://sqs.${region}.${dnsSuffix}/${accountId}/${nodeTerminationQueueName(cluster)}`;
}

/** The tag whose presence on an instance tells the handler the node is this cluster's to drain. */
export function managedTag(cluster: string): string {
  return `${CLUSTER_TAG_PREFIX}${cluster}`;
}

/** One EventBridge rule: its id (the resource name's suffix), what it is for, and its pattern. */
export interface DrainEventRule {
  id: string;
  description: string;
  pattern: Record<string, unknown>;
}

/**
 * The events the handler acts on. The lifecycle rule names this cluster's node groups; the EC2
 * rules cannot filter by tag (events carry only the instance ID), so they forward every instance
 * of the account and region and the handler ignores instances without the cluster's tag
 * (CHECK_TAG_BEFORE_DRAINING with managedTag()).
 */
export function drainEventRules(nodeGroupNames: string[]): DrainEventRule[] {
  return [
    {
      id: "lifecycle",
      description: "Auto Scaling terminating lifecycle actions of the cluster's Kubernetes node groups",
      pattern: {
        source: ["aws.autoscaling"],
        "detail-type": ["EC2 Instance-terminate Lifecycle Action"],
        detail: { AutoScalingGroupName: [...nodeGroupNames].sort() },
      },
    },
    {
      id: "spot-interruption",
      description: "EC2 spot interruption warnings (two minutes before the instance is reclaimed)",
      pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] },
    },
    {
      id: "rebalance",
      description: "EC2 rebalance recommendations (a spot instance at elevated risk of interruption)",
      pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] },
    },
    {
      id: "state-change",
      description: "EC2 instance state changes (stopping, terminated outside Auto Scaling)",
      pattern: {
        source: ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
        detail: { state: ["stopping", "stopped", "shutting-down", "terminated"] },
      },
    },
    {
      id: "scheduled-change",
      description: "AWS Health scheduled changes to EC2 instances (retirement, maintenance)",
      pattern: {
        source: ["aws.health"],
        "detail-type": ["AWS Health Event"],
        detail: { service: ["EC2"], eventTypeCategory: ["scheduledChange"] },
      },
    },
  ];
}

/**
 * The queue's resource policy: EventBridge may send, only from this cluster's rules; SQS itself
 * only for this account. Nothing else may send (the handler drains whatever node a message names).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions
 */
export function queuePolicy(arn: string, ruleArns: string[], accountId: string): IamDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EventBridgeRulesOfThisCluster",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: ["sqs:SendMessage"],
        Resource: arn,
        Condition: { ArnEquals: { "aws:SourceArn": [...ruleArns].sort() } },
      },
      {
        Sid: "SqsOfThisAccount",
        Effect: "Allow",
        Principal: { Service: "sqs.amazonaws.com" },
        Action: ["sqs:SendMessage"],
        Resource: arn,
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: ["sqs:*"],
        Resource: arn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/**
 * The handler's pod role. Reading and deleting messages: this queue only. Completing lifecycle
 * actions: only groups named <cluster>-* that carry kubernetes.io/cluster/<cluster>=owned (the
 * Kubernetes node groups; etcd's groups carry no such tag). The three Describe actions support no
 * resource-level permissions in IAM, so they are on "*": they read, never change.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html
 */
export function nodeTerminationHandlerPolicy(partition: string, region: string, accountId: string, cluster: string): IamDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadOwnQueue",
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
        Resource: queueArn(partition, region, accountId, cluster),
      },
      {
        Sid: "CompleteOwnNodeGroupsLifecycleActions",
        Effect: "Allow",
        Action: ["autoscaling:CompleteLifecycleAction"],
        Resource: `arn:${partition}:autoscaling:${region}:${accountId}:autoScalingGroup:*:autoScalingGroupName/${cluster}-*`,
        Condition: { StringEquals: { [`aws:ResourceTag/${managedTag(cluster)}`]: "owned" } },
      },
      {
        Sid: "DescribeNoResourceLevelPermissions",
        Effect: "Allow",
        Action: ["autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeTags", "ec2:DescribeInstances"],
        Resource: "*",
      },
    ],
  };
}
