/** Loosely typed prop readers: asRecord keeps plain records only, asNumber accepts finite numbers and numeric strings. */
import { asNumber, asRecord } from "../../policy/rules/unknown";
import { UNKNOWN } from "../helpers/fixtureValues";

describe("asRecord", () => {
  test("returns a plain record itself", () => {
    const r = { a: 1 };
    expect(asRecord(r)).toBe(r);
  });

  test.each<[string, unknown]>([
    ["null", null],
    ["undefined", undefined],
    ["a list", [{ a: 1 }]],
    ["a number", 5],
    ["a string", "x"],
    ["an unknown", UNKNOWN],
    ["true", true],
  ])("%s is not a record", (_, v) => {
    expect(asRecord(v)).toBeUndefined();
  });
});

describe("asNumber", () => {
  test.each<[unknown, number]>([
    [3, 3],
    [0, 0],
    [-1.5, -1.5],
    ["168", 168],
    [" 84 ", 84],
    ["0", 0],
    ["1e3", 1000],
  ])("%j reads as %d", (v, want) => {
    expect(asNumber(v)).toBe(want);
  });

  test.each<[string, unknown]>([
    ["an empty string", ""],
    ["a blank string", "   "],
    ["a non-numeric string", "12h"],
    ["an infinite string", "Infinity"],
    ["an unknown", UNKNOWN],
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["null", null],
    ["undefined", undefined],
    ["true", true],
    ["a list", [1]],
    ["a record", { n: 1 }],
  ])("%s is not a number", (_, v) => {
    expect(asNumber(v)).toBeUndefined();
  });
});
