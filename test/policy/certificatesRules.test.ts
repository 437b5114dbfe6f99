/** certExpiryProblem at the edges of its windows: end-time format, the warning band, expiry, and short-lived certificates. */
import { CertView, ExpiryWindow, certExpiryProblem } from "../../policy/rules/certificates";
import { NOW, daysFromNow } from "../helpers/fixtureValues";

const problem = (cert: Partial<CertView>, days: number, w: ExpiryWindow) =>
  certExpiryProblem({ name: "c", ...cert, validityEndTime: daysFromNow(days) }, NOW, w);

describe("certExpiryProblem: end time", () => {
  test.each<[string, unknown]>([
    ["an extended-year ISO date", "+002026-01-01T00:00:00Z"],
    ["a date without time", "2026-01-01"],
    ["a number", 1767225600000],
    ["an impossible date", "2026-13-45T00:00:00Z"],
  ])("%s is not an RFC3339 validityEndTime", (_, end) => {
    expect(certExpiryProblem({ name: "c", validityEndTime: end }, NOW, { withinDays: 30 })).toBe(
      `certificate c has no RFC3339 validityEndTime (got ${JSON.stringify(end)}).`,
    );
  });
});

describe("certExpiryProblem: long-lived certificates", () => {
  const failing: ExpiryWindow = { withinDays: 30 };
  const warning: ExpiryWindow = { withinDays: 90, notWithinDays: 30 };

  test.each<[number, ExpiryWindow, string | undefined]>([
    [30, failing, undefined],
    [29.5, failing, `certificate c expires at ${daysFromNow(29.5)}, in 29 day(s) (threshold 30); re-issue it.`],
    [0.5, failing, `certificate c expires at ${daysFromNow(0.5)}, in 0 day(s) (threshold 30); re-issue it.`],
    [0, failing, `certificate c expired at ${daysFromNow(0)}.`],
    [-2, failing, `certificate c expired at ${daysFromNow(-2)}.`],
    [90, warning, undefined],
    [89, warning, `certificate c expires at ${daysFromNow(89)}, in 89 day(s) (threshold 90); re-issue it.`],
    [30, warning, `certificate c expires at ${daysFromNow(30)}, in 30 day(s) (threshold 90); re-issue it.`],
    [29.9, warning, undefined],
  ])("%s days left against %j: %s", (days, w, want) => {
    expect(problem({ validityPeriodHours: 8760 }, days, w)).toBe(want);
  });

  test("a lifetime one hour past the window is judged by the window, not by early renewal", () => {
    expect(problem({ validityPeriodHours: 721, earlyRenewalHours: 0 }, 10, failing)).toBe(
      `certificate c expires at ${daysFromNow(10)}, in 10 day(s) (threshold 30); re-issue it.`,
    );
  });
});

describe("certExpiryProblem: certificates living no longer than the window", () => {
  const failing: ExpiryWindow = { withinDays: 30 };
  const inRenewal = (days: number, hours: number | string) =>
    `certificate c (valid 720 hours) expires at ${daysFromNow(days)}, inside its ${hours}-hour early-renewal window: \`pulumi up\` re-issues it there; run it.`;

  test.each<[number, Partial<CertView>, string | undefined]>([
    [10, { validityPeriodHours: 720 }, undefined],
    [0.5, { validityPeriodHours: 720 }, undefined],
    [3.5, { validityPeriodHours: 720, earlyRenewalHours: 84 }, undefined],
    [3.25, { validityPeriodHours: 720, earlyRenewalHours: 84 }, inRenewal(3.25, 84)],
    [3.25, { validityPeriodHours: "720", earlyRenewalHours: "84" }, inRenewal(3.25, 84)],
    [0, { validityPeriodHours: 720, earlyRenewalHours: 84 }, `certificate c expired at ${daysFromNow(0)}.`],
    [-1, { validityPeriodHours: 720, earlyRenewalHours: 84 }, `certificate c expired at ${daysFromNow(-1)}.`],
    [-1, { validityPeriodHours: 720 }, `certificate c expired at ${daysFromNow(-1)}.`],
  ])("%s days left with %j: %s", (days, cert, want) => {
    expect(problem(cert, days, failing)).toBe(want);
  });

  test("the warning window says nothing about them, even expired", () => {
    expect(problem({ validityPeriodHours: 720, earlyRenewalHours: 84 }, -1, { withinDays: 90, notWithinDays: 30 })).toBeUndefined();
  });
});
