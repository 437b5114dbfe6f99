/**
 * The EBS CSI driver's role and the cluster key its volumes are encrypted with (the StorageClass's
 * kmsKeyId), under IAM evaluation with the key's own policy: what EC2 does with the key while it
 * creates and attaches a volume for the driver is allowed; the key used any other way is not.
 */
import { ebsCsiObjects, ebsCsiPolicy } from "../../../bootstrap/addons/ebsCsi";
import { clusterKeyAliasArn, clusterKeyPolicy } from "../../../lib/iam";
import { IamRequest, NamedPolicy, evaluateRequest } from "../../../lib/iamEval/evaluate";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666`;
const OTHER_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/99999999-1111-2222-3333-444455556666`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/kc-${REGION}-ebs-csi-driver`;
const driver: NamedPolicy[] = [{ name: "ebs-csi-driver", document: ebsCsiPolicy("kc", { arn: KEY, region: REGION }) }];
const keyPolicy = (): NamedPolicy => ({
  name: "cluster key policy",
  document: clusterKeyPolicy(
    "aws",
    ACCOUNT,
    `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_kc`,
  ),
});
const VIA_EC2 = { "kms:ViaService": `ec2.${REGION}.amazonaws.com`, "kms:CallerAccount": ACCOUNT };

const kms = (action: string, context: Record<string, string>, resource = KEY): IamRequest => ({
  principal: ROLE,
  action,
  resource,
  resourceAccount: ACCOUNT,
  context: { "aws:RequestedRegion": REGION, ...context },
});
const decide = (r: IamRequest) => evaluateRequest(r, driver, keyPolicy()).decision;

test("creating an encrypted volume through EC2: the data key, the key's description, re-encryption between keys", () => {
  for (const action of ["kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"]) {
    expect({ action, decision: decide(kms(action, VIA_EC2)) }).toEqual({ action, decision: "Allowed" });
  }
});

test("attaching it through EC2: a grant for the instance (an AWS resource), then decrypting its data key", () => {
  expect(decide(kms("kms:CreateGrant", { ...VIA_EC2, "kms:GrantIsForAWSResource": "true" }))).toBe("Allowed");
  expect(decide(kms("kms:Decrypt", { ...VIA_EC2, "kms:EncryptionContext:aws:ebs:id": "vol-0123456789abcdef0" }))).toBe("Allowed");
});

test("a grant that is not for an AWS resource is refused, even through EC2", () => {
  expect(decide(kms("kms:CreateGrant", { ...VIA_EC2, "kms:GrantIsForAWSResource": "false" }))).toBe("ImplicitlyDenied");
});

test("the key used directly, outside EC2, decrypts and generates nothing", () => {
  for (const action of ["kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:CreateGrant", "kms:DescribeKey"]) {
    expect({ action, decision: decide(kms(action, { "kms:CallerAccount": ACCOUNT })) }).toEqual({ action, decision: "ImplicitlyDenied" });
  }
});

test("the key stays useless for the nodes' SSM parameters and the S3 buckets", () => {
  const parameter = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/kubestead/kc/controlplane/ca.key`;
  expect(
    decide(kms("kms:Decrypt", { "kms:ViaService": `ssm.${REGION}.amazonaws.com`, "kms:EncryptionContext:PARAMETER_ARN": parameter })),
  ).toBe("ImplicitlyDenied");
  expect(decide(kms("kms:Decrypt", { "kms:ViaService": `s3.${REGION}.amazonaws.com` }))).toBe("ImplicitlyDenied");
  expect(decide(kms("kms:GenerateDataKey", VIA_EC2))).toBe("ImplicitlyDenied");
});

test("another key of the account, even through EC2, is out of reach", () => {
  expect(decide(kms("kms:GenerateDataKeyWithoutPlaintext", VIA_EC2, OTHER_KEY))).toBe("ImplicitlyDenied");
});

test("control: without the cluster key's statements the driver could not create an encrypted volume with it", () => {
  const bare: NamedPolicy[] = [{ name: "ebs-csi-driver", document: ebsCsiPolicy("kc") }];
  expect(evaluateRequest(kms("kms:GenerateDataKeyWithoutPlaintext", VIA_EC2), bare, keyPolicy()).decision).toBe("ImplicitlyDenied");
});

test("the default StorageClass encrypts with the cluster key, named by its alias", () => {
  const alias = clusterKeyAliasArn("aws", REGION, ACCOUNT, "kc");
  expect(alias).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:alias/kubestead/kc`);
  const objects = ebsCsiObjects({
    version: "1.47.0",
    clusterName: "kc",
    region: REGION,
    controllerRoleArn: `arn:aws:iam::${ACCOUNT}:role/kc-${REGION}-ebs-csi-driver`,
    volumeKmsKeyId: alias,
  });
  const sc = objects.find((o) => o.kind === "StorageClass") as unknown as {
    metadata: { name: string };
    parameters: Record<string, string>;
  };
  expect(sc.parameters).toEqual({ type: "gp3", encrypted: "true", kmsKeyId: alias });
  // Parameters are immutable: the class with the key has its own name, so an existing cluster's
  // plain gp3 class is replaced (pruned), never patched into a refused update.
  expect(sc.metadata.name).toBe("gp3-cluster-key");
});
