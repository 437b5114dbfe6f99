/** The Reader's typed getters, called directly: exact values returned and exact problems recorded. */
import { Reader } from "../../../lib/config/reader";

describe("problem: one message per root cause", () => {
  test("the same key, rule and value is recorded once", () => {
    const r = new Reader("ns");
    r.problem("a", "is bad", { x: 1 }, "fix a");
    r.problem("a", "is bad", { x: 1 }, "fix a again");
    expect(r.problems).toEqual([{ key: "ns:a", rule: "is bad", got: { x: 1 }, fix: "fix a" }]);
  });

  test("another key with the same rule and value is recorded", () => {
    const r = new Reader("ns");
    r.problem("a", "is bad", 1, "fix a");
    r.problem("b", "is bad", 1, "fix b");
    expect(r.problems).toEqual([
      { key: "ns:a", rule: "is bad", got: 1, fix: "fix a" },
      { key: "ns:b", rule: "is bad", got: 1, fix: "fix b" },
    ]);
  });

  test("another rule on the same key and value is recorded", () => {
    const r = new Reader("ns");
    r.problem("a", "is bad", 1, "fix 1");
    r.problem("a", "is worse", 1, "fix 2");
    expect(r.problems.map((p) => p.rule)).toEqual(["is bad", "is worse"]);
  });

  test("another value on the same key and rule is recorded", () => {
    const r = new Reader("ns");
    r.problem("a", "is bad", 1, "fix 1");
    r.problem("a", "is bad", 2, "fix 2");
    expect(r.problems.map((p) => p.got)).toEqual([1, 2]);
  });
});

describe("failed: a problem at the path or below it", () => {
  test("a problem at the key itself or below it with '.' counts; elsewhere or a mere prefix does not", () => {
    const r = new Reader("ns");
    expect(r.failed("a")).toBe(false);
    r.problem("a.b", "is bad", 1, "fix");
    expect(r.failed("a")).toBe(true);
    expect(r.failed("a.b")).toBe(true);
    expect(r.failed("b")).toBe(false);
    expect(r.failed("c")).toBe(false);
    expect(r.failed("a.b.c")).toBe(false);
  });

  test("a problem at an element of a list counts for the list", () => {
    const r = new Reader("ns");
    r.problem("list[0]", "is bad", 1, "fix");
    expect(r.failed("list")).toBe(true);
    expect(r.failed("lis")).toBe(false);
    expect(r.failed("other", "list")).toBe(true);
    expect(r.failed("other")).toBe(false);
  });

  test("a key that only starts with the same letters does not count", () => {
    const r = new Reader("ns");
    r.problem("ab", "is bad", 1, "fix");
    expect(r.failed("a")).toBe(false);
    expect(r.failed("ab")).toBe(true);
  });
});

describe("object", () => {
  test("missing or null is an empty mapping, without a problem", () => {
    const r = new Reader("ns");
    expect(r.object(undefined, "o")).toEqual({});
    expect(r.object(null, "o")).toEqual({});
    expect(r.problems).toEqual([]);
  });

  test("a mapping is returned as it is", () => {
    const r = new Reader("ns");
    const raw = { a: 1 };
    expect(r.object(raw, "o")).toBe(raw);
    expect(r.problems).toEqual([]);
  });

  test("a string is refused", () => {
    const r = new Reader("ns");
    expect(r.object("text", "o")).toEqual({});
    expect(r.problems).toEqual([{ key: "ns:o", rule: "must be an object", got: "text", fix: "write ns:o as a YAML mapping" }]);
  });

  test("a list is refused", () => {
    const r = new Reader("ns");
    expect(r.object(["a"], "o.p")).toEqual({});
    expect(r.problems).toEqual([{ key: "ns:o.p", rule: "must be an object", got: ["a"], fix: "write ns:o.p as a YAML mapping" }]);
  });
});

describe("string", () => {
  test("null and the empty string take the default, without a problem", () => {
    const r = new Reader("ns");
    expect(r.string({ s: null }, "s", "p", "dflt")).toBe("dflt");
    expect(r.string({ s: "" }, "s", "p", "dflt")).toBe("dflt");
    expect(r.string({}, "s", "p", "dflt")).toBe("dflt");
    expect(r.problems).toEqual([]);
  });

  test("null and the empty string without a default are required", () => {
    const r = new Reader("ns");
    expect(r.string({ s: null }, "s", "p")).toBe("");
    expect(r.string({ t: "" }, "t", "p")).toBe("");
    expect(r.problems).toEqual([
      { key: "ns:p.s", rule: "is required", got: null, fix: "set ns:p.s" },
      { key: "ns:p.t", rule: "is required", got: "", fix: "set ns:p.t" },
    ]);
  });

  test("a number is refused and returned as text", () => {
    const r = new Reader("ns");
    expect(r.string({ s: 5 }, "s", "p")).toBe("5");
    expect(r.problems).toEqual([{ key: "ns:p.s", rule: "must be a string", got: 5, fix: "quote the value of ns:p.s" }]);
  });
});

describe("int", () => {
  test("null and the empty string take the default, without a problem", () => {
    const r = new Reader("ns");
    expect(r.int({ n: null }, "n", "p", 3, 1, 9)).toBe(3);
    expect(r.int({ n: "" }, "n", "p", 4, 1, 9)).toBe(4);
    expect(r.int({}, "n", "p", 5, 1, 9)).toBe(5);
    expect(r.problems).toEqual([]);
  });

  test("missing without a default is required and gives the minimum", () => {
    const r = new Reader("ns");
    expect(r.int({}, "n", "p", undefined, 2, 9)).toBe(2);
    expect(r.problems).toEqual([{ key: "ns:p.n", rule: "is required", got: undefined, fix: "set ns:p.n to a whole number from 2 to 9" }]);
  });

  test("a number is taken as it is", () => {
    const r = new Reader("ns");
    expect(r.int({ n: 7 }, "n", "p", undefined, 1, 9)).toBe(7);
    expect(r.problems).toEqual([]);
  });

  test.each<[string, number]>([
    ["5", 5],
    ["12", 12],
    ["-3", -3],
    [" 42 ", 42],
    ["\t8\n", 8],
  ])("the text %j is read as the number %d", (text, n) => {
    const r = new Reader("ns");
    expect(r.int({ n: text }, "n", "p", undefined, -100, 100)).toBe(n);
    expect(r.problems).toEqual([]);
  });

  test.each<[unknown]>([["abc"], ["a5"], ["5a"], ["1-2"], ["--1"], ["1.5"], [1.5], [true]])("%j is not a whole number", (value) => {
    const r = new Reader("ns");
    expect(r.int({ n: value }, "n", "p", 3, 1, 9)).toBe(3);
    expect(r.problems).toEqual([
      { key: "ns:p.n", rule: "must be a whole number", got: value, fix: "set ns:p.n to a whole number from 1 to 9" },
    ]);
  });

  test("not a whole number without a default gives the minimum", () => {
    const r = new Reader("ns");
    expect(r.int({ n: "x" }, "n", "", undefined, 2, 9)).toBe(2);
    expect(r.problems).toEqual([{ key: "ns:n", rule: "must be a whole number", got: "x", fix: "set ns:n to a whole number from 2 to 9" }]);
  });

  test("out of range is reported and returned", () => {
    const r = new Reader("ns");
    expect(r.int({ n: "10" }, "n", "p", undefined, 1, 9)).toBe(10);
    expect(r.problems).toEqual([{ key: "ns:p.n", rule: "must be from 1 to 9", got: 10, fix: "set ns:p.n to a whole number from 1 to 9" }]);
  });
});

describe("bool", () => {
  test("null and missing take the default, without a problem", () => {
    const r = new Reader("ns");
    expect(r.bool({ b: null }, "b", "p", true)).toBe(true);
    expect(r.bool({}, "b", "p", false)).toBe(false);
    expect(r.problems).toEqual([]);
  });

  test("true, false and their text are read, without a problem", () => {
    const r = new Reader("ns");
    expect(r.bool({ b: true }, "b", "p", false)).toBe(true);
    expect(r.bool({ b: "true" }, "b", "p", false)).toBe(true);
    expect(r.bool({ b: false }, "b", "p", true)).toBe(false);
    expect(r.bool({ b: "false" }, "b", "p", true)).toBe(false);
    expect(r.problems).toEqual([]);
  });

  test("the empty string is refused", () => {
    const r = new Reader("ns");
    expect(r.bool({ b: "" }, "b", "p", true)).toBe(true);
    expect(r.problems).toEqual([{ key: "ns:p.b", rule: "must be true or false", got: "", fix: "set ns:p.b to true or false" }]);
  });

  test("other text is refused and the default kept", () => {
    const r = new Reader("ns");
    expect(r.bool({ b: "yes" }, "b", "p", false)).toBe(false);
    expect(r.problems).toEqual([{ key: "ns:p.b", rule: "must be true or false", got: "yes", fix: "set ns:p.b to true or false" }]);
  });
});

describe("oneOf", () => {
  test("null takes the default, without a problem", () => {
    const r = new Reader("ns");
    expect(r.oneOf({ o: null }, "o", "p", "a", ["a", "b"])).toBe("a");
    expect(r.problems).toEqual([]);
  });

  test("an allowed value is taken; another is refused", () => {
    const r = new Reader("ns");
    expect(r.oneOf({ o: "b" }, "o", "p", "a", ["a", "b"])).toBe("b");
    expect(r.oneOf({ o: "c" }, "o", "p", "a", ["a", "b"])).toBe("a");
    expect(r.problems).toEqual([{ key: "ns:p.o", rule: "must be one of a, b", got: "c", fix: "set ns:p.o to one of: a, b" }]);
  });
});

describe("stringList", () => {
  test("null and missing take the default, without a problem", () => {
    const r = new Reader("ns");
    expect(r.stringList({ l: null }, "l", "p", ["d"])).toEqual(["d"]);
    expect(r.stringList({}, "l", "p", ["e"])).toEqual(["e"]);
    expect(r.problems).toEqual([]);
  });

  test("missing without a default is required and gives an empty list", () => {
    const r = new Reader("ns");
    expect(r.stringList({}, "l", "p")).toEqual([]);
    expect(r.problems).toEqual([{ key: "ns:p.l", rule: "is required", got: undefined, fix: "set ns:p.l to a list" }]);
  });

  test("a list of strings is taken as it is", () => {
    const r = new Reader("ns");
    expect(r.stringList({ l: ["a", "b"] }, "l", "p")).toEqual(["a", "b"]);
    expect(r.stringList({ l: [] }, "l", "p")).toEqual([]);
    expect(r.problems).toEqual([]);
  });

  test("a list holding a non-string is refused; without a default it gives an empty list", () => {
    const r = new Reader("ns");
    expect(r.stringList({ l: ["a", 1] }, "l", "p")).toEqual([]);
    expect(r.problems).toEqual([
      { key: "ns:p.l", rule: "must be a list of strings", got: ["a", 1], fix: "write ns:p.l as a YAML list of strings" },
    ]);
  });

  test("a list whose first element is not a string is refused", () => {
    const r = new Reader("ns");
    expect(r.stringList({ l: [1, "a"] }, "l", "", ["d"])).toEqual(["d"]);
    expect(r.problems).toEqual([
      { key: "ns:l", rule: "must be a list of strings", got: [1, "a"], fix: "write ns:l as a YAML list of strings" },
    ]);
  });

  test("a string is refused and the default kept", () => {
    const r = new Reader("ns");
    expect(r.stringList({ l: "a,b" }, "l", "p", ["d"])).toEqual(["d"]);
    expect(r.problems).toEqual([
      { key: "ns:p.l", rule: "must be a list of strings", got: "a,b", fix: "write ns:p.l as a YAML list of strings" },
    ]);
  });
});

describe("stringMap", () => {
  test("null and missing are an empty mapping, without a problem", () => {
    const r = new Reader("ns");
    expect(r.stringMap({ m: null }, "m", "p")).toEqual({});
    expect(r.stringMap({}, "m", "p")).toEqual({});
    expect(r.problems).toEqual([]);
  });

  test("a string is refused", () => {
    const r = new Reader("ns");
    expect(r.stringMap({ m: "ab" }, "m", "p")).toEqual({});
    expect(r.problems).toEqual([{ key: "ns:p.m", rule: "must be a mapping of strings", got: "ab", fix: "write ns:p.m as a YAML mapping" }]);
  });

  test("a list is refused", () => {
    const r = new Reader("ns");
    expect(r.stringMap({ m: ["a"] }, "m", "p", true)).toEqual({});
    expect(r.problems).toEqual([
      { key: "ns:p.m", rule: "must be a mapping of strings", got: ["a"], fix: "write ns:p.m as a YAML mapping" },
    ]);
  });

  test("the result is sorted by key", () => {
    const r = new Reader("ns");
    const m = r.stringMap({ m: { zone: "z", app: "a", mid: "m" } }, "m", "p");
    expect(Object.entries(m)).toEqual([
      ["app", "a"],
      ["mid", "m"],
      ["zone", "z"],
    ]);
    expect(r.problems).toEqual([]);
  });

  test("without scalars (the default), booleans and numbers are refused, one problem each", () => {
    const r = new Reader("ns");
    expect(r.stringMap({ m: { a: "x", b: true, c: 1 } }, "m", "p")).toEqual({ a: "x" });
    expect(r.problems).toEqual([
      { key: "ns:p.m.b", rule: "must be a string", got: true, fix: "quote the value of ns:p.m.b" },
      { key: "ns:p.m.c", rule: "must be a string", got: 1, fix: "quote the value of ns:p.m.c" },
    ]);
  });

  test("with scalars, booleans and numbers are taken as text", () => {
    const r = new Reader("ns");
    const m = r.stringMap({ m: { b: true, c: 1, d: false, a: "x" } }, "m", "p", true);
    expect(Object.entries(m)).toEqual([
      ["a", "x"],
      ["b", "true"],
      ["c", "1"],
      ["d", "false"],
    ]);
    expect(r.problems).toEqual([]);
  });

  test("with scalars, null, mappings and lists are still refused", () => {
    const r = new Reader("ns");
    expect(r.stringMap({ m: { a: null, b: { x: 1 }, c: ["y"] } }, "m", "", true)).toEqual({});
    expect(r.problems).toEqual([
      { key: "ns:m.a", rule: "must be a string", got: null, fix: "quote the value of ns:m.a" },
      { key: "ns:m.b", rule: "must be a string", got: { x: 1 }, fix: "quote the value of ns:m.b" },
      { key: "ns:m.c", rule: "must be a string", got: ["y"], fix: "quote the value of ns:m.c" },
    ]);
  });
});
