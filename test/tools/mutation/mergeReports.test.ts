import { mergeReports, MutationReport, tally } from "../../../tools/mutation/mergeReports";

function run(file: string, testFile: string, statuses: string[]): MutationReport {
  return {
    schemaVersion: "1.0",
    files: {
      [file]: {
        source: "src",
        mutants: statuses.map((status, i) => ({
          id: String(i),
          status,
          coveredBy: ["0", "1"],
          ...(status === "Killed" ? { killedBy: ["1"] } : {}),
        })),
      },
    },
    testFiles: {
      [testFile]: {
        source: "t",
        tests: [
          { id: "0", name: `${file} a` },
          { id: "1", name: `${file} b` },
        ],
      },
    },
  };
}

describe("mergeReports", () => {
  test("keeps every run's files and renames test ids so two runs' ids never meet", () => {
    const a = run("lib/a.ts", "test/a.test.ts", ["Killed"]);
    const b = run("policy/rules/b.ts", "test/a.test.ts", ["Survived"]);
    const m = mergeReports([a, b]);
    expect(Object.keys(m.files).sort()).toEqual(["lib/a.ts", "policy/rules/b.ts"]);
    expect(m.files["lib/a.ts"].mutants[0]).toMatchObject({ coveredBy: ["0-0", "0-1"], killedBy: ["0-1"] });
    expect(m.files["policy/rules/b.ts"].mutants[0]).toMatchObject({ coveredBy: ["1-0", "1-1"] });
    expect(m.files["policy/rules/b.ts"].mutants[0]).not.toHaveProperty("killedBy");
    const ids = m.testFiles!["test/a.test.ts"].tests.map((t) => t.id);
    expect(ids).toEqual(["0-0", "0-1", "1-0", "1-1"]);
    // Every id a mutant names exists among the tests.
    for (const f of Object.values(m.files))
      for (const mu of f.mutants) for (const t of [...(mu.coveredBy ?? []), ...(mu.killedBy ?? [])]) expect(ids).toContain(t);
  });

  test("a file mutated in two runs keeps the later run's mutants", () => {
    const m = mergeReports([run("lib/a.ts", "test/a.test.ts", ["Survived"]), run("lib/a.ts", "test/b.test.ts", ["Killed", "Killed"])]);
    expect(m.files["lib/a.ts"].mutants.map((x) => x.status)).toEqual(["Killed", "Killed"]);
  });

  test("refuses to merge nothing", () => {
    expect(() => mergeReports([])).toThrow("nothing to merge");
  });
});

describe("tally", () => {
  test("scores detected over valid mutants per group; compile errors and ignored mutants do not count", () => {
    const r = run("lib/a.ts", "t", ["Killed", "Timeout", "Survived", "NoCoverage", "CompileError", "Ignored", "Killed", "Killed"]);
    const t = tally(r, () => "lib").get("lib")!;
    expect(t).toEqual({ killed: 4, survived: 1, noCoverage: 1, ignored: 1, invalid: 1, score: (100 * 4) / 6 });
  });

  test("at 9 detected of 10 the score is exactly 90", () => {
    const r = run("x.ts", "t", [...Array(9).fill("Killed"), "Survived"]);
    expect(tally(r, () => "x").get("x")!.score).toBe(90);
  });

  test("an unknown status is an error, not a silent zero", () => {
    expect(() => tally(run("x.ts", "t", ["Pending"]), () => "x")).toThrow("x.ts: mutant 0 has an unknown status Pending");
  });
});
