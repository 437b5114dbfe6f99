/** bootstrap-token-secret on hand-built token views: which random parts keep their result secret, and the expiry's bounds. */
import { MAX_TOKEN_LIFETIME_DAYS, TokenPart, bootstrapTokenProblems } from "../../policy/rules/bootstrapToken";

const NOW = new Date("2026-03-01T00:00:00Z");
const daysFromNow = (d: number): string => new Date(NOW.getTime() + d * 86_400_000).toISOString();

const PASSWORD = "random:index/randomPassword:RandomPassword";
const BYTES = "random:index/randomBytes:RandomBytes";
const STRING = "random:index/randomString:RandomString";
const IN_A_MONTH = daysFromNow(30);

const part = (type: string, additionalSecretOutputs: string[], keepers: unknown = { expiration: IN_A_MONTH }): TokenPart => ({
  urn: "part",
  name: "kc-token-secret",
  type,
  additionalSecretOutputs,
  keepers,
});

const problems = (p: TokenPart) => bootstrapTokenProblems([{ urn: "token", name: "kc-token", parts: [p] }], NOW);

const plainText = (type: string) =>
  `bootstrap token part kc-token-secret (${type}) keeps its result in plain text in state and the plan: use random.RandomPassword, or set additionalSecretOutputs: ["result"].`;

describe("bootstrapTokenProblems: secret result", () => {
  test.each<[string, TokenPart, string[]]>([
    ["a RandomPassword is secret by its schema", part(PASSWORD, []), []],
    ["RandomBytes are secret by their schema", part(BYTES, []), []],
    ["a RandomString made secret by additionalSecretOutputs", part(STRING, ["result"]), []],
    ["a RandomString with its result in plain text", part(STRING, []), [plainText(STRING)]],
    ["a RandomString with another output made secret", part(STRING, ["special"]), [plainText(STRING)]],
  ])("%s", (_name, p, messages) => {
    expect(problems(p)).toStrictEqual(messages.map((message) => ({ urn: "part", message })));
  });
});

describe("bootstrapTokenProblems: expiry", () => {
  const noExpiry = (got: string) =>
    `bootstrap token part kc-token-secret has no expiry (keepers.expiration got ${got}): derive it from the rotation window (lib/bootstrapTokenWindow.ts) so the token expires and rotates.`;
  const expired = (at: string) =>
    `bootstrap token part kc-token-secret expired at ${at}: nodes cannot join until pulumi up makes a new token.`;
  const tooLong = (at: string, days: number) =>
    `bootstrap token part kc-token-secret expires at ${at}, ${days} days from now (at most ${MAX_TOKEN_LIFETIME_DAYS}): lower pki.bootstrapTokenMaxAgeDays.`;
  const atNow = NOW.toISOString();
  const aSecondAgo = new Date(NOW.getTime() - 1000).toISOString();
  const atMax = daysFromNow(MAX_TOKEN_LIFETIME_DAYS);
  const justPastMax = new Date(Date.parse(atMax) + 1000).toISOString();
  // Date.parse reads this as a date in 2001 (a number, then a comment that runs to the end), so only the pattern refuses it.
  const afterText = "1(2026-04-01T00:00:00Z";

  test.each<[string, string, string[]]>([
    ["an expiry a second ago", aSecondAgo, [expired(aSecondAgo)]],
    ["an expiry at this very moment", atNow, [expired(atNow)]],
    ["an expiry a month away", IN_A_MONTH, []],
    ["an expiry at the longest lifetime", atMax, []],
    ["an expiry a second past the longest lifetime", justPastMax, [tooLong(justPastMax, MAX_TOKEN_LIFETIME_DAYS)]],
    ["an RFC 3339 time after other text", afterText, [noExpiry(JSON.stringify(afterText))]],
  ])("%s", (_name, expiration, messages) => {
    expect(problems(part(PASSWORD, [], { expiration }))).toStrictEqual(messages.map((message) => ({ urn: "part", message })));
  });
});
