/**
 * The shared release pattern (lib/config/patterns.ts) at its edges: it accepts every shape a
 * release takes and refuses a value that differs in one place (an anchor, a repeat, a digit).
 */
import { SEMVER } from "../../../lib/config/patterns";

describe("SEMVER", () => {
  it.each(["1.2.3", "10.20.30", "0.0.0"])("accepts %p", (v) => expect(SEMVER.test(v)).toBe(true));
  it.each(["1.2", "v1.2.3", "1.2.3-rc.1", "1.2.x", "a.2.3", "1.b.3"])("refuses %p", (v) => expect(SEMVER.test(v)).toBe(false));
});
