/** The pure rules behind imds-hop-limit and irsa-roles-scoped, beyond the pack's fixture cases. */
import { hopLimitProblems } from "../../policy/rules/imdsHopLimit";
import { IAM_ROLE_TYPE, irsaRoleProblems, OIDC_PROVIDER_TYPE } from "../../policy/rules/irsaRoles";
import { makeGraph, GraphResource } from "../../policy/rules/graph";
import { UNKNOWN } from "../helpers/fixtureValues";

test("type tokens match the provider classes' __pulumiType", () => {
  expect(require("@pulumi/aws/iam/openIdConnectProvider").OpenIdConnectProvider.__pulumiType).toBe(OIDC_PROVIDER_TYPE);
  expect(require("@pulumi/aws/iam/role").Role.__pulumiType).toBe(IAM_ROLE_TYPE);
});

describe("hopLimitProblems", () => {
  test.each<[Record<string, unknown>, number]>([
    [{ metadataOptions: { httpPutResponseHopLimit: 1 } }, 0],
    [{ metadataOptions: { httpPutResponseHopLimit: "1" } }, 0],
    [{ metadataOptions: { httpEndpoint: "disabled", httpPutResponseHopLimit: 3 } }, 0],
    [{ metadataOptions: UNKNOWN }, 0],
    [{ metadataOptions: { httpPutResponseHopLimit: UNKNOWN } }, 0],
    [{ metadataOptions: { httpPutResponseHopLimit: 2 } }, 1],
    [{ metadataOptions: {} }, 1],
    [{}, 1],
  ])("%j → %i problem(s)", (props, n) => {
    expect(hopLimitProblems(props)).toHaveLength(n);
  });
});

describe("irsaRoleProblems", () => {
  const HOST = "b.s3.us-east-1.amazonaws.com";
  const ARN = `arn:aws:iam::123456789012:oidc-provider/${HOST}`;
  const provider: GraphResource = {
    urn: "urn:p",
    type: OIDC_PROVIDER_TYPE,
    name: "p",
    props: { arn: ARN, url: `https://${HOST}` },
    protect: false,
    dependencies: [],
    propertyDependencies: {},
  };
  const role = (assumeRolePolicy: unknown, deps: string[] = []): GraphResource => ({
    urn: "urn:r",
    type: IAM_ROLE_TYPE,
    name: "r",
    props: { assumeRolePolicy },
    protect: false,
    dependencies: deps,
    propertyDependencies: { assumeRolePolicy: deps },
  });
  const trust = (federated: string, condition?: unknown) => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Federated: federated }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition }],
  });
  const scoped = { StringEquals: { [`${HOST}:sub`]: "system:serviceaccount:kube-system:a", [`${HOST}:aud`]: "sts.amazonaws.com" } };
  const problems = (...rs: GraphResource[]) => irsaRoleProblems(makeGraph([provider, ...rs])).map((f) => f.message);

  test("a scoped role passes, as a JSON string or an object", () => {
    expect(problems(role(JSON.stringify(trust(ARN, scoped))))).toEqual([]);
    expect(problems(role(trust(ARN, scoped)))).toEqual([]);
  });
  test("an unscoped role fails twice (sub and aud), pointing at the role", () => {
    const f = irsaRoleProblems(makeGraph([provider, role(trust(ARN))]));
    expect(f.map((x) => x.urn)).toEqual(["urn:r", "urn:r"]);
  });
  test("another audience fails", () => {
    const wide = { StringEquals: { ...scoped.StringEquals, [`${HOST}:aud`]: ["sts.amazonaws.com", "other"] } };
    expect(problems(role(trust(ARN, wide)))).toEqual([expect.stringMatching(/only "sts\.amazonaws\.com" may assume it/)]);
  });
  test("roles trusting EC2, another provider, or denying are not its business; an unknown trust waits for `up`", () => {
    expect(
      problems(role({ Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] })),
    ).toEqual([]);
    expect(problems(role(trust("arn:aws:iam::123456789012:oidc-provider/elsewhere.example")))).toEqual([]);
    expect(problems(role({ Statement: [{ ...trust(ARN).Statement[0], Effect: "Deny" }] }))).toEqual([]);
    expect(problems(role(UNKNOWN, ["urn:p"]))).toEqual([]);
  });
  test("in preview, a role depending on the provider is matched even while the provider's ARN is unknown", () => {
    const previewProvider = { ...provider, props: { arn: UNKNOWN, url: UNKNOWN } };
    expect(irsaRoleProblems(makeGraph([previewProvider, role(trust(ARN), ["urn:p"])]))).toHaveLength(2);
  });
});
