/**
 * npm run render -- --stack <name> --out DIR
 *
 * Writes, for every node the stack would boot, the files it has on disk after boot under
 * DIR/<node>/<absolute path>, plus DIR/<node>/user-data.yaml (the cloud-config sent to EC2).
 * Secrets fetched at boot are written too: DIR is as sensitive as the nodes themselves.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs, UsageError } from "./args";
import { runProgram } from "./offline/runtime";
import { isConfigError } from "./planErrors";
import { renderNodes } from "./render/nodes";

const ROOT = path.resolve(__dirname, "..");
const USAGE = "usage: npm run render -- [--stack NAME] --out DIR [--node NAME]";

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2), { stack: "dev" }, ["stack", "out", "node"], []);
    if (!args.values.out) throw new UsageError("--out DIR is required");
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  let result;
  try {
    result = await runProgram({ stack: args.values.stack, root: ROOT });
  } catch (e) {
    if (isConfigError(e)) {
      process.stderr.write(`✗ ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
  const out = path.resolve(args.values.out);
  const nodes = renderNodes(result.plan).filter((n) => !args.values.node || n.name === args.values.node);
  for (const node of nodes) {
    const dir = path.join(out, node.name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, "user-data.yaml"), node.userData);
    for (const f of node.files) {
      const target = path.join(dir, f.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, f.content, { mode: parseInt(f.mode, 8) });
      fs.chmodSync(target, parseInt(f.mode, 8));
    }
    const from = (source: string) => node.files.filter((f) => f.source === source).length;
    const store = from("s3") > 0 ? `, ${from("s3")} from the add-on store` : "";
    process.stdout.write(`${node.name}: ${node.files.length} files (${from("ssm")} fetched from SSM at boot${store})\n`);
  }
  process.stdout.write(`rendered ${nodes.length} nodes into ${path.relative(process.cwd(), out) || "."}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`✗ render failed: ${(e as Error)?.message ?? e}\n`);
    process.exit(3);
  },
);
