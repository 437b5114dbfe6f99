// Validates Kubernetes objects against the OpenAPI schemas shipped by kubernetes-models (an
// ESM-only package, hence a separate Node process). Reads a JSON array of objects from the file
// named on the command line; prints one JSON array of problems ([] when every object is valid).
import { readFileSync } from "node:fs";

const objects = JSON.parse(readFileSync(process.argv[2], "utf8"));
const problems = [];
for (const o of objects) {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  const where = `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`;
  let mod;
  try {
    mod = await import(path);
  } catch {
    problems.push(`${where}: no schema for ${o.apiVersion}`);
    continue;
  }
  const Model = mod[o.kind];
  if (!Model) {
    problems.push(`${where}: no kind ${o.kind} in ${o.apiVersion}`);
    continue;
  }
  try {
    new Model(o).validate();
  } catch (e) {
    problems.push(`${where}: ${e.message.split("\n").slice(0, 6).join(" | ")}`);
  }
}
process.stdout.write(JSON.stringify(problems));
