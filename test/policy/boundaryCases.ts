/**
 * Violating fixtures of node-role-boundaries for the table in policies.test.ts (one per way in);
 * nodeRoleBoundaries.test.ts has the details.
 */
import type { Plan } from "../../lib/plan/types";
import { doc } from "../../lib/iam";
import { addResource, find, identityNames, setProp } from "../helpers/policyFixtures";

export type BoundaryCase = [policy: string, what: string, change: (p: Plan) => void, message: RegExp];

export const BOUNDARY_CASES: BoundaryCase[] = [
  [
    "node-role-boundaries",
    "AmazonSSMManagedInstanceCore on the worker role",
    (p) => {
      addResource(p, {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: "kc-worker-ssm-core",
        inputs: { role: identityNames("worker").role, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" },
      });
      // Before the worker group, as nodeIdentity had it (boot-prerequisites would flag it otherwise).
      find(p, "kc-general-asg").dependencies.push(find(p, "kc-worker-ssm-core").urn);
    },
    /IAM role kc-worker-role \(worker nodes\) is allowed ssm:GetParameter, ssm:GetParameters on SSM parameter \/kubestead\/kc\/controlplane\/ca\.key/,
  ],
  [
    "node-role-boundaries",
    "the control plane's baseline without its etcd deny, and EC2 on everything",
    (p) => {
      const cp = identityNames("controlplane");
      setProp(p, cp.baseline, "policy", JSON.stringify(doc({ Sid: "Ec2", Effect: "Allow", Action: ["ec2:*"], Resource: "*" })));
    },
    /IAM role kc-controlplane-role \(controlplane nodes\) is allowed ec2:AttachVolume, ec2:DetachVolume, ec2:DeleteVolume, .* on etcd data volume/,
  ],
];
