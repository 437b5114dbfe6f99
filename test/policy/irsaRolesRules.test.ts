/** irsaRoleProblems on small hand-built graphs: which providers and roles it reads, how it matches a trust to a provider. */
import { IAM_ROLE_TYPE, irsaRoleProblems, OIDC_PROVIDER_TYPE } from "../../policy/rules/irsaRoles";
import { GraphResource, makeGraph } from "../../policy/rules/graph";
import { UNKNOWN } from "../helpers/fixtureValues";
import { graphResource } from "../helpers/graphResource";

const HOST = "oidc.example.com/id/ABC";
const ARN = `arn:aws:iam::123456789012:oidc-provider/${HOST}`;
const SUB = `${HOST}:sub`;
const AUD = `${HOST}:aud`;

const resource = (urn: string, type: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}) =>
  graphResource(urn, type, props, deps, urn.replace(/^urn:/, ""));
const provider = (props: Record<string, unknown>) => resource("urn:p", OIDC_PROVIDER_TYPE, props);
const role = (assumeRolePolicy: unknown, deps: string[] = []) =>
  resource("urn:r", IAM_ROLE_TYPE, { assumeRolePolicy }, deps.length ? { assumeRolePolicy: deps } : {});
const statement = (federated: string, condition?: unknown) => ({
  Effect: "Allow",
  Principal: { Federated: federated },
  Action: "sts:AssumeRoleWithWebIdentity",
  Condition: condition,
});
const trust = (federated: string, condition?: unknown) => ({ Version: "2012-10-17", Statement: [statement(federated, condition)] });
const messages = (...rs: GraphResource[]) => irsaRoleProblems(makeGraph(rs)).map((f) => f.message);

const NO_SUB = `Role r trusts the cluster's OIDC provider (${HOST}) but has no StringEquals condition on "${SUB}": any service account of the cluster could assume it; condition it on one, system:serviceaccount:<namespace>:<name>.`;
const NO_AUD = `Role r trusts the cluster's OIDC provider (${HOST}) but has no StringEquals condition on "${AUD}": condition it on "sts.amazonaws.com".`;
const UNSCOPED = [NO_SUB, NO_AUD];
const known = provider({ arn: ARN, url: `https://${HOST}` });

describe("which provider a role trusts", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ["its known ARN alone (URL unknown)", { arn: ARN, url: UNKNOWN }, UNSCOPED],
    ["its https URL alone (ARN unknown)", { arn: UNKNOWN, url: `https://${HOST}` }, UNSCOPED],
    ["its URL with trailing slashes", { arn: UNKNOWN, url: `https://${HOST}//` }, UNSCOPED],
    ["its URL stored without the scheme", { url: HOST }, UNSCOPED],
    ["neither (both empty)", { arn: "", url: "" }, []],
    ["neither (another host)", { arn: UNKNOWN, url: "https://oidc.example.com/id/OTHER" }, []],
  ])("a provider matched by %s", (_, props, expected) => {
    expect(messages(provider(props), role(trust(ARN)))).toEqual(expected);
  });

  test("the scheme is stripped only at the start of the URL", () => {
    const host = "oidc.example.com/https://x";
    expect(messages(provider({ url: host }), role(trust(`arn:aws:iam::123456789012:oidc-provider/${host}`)))).toEqual([
      `Role r trusts the cluster's OIDC provider (${host}) but has no StringEquals condition on "${host}:sub": any service account of the cluster could assume it; condition it on one, system:serviceaccount:<namespace>:<name>.`,
      `Role r trusts the cluster's OIDC provider (${host}) but has no StringEquals condition on "${host}:aud": condition it on "sts.amazonaws.com".`,
    ]);
  });

  test("a resource of another type carrying the same ARN and URL is no provider", () => {
    const lookalike = resource("urn:x", "aws:iam/samlProvider:SamlProvider", { arn: ARN, url: `https://${HOST}` });
    expect(messages(lookalike, role(trust(ARN), ["urn:x"]))).toEqual([]);
  });

  test("a role depending on the provider is not checked on a Federated principal that is no OIDC provider ARN", () => {
    expect(messages(provider({ arn: UNKNOWN, url: UNKNOWN }), role(trust("cognito-identity.amazonaws.com"), ["urn:p"]))).toEqual([]);
  });
});

describe("which trust policies are read", () => {
  test("only IAM roles are checked", () => {
    const notARole = resource("urn:x", "aws:iam/policy:Policy", { assumeRolePolicy: trust(ARN) });
    expect(messages(known, notARole)).toEqual([]);
  });

  test.each<[string, unknown]>([
    ["absent", undefined],
    ["not JSON", "{not json"],
    ["with an unknown condition value", trust(ARN, { StringEquals: { [SUB]: UNKNOWN, [AUD]: "sts.amazonaws.com" } })],
  ])("a trust policy %s is skipped", (_, policy) => {
    expect(messages(known, role(policy))).toEqual([]);
  });

  test("a single Statement object (not a list) is checked", () => {
    expect(messages(known, role({ Version: "2012-10-17", Statement: statement(ARN) }))).toEqual(UNSCOPED);
  });
});

describe("the conditions of a trusting statement", () => {
  const cond = (sub: unknown, aud: unknown) => ({ StringEquals: { [SUB]: sub, [AUD]: aud } });
  test.each<[string, unknown, unknown, string[]]>([
    ["one service account and sts", "system:serviceaccount:kube-system:a", "sts.amazonaws.com", []],
    [
      "a subject with a trailing segment",
      "system:serviceaccount:kube-system:a:b",
      "sts.amazonaws.com",
      [
        `Role r trusts the cluster's OIDC provider (${HOST}) but conditions "${SUB}" on ["system:serviceaccount:kube-system:a:b"]: it must name exactly one service account, system:serviceaccount:<namespace>:<name>.`,
      ],
    ],
    [
      "an empty audience list",
      "system:serviceaccount:kube-system:a",
      [],
      [`Role r trusts the cluster's OIDC provider (${HOST}) but conditions "${AUD}" on []: only "sts.amazonaws.com" may assume it.`],
    ],
  ])("%s", (_, sub, aud, expected) => {
    expect(messages(known, role(trust(ARN, cond(sub, aud))))).toEqual(expected);
  });
});
