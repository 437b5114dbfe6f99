import fc from "fast-check";
import { bootstrapTokenWindow } from "../../lib/bootstrapTokenWindow";

const DAY = 86_400_000;

describe("bootstrap token rotation windows", () => {
  test("a deploy inside the same window keeps the token; the first one after it rotates", () => {
    const w = bootstrapTokenWindow(new Date("2026-12-06T12:00:00Z"), 30);
    expect(w).toEqual({
      index: 693, // 30-day windows counted from 1970-01-01
      start: "2026-12-03T00:00:00Z",
      end: "2027-01-02T00:00:00Z",
      expiration: "2027-02-01T00:00:00Z",
    });
    expect(bootstrapTokenWindow(new Date("2027-01-01T23:59:59Z"), 30).start).toBe(w.start);
    expect(bootstrapTokenWindow(new Date("2027-01-02T00:00:00Z"), 30).start).toBe(w.end);
  });

  test("every token lives at least maxAgeDays and at most twice that; none is handed out longer than maxAgeDays", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 90 }),
        fc.date({ min: new Date("2020-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
        (days, now) => {
          const w = bootstrapTokenWindow(now, days);
          const made = now.getTime();
          const lifetime = Date.parse(w.expiration) - made;
          expect(lifetime).toBeGreaterThan(days * DAY - 1);
          expect(lifetime).toBeLessThanOrEqual(2 * days * DAY);
          // Handed out (written to SSM) from now until the window ends: never longer than maxAgeDays.
          expect(Date.parse(w.end) - made).toBeLessThanOrEqual(days * DAY);
          expect(Date.parse(w.start)).toBeLessThanOrEqual(made);
        },
      ),
    );
  });

  test("changing maxAgeDays moves the window, so the token rotates", () => {
    const now = new Date("2026-12-20T12:00:00Z");
    expect(bootstrapTokenWindow(now, 7).start).toBe("2026-12-17T00:00:00Z");
    expect(bootstrapTokenWindow(now, 30).start).toBe("2026-12-03T00:00:00Z");
  });

  test.each([0, 1.5, -3])("refuses maxAgeDays %p", (d) => {
    expect(() => bootstrapTokenWindow(new Date(), d)).toThrow(/pki\.bootstrapTokenMaxAgeDays/);
  });
});
