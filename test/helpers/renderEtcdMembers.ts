/**
 * Child-process script for the etcd integration test:
 *
 *   tsx test/helpers/renderEtcdMembers.ts STACK OUT_DIR
 *
 * Runs the real stack program under the offline runtime and writes what every etcd member has on
 * disk after boot under OUT_DIR/<node>/<absolute path>, exactly as `npm run render` does (same
 * renderNodes, same paths and modes). A separate process because runProgram may run only once per
 * process, never inside jest. Only the etcd groups are rendered: the etcd test must not fail
 * because another role's node files are broken (render.ts renders every node or none).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Plan, PlanResource } from "../../lib/plan/types";
import { runProgram } from "../../tools/offline/runtime";
import { renderNodes } from "../../tools/render/nodes";

const ROOT = path.resolve(__dirname, "../..");

function isNonEtcdGroup(r: PlanResource): boolean {
  if (r.type !== "aws:autoscaling/group:Group") return false;
  const tags = (r.inputs.tags as { key: string; value: string }[] | undefined) ?? [];
  return !tags.some((t) => t.key === "kubestead.io/role" && t.value === "etcd");
}

async function main(): Promise<void> {
  const [stack, out] = process.argv.slice(2);
  if (!stack || !out) throw new Error("usage: tsx test/helpers/renderEtcdMembers.ts STACK OUT_DIR");
  const { plan } = await runProgram({ stack, root: ROOT });
  const etcdOnly: Plan = { ...plan, resources: plan.resources.filter((r) => !isNonEtcdGroup(r)) };
  for (const node of renderNodes(etcdOnly)) {
    for (const f of node.files) {
      const target = path.join(out, node.name, f.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, f.content, { mode: parseInt(f.mode, 8) });
      fs.chmodSync(target, parseInt(f.mode, 8));
    }
    process.stdout.write(`${node.name}\n`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`render failed: ${(e as Error)?.stack ?? e}\n`);
    process.exit(1);
  },
);
