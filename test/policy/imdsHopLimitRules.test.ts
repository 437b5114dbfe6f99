/** hopLimitProblems: the exact message for each way a hop limit can be wrong, and when it is fine. */
import { hopLimitProblems } from "../../policy/rules/imdsHopLimit";
import { UNKNOWN } from "../helpers/fixtureValues";

const unset =
  "metadataOptions.httpPutResponseHopLimit is unset (the AMI's default applies, 2 on AMIs registered for IMDSv2): set it to 1 so pods cannot reach the node's credentials.";
const tooHigh = (shown: string) =>
  `metadataOptions.httpPutResponseHopLimit is ${shown}: every pod on the node can reach IMDS and act as its role; set it to 1 and give pods that need AWS their own role.`;

describe("hopLimitProblems", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ["no metadataOptions at all", {}, [unset]],
    ["metadataOptions without a hop limit", { metadataOptions: {} }, [unset]],
    ["a hop limit set to null", { metadataOptions: { httpPutResponseHopLimit: null } }, [unset]],
    ["a hop limit of 1", { metadataOptions: { httpPutResponseHopLimit: 1 } }, []],
    ["a hop limit of 1 as a string", { metadataOptions: { httpPutResponseHopLimit: "1" } }, []],
    ["a hop limit of 2", { metadataOptions: { httpPutResponseHopLimit: 2 } }, [tooHigh("2")]],
    ["a hop limit of 0", { metadataOptions: { httpPutResponseHopLimit: 0 } }, [tooHigh("0")]],
    ["a hop limit that is no number", { metadataOptions: { httpPutResponseHopLimit: "two" } }, [tooHigh('"two"')]],
    ["the metadata service disabled", { metadataOptions: { httpEndpoint: "disabled", httpPutResponseHopLimit: 3 } }, []],
    ["the metadata service enabled", { metadataOptions: { httpEndpoint: "enabled", httpPutResponseHopLimit: 3 } }, [tooHigh("3")]],
    ["metadataOptions unknown in preview", { metadataOptions: UNKNOWN }, []],
    ["a hop limit unknown in preview", { metadataOptions: { httpPutResponseHopLimit: UNKNOWN } }, []],
  ])("%s", (_what, props, want) => {
    expect(hopLimitProblems(props)).toStrictEqual(want);
  });
});
