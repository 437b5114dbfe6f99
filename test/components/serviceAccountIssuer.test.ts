/**
 * Pods don't inherit node roles, on the planned prod graph: the public service-account issuer
 * (bucket, documents, OIDC provider), one role per add-on scoped to its service account, hop
 * limit 1 everywhere, the apiserver issuing for the public issuer, and the add-on manifests
 * carrying their roles.
 */
import { createPublicKey } from "node:crypto";
import { parse, parseAllDocuments } from "yaml";
import { clusterAutoscalerPolicy } from "../../bootstrap/addons/clusterAutoscaler";
import { ebsCsiPolicy } from "../../bootstrap/addons/ebsCsi";
import { keyId } from "../../lib/oidc";
import { Plan, PlanResource } from "../../lib/plan/types";
import { renderNodes } from "../../tools/render/nodes";
import { ofType, planStack, tagsOf, withRole } from "../helpers/plannedStack";

let plan: Plan;
beforeAll(async () => {
  plan = await planStack("prod");
}, 120_000);

const ACCOUNT = "123456789012"; // tools/offline/aws.ts
const BUCKET = `kubestead-prod-oidc-${ACCOUNT}-us-east-1`;
const ISSUER = `https://${BUCKET}.s3.us-east-1.amazonaws.com`;
const HOST = `${BUCKET}.s3.us-east-1.amazonaws.com`;
const IN_CLUSTER = "https://kubernetes.default.svc.cluster.local";

/** The cluster key (the one with the alias alias/kubestead/<cluster>): the EBS CSI driver's volumes are encrypted with it. */
const clusterKeyArn = (): string => {
  const alias = ofType(plan, "aws:kms/alias:Alias").find((a) => a.inputs.name === "alias/kubestead/kubestead-prod")!;
  return String(
    ofType(plan, "aws:kms/key:Key").find((k) => k.outputs.keyId === alias.inputs.targetKeyId || k.id === alias.inputs.targetKeyId)!.outputs
      .arn,
  );
};
const issuerBucket = (): PlanResource => ofType(plan, "aws:s3/bucket:Bucket").find((b) => b.inputs.bucket === BUCKET)!;
const ofBucket = (type: string) => ofType(plan, type).filter((r) => r.inputs.bucket === issuerBucket().id);
const manifestOf = (addon: string) =>
  parseAllDocuments(
    String(
      ofType(plan, "aws:s3/bucketObjectv2:BucketObjectv2").find((o) => (o.inputs.metadata as Record<string, string>)?.addon === addon)!
        .inputs.content,
    ),
  ).map((d) => d.toJS());

describe("the public issuer", () => {
  test("a bucket named from cluster, account and region (not autonamed), in the ServiceAccountIssuer component", () => {
    const b = issuerBucket();
    expect(b).toBeDefined();
    expect(b.inputs.bucketPrefix).toBeUndefined();
    expect(tagsOf(b)["kubestead.io/role"]).toBe("pod-identity");
    const component = plan.resources.find((r) => r.type === "kubestead:components:ServiceAccountIssuer")!;
    expect(b.parent).toBe(component.urn);
  });

  test("serves exactly the discovery document and the JWKS, public, TLS only, and nothing else", () => {
    const [policy] = ofBucket("aws:s3/bucketPolicy:BucketPolicy");
    const doc = JSON.parse(String(policy.inputs.policy));
    const arn = String(issuerBucket().outputs.arn);
    const publicStatements = doc.Statement.filter((s: any) => s.Effect === "Allow");
    expect(publicStatements).toEqual([
      {
        Sid: "PublicReadOfIssuerDocuments",
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: [`${arn}/.well-known/openid-configuration`, `${arn}/openid/v1/jwks`],
      },
    ]);
    expect(doc.Statement.find((s: any) => s.Sid === "DenyInsecureTransport")).toMatchObject({
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    // Objects in the bucket: the same two keys, nothing more.
    expect(ofBucket("aws:s3/bucketObjectv2:BucketObjectv2").map((o) => o.inputs.key)).toEqual([
      ".well-known/openid-configuration",
      "openid/v1/jwks",
    ]);
  });

  test("public access settings relaxed only for the bucket policy; ACLs stay off", () => {
    const [block] = ofBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    expect(block.inputs).toMatchObject({
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: false,
      restrictPublicBuckets: false,
    });
    const [ownership] = ofBucket("aws:s3/bucketOwnershipControls:BucketOwnershipControls");
    expect(ownership.inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    const [policy] = ofBucket("aws:s3/bucketPolicy:BucketPolicy");
    expect(policy.dependencies).toContain(block.urn);
    // Every other bucket stays fully private.
    for (const b of ofType(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").filter((x) => x.urn !== block.urn)) {
      expect(b.inputs).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
    }
  });

  test("the documents: issuer and JWKS URI, and the JWK of the cluster's service-account key with the apiserver's kid", () => {
    const [discovery, jwksObject] = ofBucket("aws:s3/bucketObjectv2:BucketObjectv2");
    expect(JSON.parse(String(discovery.inputs.content))).toEqual({
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/openid/v1/jwks`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["ES256"],
    });
    const saKey = plan.resources.find((r) => r.type === "tls:index/privateKey:PrivateKey" && r.name.endsWith("service-account"))!;
    const pem = String(saKey.outputs.publicKeyPem);
    const { keys } = JSON.parse(String(jwksObject.inputs.content));
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ use: "sig", kty: "EC", crv: "P-256", alg: "ES256", kid: keyId(pem) });
    const fromJwk = createPublicKey({ key: { kty: "EC", crv: "P-256", x: keys[0].x, y: keys[0].y }, format: "jwk" });
    expect(fromJwk.export({ type: "spki", format: "pem" })).toBe(createPublicKey(pem).export({ type: "spki", format: "pem" }));
    for (const o of [discovery, jwksObject]) expect(o.inputs.contentType).toBe("application/json");
  });

  test("an IAM OIDC provider for that issuer, client sts.amazonaws.com, created after the documents are readable", () => {
    const [provider] = ofType(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    expect(provider.inputs).toMatchObject({ url: ISSUER, clientIdLists: ["sts.amazonaws.com"] });
    expect(provider.inputs.thumbprintLists).toBeUndefined();
    expect(provider.outputs.arn).toBe(`arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}`);
    const mustPrecede = [...ofBucket("aws:s3/bucketObjectv2:BucketObjectv2"), ...ofBucket("aws:s3/bucketPolicy:BucketPolicy")];
    for (const r of mustPrecede) expect(provider.dependencies).toContain(r.urn);
  });
});

describe("pod roles", () => {
  const roles = () => withRole(plan, "aws:iam/role:Role", "pod-identity");
  test.each([
    ["cluster-autoscaler", "cluster-autoscaler", () => clusterAutoscalerPolicy("kubestead-prod")],
    ["ebs-csi-driver", "ebs-csi-controller-sa", () => ebsCsiPolicy("kubestead-prod", { arn: clusterKeyArn(), region: "us-east-1" })],
  ])("%s: a named role trusting only the provider for kube-system/%s and STS, carrying its policy", (addon, sa, policy) => {
    const role = roles().find((r) => tagsOf(r)["kubestead.io/addon"] === addon)!;
    expect(role.inputs.name).toBe(`kubestead-prod-us-east-1-${addon}`);
    expect(role.outputs.arn).toBe(`arn:aws:iam::${ACCOUNT}:role/kubestead-prod-us-east-1-${addon}`);
    const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
    expect(trust.Statement).toEqual([
      {
        Sid: "ServiceAccountWebIdentity",
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST}` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${HOST}:sub`]: `system:serviceaccount:kube-system:${sa}`, [`${HOST}:aud`]: "sts.amazonaws.com" } },
      },
    ]);
    const attached = ofType(plan, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role.outputs.name);
    expect(attached.map((p) => JSON.parse(String(p.inputs.policy)))).toEqual([policy()]);
  });

  test("exactly those three (with the node termination handler), and the control-plane node role carries no add-on policy", () => {
    expect(
      roles()
        .map((r) => tagsOf(r)["kubestead.io/addon"])
        .sort(),
    ).toEqual(["cluster-autoscaler", "ebs-csi-driver", "node-termination"]);
    const [cpRole] = withRole(plan, "aws:iam/role:Role", "controlplane");
    const names = ofType(plan, "aws:iam/rolePolicy:RolePolicy")
      .filter((p) => p.inputs.role === cpRole.outputs.name)
      .map((p) => p.name);
    expect(names.some((n) => /cluster-autoscaler|ebs-csi|node-termination/.test(n))).toBe(false);
  });

  test("the manifests carry the roles' ARNs, a projected STS token and the web identity environment", () => {
    for (const [addon, kind, name, container] of [
      ["cluster-autoscaler", "Deployment", "cluster-autoscaler", "cluster-autoscaler"],
      ["ebs-csi-driver", "Deployment", "ebs-csi-controller", "ebs-plugin"],
    ]) {
      const role = roles().find((r) => tagsOf(r)["kubestead.io/addon"] === addon)!;
      const spec = manifestOf(addon).find((o) => o.kind === kind && o.metadata.name === name).spec.template.spec;
      expect(spec.hostNetwork).toBeUndefined();
      expect(spec.volumes).toContainEqual({
        name: "aws-iam-token",
        projected: { sources: [{ serviceAccountToken: { audience: "sts.amazonaws.com", expirationSeconds: 86400, path: "token" } }] },
      });
      const c = spec.containers.find((x: any) => x.name === container);
      const env = Object.fromEntries(c.env.filter((e: any) => "value" in e).map((e: any) => [e.name, e.value]));
      expect(env).toMatchObject({
        AWS_ROLE_ARN: role.outputs.arn,
        AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
        AWS_REGION: "us-east-1",
        AWS_STS_REGIONAL_ENDPOINTS: "regional",
      });
      expect(c.volumeMounts).toContainEqual({
        name: "aws-iam-token",
        mountPath: "/var/run/secrets/eks.amazonaws.com/serviceaccount",
        readOnly: true,
      });
    }
  });
});

describe("nodes", () => {
  test("hop limit 1 on every launch template: no pod reaches a node's role", () => {
    const lts = ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate");
    expect(lts.length).toBeGreaterThanOrEqual(5);
    for (const lt of lts) expect((lt.inputs.metadataOptions as Record<string, unknown>).httpPutResponseHopLimit).toBe(1);
  });

  test("the apiserver on every control-plane node issues for the public issuer and still accepts the in-cluster one", () => {
    const cps = renderNodes(plan).filter((n) => n.role === "controlplane");
    expect(cps.length).toBeGreaterThan(0);
    for (const n of cps) {
      const manifest = n.files.find((f) => f.path === "/etc/kubernetes/manifests/kube-apiserver.yaml")!;
      const command: string[] = parse(manifest.content).spec.containers[0].command;
      expect(command.filter((a) => a.startsWith("--service-account-issuer="))).toEqual([
        `--service-account-issuer=${ISSUER}`,
        `--service-account-issuer=${IN_CLUSTER}`,
      ]);
      expect(command).toContain(`--service-account-jwks-uri=${ISSUER}/openid/v1/jwks`);
      expect(command).toContain(`--api-audiences=${IN_CLUSTER}`);
    }
  });
});

describe("the policy pack on the planned graph", () => {
  // Lazy: policy/runner loads @pulumi/policy, which the rest of this file does not need.
  const run = (p: Plan) => {
    const { runPolicies } = require("../../policy/runner");
    const cfg = JSON.parse(require("node:fs").readFileSync(require("node:path").join(__dirname, "../../policy/prod.json"), "utf8"));
    return runPolicies(p, cfg, { preview: false });
  };
  const ours = (r: any) => r.violations.filter((v: any) => ["imds-hop-limit", "irsa-roles-scoped"].includes(v.policy));

  test("imds-hop-limit and irsa-roles-scoped pass and looked at the graph", () => {
    const r = run(plan);
    expect(ours(r)).toEqual([]);
    expect(r.evaluated["imds-hop-limit"]).toBe(ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate").length);
    expect(r.evaluated["irsa-roles-scoped"]).toBe(1);
  });

  test("a pod role any service account could assume, and a template with hop limit 2, fail them (mandatory in prod)", () => {
    const broken: Plan = structuredClone(plan);
    const role = withRole(broken, "aws:iam/role:Role", "pod-identity")[0];
    const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
    delete trust.Statement[0].Condition.StringEquals[`${HOST}:sub`];
    role.inputs.assumeRolePolicy = role.outputs.assumeRolePolicy = JSON.stringify(trust);
    const [worker] = withRole(broken, "aws:ec2/launchTemplate:LaunchTemplate", "worker");
    (worker.inputs.metadataOptions as Record<string, unknown>).httpPutResponseHopLimit = 2;
    const found = ours(run(broken));
    expect(found.map((v: any) => [v.policy, v.name, v.enforcementLevel])).toEqual([
      ["imds-hop-limit", worker.name, "mandatory"],
      ["irsa-roles-scoped", role.name, "mandatory"],
    ]);
  });
});
