/** How a config problem reads (lib/config/problems.ts): the value as written, the place, the count. */
import { ConfigError, formatGot, formatLocatedProblem, Problem } from "../../../lib/config/problems";

const problem = (over: Partial<Problem> = {}): Problem => ({
  key: "kubestead:etcd.members",
  rule: "must be odd and ≥ 3",
  got: 4,
  fix: "set it to 3 or 5",
  ...over,
});

describe("formatGot", () => {
  it("quotes strings, writes other values as JSON, and says nothing for a missing value", () => {
    expect(formatGot("3.6")).toBe('"3.6"');
    expect(formatGot("")).toBe('""');
    expect(formatGot(4)).toBe("4");
    expect(formatGot(false)).toBe("false");
    expect(formatGot(null)).toBe("null");
    expect(formatGot(["a", 1])).toBe('["a",1]');
    expect(formatGot({ a: "b" })).toBe('{"a":"b"}');
    expect(formatGot(undefined)).toBe("nothing");
  });

  it("prints a value JSON has no text for as JavaScript does", () => {
    expect(formatGot(Symbol("x"))).toBe("Symbol(x)");
  });
});

describe("ConfigError", () => {
  it("counts one problem in the singular, each on its own line with its place", () => {
    const err = new ConfigError("dev", [problem({ where: "Pulumi.dev.yaml:4:5" })]);
    expect(err.message).toBe(
      'invalid configuration for stack "dev" (1 problem):\n  - Pulumi.dev.yaml:4:5: kubestead:etcd.members must be odd and ≥ 3 (got 4): set it to 3 or 5',
    );
    expect(err.name).toBe("ConfigError");
  });

  it("counts several problems in the plural, one line each, in the order found", () => {
    const second = problem({ key: "kubestead:zones", rule: "must list at least 3 availability zones", got: ["a"], fix: "list three" });
    const err = new ConfigError("prod", [problem(), second]);
    expect(err.message).toBe(
      [
        'invalid configuration for stack "prod" (2 problems):',
        "  - kubestead:etcd.members must be odd and ≥ 3 (got 4): set it to 3 or 5",
        '  - kubestead:zones must list at least 3 availability zones (got ["a"]): list three',
      ].join("\n"),
    );
    expect(err.problems).toEqual([problem(), second]);
    expect(formatLocatedProblem(second)).toBe('kubestead:zones must list at least 3 availability zones (got ["a"]): list three');
  });
});
