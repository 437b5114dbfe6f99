/**
 * bootstrap-token-secret on the fixture graph: the happy path passes, each way of breaking it (a
 * result not secret, no expiry, expired, too long-lived, no parts) fails, mandatory in prod and
 * advisory in dev; an expiry unknown during preview is skipped.
 */
import type { Plan } from "../../lib/plan/types";
import type { PolicyPackConfigFile, PolicyReport } from "../../policy/runner";
import devConfig from "../../policy/dev.json";
import prodConfig from "../../policy/prod.json";
import { BOOTSTRAP_TOKEN, UNKNOWN, daysFromNow, find, happyPlan, removeResource, setProp } from "../helpers/policyFixtures";
import { runOnly } from "../helpers/runOnly";

const POLICY = "bootstrap-token-secret";
const prod = prodConfig as PolicyPackConfigFile;
const dev = devConfig as PolicyPackConfigFile;
// Every assertion here reads this policy's findings only, so only this policy runs.
const run = (plan: Plan, config: PolicyPackConfigFile = prod) => runOnly(plan, [POLICY], config);
const mine = (r: PolicyReport) => r.violations.filter((v) => v.policy === POLICY);
const SECRET = `${BOOTSTRAP_TOKEN}-secret`;

describe(POLICY, () => {
  test("the happy path passes, and the policy looked at it", () => {
    const r = run(happyPlan());
    expect(mine(r)).toEqual([]);
    expect(r.evaluated[POLICY]).toBe(1);
  });

  test.each<[string, (p: Plan) => void, RegExp]>([
    [
      "a RandomString whose result is not secret",
      (p) => {
        const r = find(p, SECRET);
        r.type = "random:index/randomString:RandomString";
        r.options.additionalSecretOutputs = [];
      },
      /kc-bootstrap-token-secret \(random:index\/randomString:RandomString\) keeps its result in plain text.*RandomPassword/,
    ],
    [
      "no expiry among the keepers",
      (p) => setProp(p, SECRET, "keepers", { window: daysFromNow(-10) }),
      /has no expiry \(keepers\.expiration got null\)/,
    ],
    ["an expiry that is not RFC 3339", (p) => setProp(p, SECRET, "keepers.expiration", "next month"), /has no expiry/],
    [
      "an expired token",
      (p) => setProp(p, SECRET, "keepers.expiration", daysFromNow(-1).replace(/\.000Z$/, "Z")),
      /expired at .*nodes cannot join/,
    ],
    [
      "a token living for a year",
      (p) => setProp(p, SECRET, "keepers.expiration", daysFromNow(365).replace(/\.000Z$/, "Z")),
      /at most 180.*bootstrapTokenMaxAgeDays/,
    ],
    [
      "a token component without its random parts",
      (p) => {
        removeResource(p, SECRET);
        removeResource(p, `${BOOTSTRAP_TOKEN}-id`);
      },
      /kc-bootstrap-token has no random resources under it/,
    ],
  ])("%s fails: mandatory in prod, advisory in dev", (_name, change, message) => {
    const plan = happyPlan();
    change(plan);
    const p = mine(run(plan));
    expect(p).toHaveLength(1);
    expect(p[0].message).toMatch(message);
    expect(p[0].enforcementLevel).toBe("mandatory");
    expect(mine(run(plan, dev)).map((v) => v.enforcementLevel)).toEqual(["advisory"]);
  });

  test("an expiry unknown during preview is not reported", () => {
    const plan = happyPlan();
    setProp(plan, SECRET, "keepers.expiration", UNKNOWN);
    expect(mine(runOnly(plan, [POLICY], prod, { preview: true }))).toEqual([]);
  });

  test("a stack without a bootstrap token is not its business", () => {
    const plan = happyPlan();
    for (const n of [SECRET, `${BOOTSTRAP_TOKEN}-id`, BOOTSTRAP_TOKEN]) removeResource(plan, n);
    const r = run(plan);
    expect(mine(r)).toEqual([]);
    expect(r.evaluated[POLICY]).toBe(0);
  });
});
