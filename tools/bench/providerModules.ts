/** The provider SDK modules the stack program imports, read from its source (for the bench's reference floor). */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const PROGRAM_DIRS = ["stacks", "components"];

/** Module specifiers of `@pulumi/*` provider packages (not the SDK itself) imported by the given sources. */
export function providerImports(sources: string[]): string[] {
  const found = new Set<string>();
  for (const text of sources) {
    for (const m of text.matchAll(/from "(@pulumi\/(?!pulumi\b)[^"]+)"/g)) found.add(m[1]);
  }
  return [...found].sort();
}

export function providerModules(root = ROOT): string[] {
  const files = [path.join(root, "index.ts")];
  for (const dir of PROGRAM_DIRS) {
    for (const f of fs.readdirSync(path.join(root, dir))) if (f.endsWith(".ts")) files.push(path.join(root, dir, f));
  }
  return providerImports(files.map((f) => fs.readFileSync(f, "utf8")));
}
