/**
 * The benchmark's floor: N bare custom resources of a fake type and no inputs, registered through
 * the same mock runtime as the real program. What is left over when the program does no work:
 * SDK registration, the mock monitor and tools/offline/runtime.ts's recording of each resource.
 * N comes from config (`bench:resources`) so it travels the same path as a stack's config.
 *
 * Two references for reading the result, never the target: `bench:providers` also loads the
 * provider SDK modules the program imports; `bench:shape` gives each bare resource the shape of
 * one planned resource's data (./shape.ts).
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceShape } from "./shape";

/** A custom resource of a fake type; AwsEmulator.generic echoes its inputs with a derived ID. */
class Bare extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs = {}) {
    super("kubestead:bench:Bare", name, props, {});
  }
}

const config = new pulumi.Config("bench");
for (const m of config.getObject<string[]>("providers") ?? []) require(m);
const count = config.requireNumber("resources");
const shapeFile = config.get("shape");
const shapes: ResourceShape[] = shapeFile ? JSON.parse(fs.readFileSync(shapeFile, "utf8")) : [];
if (shapeFile && shapes.length !== count) {
  throw new Error(`bench:shape has ${shapes.length} resources, bench:resources says ${count}`);
}
for (let i = 0; i < count; i++) {
  const shape = shapes[i];
  const props: pulumi.Inputs = {};
  for (const [k, v] of Object.entries(shape?.props ?? {}))
    props[k] = shape.secret.includes(k) ? pulumi.secret(v) : v === null ? undefined : v;
  new Bare(`bare-${i}`, props);
}
