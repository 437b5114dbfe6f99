/**
 * Every mutant no test can kill is marked where it lives, with
 * `// Stryker disable next-line <Mutator>: <reason>` (Stryker then reports it as Ignored, outside
 * the score), and listed in equivalent-mutants.md with the same reason. This keeps the two in step:
 * a mark without a row, or a row without a mark, fails.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const LIST = path.join(__dirname, "equivalent-mutants.md");
const MARK = /\/\/ Stryker disable next-line ([A-Za-z,]+): (.+)$/;

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

/** "file | Mutator | reason" for every mark in one source file's text. */
function marksIn(file: string, text: string): string[] {
  return text.split("\n").flatMap((line) => {
    const m = MARK.exec(line.trim());
    return m ? [`${file} | ${m[1]} | ${m[2].trim()}`] : [];
  });
}

function marks(): string[] {
  const files = ["lib", "policy", "bootstrap"].flatMap((dir) => walk(path.join(ROOT, dir)));
  return files.flatMap((f) => marksIn(path.relative(ROOT, f), fs.readFileSync(f, "utf8"))).sort();
}

/** "file | Mutator | reason" for every row of the marked table (rows start with a `file`, no line). */
function rowsIn(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => /^\| `[^`:]+` \|/.test(l))
    .map((l) => {
      const cells = l.split(" | ").map((c) => c.replace(/^\| /, "").replace(/ \|$/, "").trim());
      return `${cells[0].replace(/`/g, "")} | ${cells[1]} | ${cells[2]}`;
    });
}

const rows = () => rowsIn(fs.readFileSync(LIST, "utf8")).sort();

test("every equivalent-mutant mark in the source is listed with its reason, and every listed one is marked", () => {
  expect(marks()).toEqual(rows());
});

test("a mark and a row in their formats read as the same entry; header and other lines are not rows", () => {
  const source = "const a = 1;\n  // Stryker disable next-line EqualityOperator: n is never 0 here\nif (n > 0) f();\n";
  const list = "| File | Mutator | Why |\n| ---- | --- | --- |\n| `lib/x.ts` | EqualityOperator | n is never 0 here |\ntext\n";
  expect(marksIn("lib/x.ts", source)).toEqual(["lib/x.ts | EqualityOperator | n is never 0 here"]);
  expect(rowsIn(list)).toEqual(marksIn("lib/x.ts", source));
  expect(rowsIn(list.replace("EqualityOperator", "ConditionalExpression"))).not.toEqual(marksIn("lib/x.ts", source));
});

test("no mark silences a whole file or every mutator", () => {
  for (const dir of ["lib", "policy", "bootstrap"]) {
    for (const file of walk(path.join(ROOT, dir))) {
      const text = fs.readFileSync(file, "utf8");
      expect({ file, all: /Stryker disable all/.test(text) }).toEqual({ file, all: false });
      expect({ file, wholeFile: /Stryker disable (?!next-line)/.test(text) }).toEqual({ file, wholeFile: false });
    }
  }
});

/**
 * The unmarked table: mutants a mark cannot single out (a mark covers every mutant of its mutator
 * on the line, killable ones too), each at `file:line` with the original code and its replacement.
 */
interface Unmarked {
  file: string;
  line: number;
  original: string;
  replacement: string;
  reason: string;
}

function unmarkedIn(text: string): Unmarked[] {
  return text
    .split("\n")
    .filter((l) => /^\| `[^`]+:\d+` \|/.test(l))
    .map((l) => {
      const m = /^\| `([^`]+):(\d+)` \| `(.+)` → `(.+)` \| (.+) \|$/.exec(l);
      if (!m) throw new Error(`unmarked row not in the form | \`file:line\` | \`original\` → \`replacement\` | reason |: ${l}`);
      // A pipe in a cell is written `\|` so the table renders; the code has a bare one.
      const cell = (c: string) => c.replace(/\\\|/g, "|");
      return { file: m[1], line: Number(m[2]), original: cell(m[3]), replacement: cell(m[4]), reason: m[5] };
    });
}

test("every unmarked equivalent mutant names code that is still at its line, and a reason", () => {
  const list = unmarkedIn(fs.readFileSync(LIST, "utf8"));
  for (const u of list) {
    const lines = fs.readFileSync(path.join(ROOT, u.file), "utf8").split("\n");
    expect({ at: `${u.file}:${u.line}`, has: lines[u.line - 1]?.includes(u.original) }).toEqual({ at: `${u.file}:${u.line}`, has: true });
    expect(u.replacement).not.toBe(u.original);
    expect(u.reason.length).toBeGreaterThan(20);
  }
});

test("a pipe escaped in a cell reads as the code's bare pipe", () => {
  const row = "| `lib/x.ts:3` | `a \\|\\| b` → `true` | the filter only saves work on strings that cannot match |";
  expect(unmarkedIn(row)).toEqual([
    {
      file: "lib/x.ts",
      line: 3,
      original: "a || b",
      replacement: "true",
      reason: "the filter only saves work on strings that cannot match",
    },
  ]);
});

test("an unmarked row reads as one; a marked row is not one, and a moved line is caught", () => {
  const row = "| `lib/x.ts:2` | `n >= 110` → `n > 110` | n is 2^k - 2 and never exactly 110 |";
  expect(unmarkedIn(row)).toEqual([
    { file: "lib/x.ts", line: 2, original: "n >= 110", replacement: "n > 110", reason: "n is 2^k - 2 and never exactly 110" },
  ]);
  expect(rowsIn(row)).toEqual([]);
  expect(unmarkedIn("| `lib/x.ts` | EqualityOperator | n is never 0 here |")).toEqual([]);
  expect(() => unmarkedIn("| `lib/x.ts:2` | n >= 110 | why |")).toThrow(/not in the form/);
});
