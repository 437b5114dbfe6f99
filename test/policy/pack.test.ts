/**
 * The pack's entry point constructs PolicyPack, which starts a gRPC server: nothing the tests or
 * tools load may import it. This also checks the files the Pulumi CLI needs to run the pack.
 */
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { spawnSync } from "node:child_process";

const root = resolve(__dirname, "../..");
const policyDir = join(root, "policy");

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (f === "node_modules") return [];
    return statSync(p).isDirectory() ? tsFiles(p) : /\.(ts|js|mjs|cjs)$/.test(f) ? [p] : [];
  });
}

// import … from "x", import("x"), require("x"), export … from "x"
const SPEC = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;

function importsPackEntry(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const hits: string[] = [];
  for (const m of text.matchAll(SPEC)) {
    const spec = m[1];
    if (!spec.startsWith(".")) continue;
    const target = resolve(join(file, ".."), spec).replace(/\.(ts|js)$/, "");
    // The directory itself resolves to index.ts through policy/package.json's main.
    if (target === policyDir || target === join(policyDir, "index")) hits.push(`${relative(root, file)} imports ${spec}`);
  }
  return hits;
}

test("nothing in tools/ or test/ imports policy/index.ts", () => {
  const files = [...tsFiles(join(root, "tools")), ...tsFiles(join(root, "test"))];
  expect(files.length).toBeGreaterThan(0);
  expect(files.flatMap(importsPackEntry)).toEqual([]);
});

test("the import scan would catch it", () => {
  const probe = join(root, "test", "policy", "probe.ts");
  const scan = (text: string) =>
    [...text.matchAll(SPEC)]
      .map((m) => resolve(join(probe, ".."), m[1]).replace(/\.(ts|js)$/, ""))
      .filter((t) => t === policyDir || t === join(policyDir, "index"));
  // Spelled in pieces so this file does not match its own scan.
  const dir = "../../pol" + "icy";
  expect(scan(`import "${dir}";\nconst x = require("${dir}/index.ts");\nimport { y } from "${dir}/policies";`)).toHaveLength(2);
});

test("index.ts only builds the pack", () => {
  const text = readFileSync(join(policyDir, "index.ts"), "utf8");
  const code = text
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.trim().startsWith("/**") && !l.trim().startsWith("*") && !l.trim().startsWith("//"));
  expect(code).toEqual([
    'import { PolicyPack } from "@pulumi/policy";',
    'import { policies } from "./policies";',
    'new PolicyPack("kubestead-ha", { policies, enforcementLevel: "advisory" });',
  ]);
});

test("the pack folder has what `pulumi preview --policy-pack policy` needs", () => {
  const pkg = JSON.parse(readFileSync(join(policyDir, "package.json"), "utf8")) as {
    name: string;
    version: string;
    main: string;
    dependencies: Record<string, string>;
  };
  expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(pkg.main).toBe("index.ts");
  expect(pkg.dependencies["@pulumi/policy"]).toMatch(/^\^1\.21/);
  expect(readFileSync(join(policyDir, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
  // BigInt literals in rules/cidr.ts need ES2020+; ts-node's default target is older.
  const ts = JSON.parse(readFileSync(join(policyDir, "tsconfig.json"), "utf8")) as { compilerOptions: { target: string } };
  expect(Number(ts.compilerOptions.target.replace(/\D/g, ""))).toBeGreaterThanOrEqual(2020);
});

test("loading the policies and the runner starts no server", () => {
  // A served PolicyPack keeps the process alive on its gRPC port; a plain import exits at once.
  const out = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "-e",
      "const p = require('./policy/policies'); require('./policy/runner'); console.log('loaded ' + p.policies.length)",
    ],
    {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  expect(out.status).toBe(0);
  // Every policy has a level in policy/prod.json (and nothing else is loaded).
  const levels = Object.keys(JSON.parse(require("node:fs").readFileSync(require("node:path").join(root, "policy", "prod.json"), "utf8")));
  expect(out.stdout.trim()).toBe(`loaded ${levels.length}`);
  expect(levels.length).toBeGreaterThanOrEqual(27);
});
