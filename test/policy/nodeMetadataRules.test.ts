/** imdsProblems on node (launch template or instance) props. */
import { imdsProblems } from "../../policy/rules/nodeMetadata";
import { UNKNOWN } from "../helpers/fixtureValues";

const tokensNot = (v: string) => `metadataOptions.httpTokens is ${v}; set it to "required" (IMDSv2).`;

describe("imdsProblems: IMDSv2 session tokens required", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ['httpTokens "required"', { metadataOptions: { httpTokens: "required" } }, []],
    ['httpTokens "optional"', { metadataOptions: { httpTokens: "optional" } }, [tokensNot('"optional"')]],
    ["httpTokens unset: IMDSv1 allowed", { metadataOptions: { httpPutResponseHopLimit: 1 } }, [tokensNot('"unset (optional)"')]],
    ["no metadataOptions", {}, [tokensNot('"unset (optional)"')]],
    ["metadataOptions unknown in preview: decided on update", { metadataOptions: UNKNOWN }, []],
    ["httpTokens unknown in preview", { metadataOptions: { httpTokens: UNKNOWN, httpEndpoint: "enabled" } }, []],
    ["the metadata endpoint disabled", { metadataOptions: { httpTokens: "optional", httpEndpoint: "disabled" } }, []],
    [
      'httpTokens "optional" with the endpoint enabled',
      { metadataOptions: { httpTokens: "optional", httpEndpoint: "enabled" } },
      [tokensNot('"optional"')],
    ],
  ])("%s", (_what, props, want) => {
    expect(imdsProblems(props)).toStrictEqual(want);
  });
});
