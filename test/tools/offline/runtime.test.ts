/** The offline runtime's own parts: the wire-value reader, the SDK bookkeeping it drops, and a program that never finishes. */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { unwrap } from "../../../tools/offline/runtime";
import { lightenSdkBookkeeping, unsettledReport } from "../../../tools/offline/sdkBookkeeping";

const ROOT = path.resolve(__dirname, "../../..");
const SIG = "4dabf18193072939515e22adb298388d";
const secret = (value: unknown) => ({ [SIG]: "1b47061264138c4ac30d75fd1eb44270", value });
const output = (value: unknown, isSecret: boolean) => ({ [SIG]: "d0e6a833031e9bbcd3f4e8bde6ca49a4", value, secret: isSecret });
const ref = (urn: string) => ({ [SIG]: "5cf8f73096256a8f31e491e813e4eb8e", urn, id: "i-1" });

describe("unwrap", () => {
  test("plain values pass through as copies", () => {
    const v = { a: 1, b: ["x", { c: true }], d: null };
    const secrets: string[] = [];
    const out = unwrap(v, "", secrets);
    expect(out).toEqual(v);
    expect(out).not.toBe(v);
    expect(secrets).toEqual([]);
  });

  test("secrets are unwrapped and their paths collected, at any depth, with array indexes", () => {
    const secrets: string[] = [];
    const out = unwrap(
      { key: secret("k"), list: ["a", secret("b")], nested: { deep: [{ token: secret({ inner: secret("x") }) }] } },
      "",
      secrets,
    );
    expect(out).toEqual({ key: "k", list: ["a", "b"], nested: { deep: [{ token: { inner: "x" } }] } });
    // A secret inside a secret is covered by the outer path.
    expect(secrets).toEqual(["key", "list[1]", "nested.deep[0].token"]);
  });

  test("output values: secret ones are recorded, resource references become their URN", () => {
    const secrets: string[] = [];
    const out = unwrap({ a: output("v", false), b: output("s", true), parent: ref("urn:pulumi:x") }, "inputs", secrets);
    expect(out).toEqual({ a: "v", b: "s", parent: "urn:pulumi:x" });
    expect(secrets).toEqual(["inputs.b"]);
  });

  test("a root-level array gets index paths", () => {
    const secrets: string[] = [];
    expect(unwrap([secret(1), 2], "", secrets)).toEqual([1, 2]);
    expect(secrets).toEqual(["[0]"]);
  });
});

describe("lightenSdkBookkeeping", () => {
  const debuggable = require("@pulumi/pulumi/runtime/debuggable");
  const { Resource } = require("@pulumi/pulumi/resource");

  test("leaves the SDK's leak tracking alone while PULUMI_DEBUG_PROMISE_LEAKS is on", () => {
    const original = debuggable.debuggablePromise;
    debuggable.debugPromiseLeaks = true;
    try {
      lightenSdkBookkeeping();
      expect(debuggable.debuggablePromise).toBe(original);
    } finally {
      debuggable.debugPromiseLeaks = false;
    }
  });

  test("promises come back as they went in; resources capture no call sites; a second call changes nothing", async () => {
    lightenSdkBookkeeping();
    const p = Promise.resolve(42);
    expect(debuggable.debuggablePromise(p, "ctx")).toBe(p);
    expect(await debuggable.debuggablePromise(p, "ctx")).toBe(42);
    expect(Resource.callsites()).toEqual([]);
    const light = debuggable.debuggablePromise;
    lightenSdkBookkeeping();
    expect(debuggable.debuggablePromise).toBe(light);
  });

  test("errors still carry full stacks", () => {
    lightenSdkBookkeeping();
    const stack = new Error("boom").stack ?? "";
    expect(stack).toContain("runtime.test.ts");
  });
});

describe("unsettledReport", () => {
  const state = require("@pulumi/pulumi/runtime/state");

  test("nothing pending: nothing to report", () => {
    expect(unsettledReport()).toBeUndefined();
  });

  test("names each registration left waiting and what it waits for", () => {
    const pending: Map<unknown, unknown> = state.getPendingResourceRegistrations();
    const a = {};
    const b = {};
    pending.set(a, { name: "vpc", type: "aws:ec2/vpc:Vpc", phase: "inputs", inputProperty: "cidrBlock" });
    pending.set(b, { label: "resource:child", phase: "parent" });
    try {
      const report = unsettledReport() ?? "";
      expect(report).toMatch(/^the program never finished: 2 resource registration\(s\) could not complete:/);
      expect(report).toContain(`"vpc" [aws:ec2/vpc:Vpc] was waiting for its input "cidrBlock"`);
      expect(report).toContain("resource:child was waiting for its parent");
      expect(report).toContain("is a cycle");
    } finally {
      pending.delete(a);
      pending.delete(b);
    }
  });
});

describe("runProgram in a process of its own", () => {
  const run = (program: string) =>
    spawnSync(process.execPath, ["--import", "tsx", "test/helpers/runProgramChild.ts", program], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });

  test("a program that can never finish fails with exit 3 and names the stuck registration", () => {
    const r = run("test/fixtures/programs/neverFinishes.ts");
    expect(r.status).toBe(3);
    expect(r.stdout).not.toContain("settled");
    expect(r.stderr).toContain(`"stuck" [kubestead:test:Waiting] was waiting for its input "value"`);
  });

  test("a resource the emulation refuses fails the plan and is named, instead of silently missing from it", () => {
    const r = run("test/fixtures/programs/unmodelledResource.ts");
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toContain("settled");
    expect(r.stderr).toMatch(/orphan.*aws:example\/unmodelled:Unmodelled|aws:example\/unmodelled:Unmodelled orphan/);
    expect(r.stderr).toContain("the offline AWS emulation has no model for aws:example/unmodelled:Unmodelled");
  });

  test("a program that finishes is recorded whole, and nothing is reported", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "tools/bench/child.ts", "floor", "--resources", "7"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim()).resources).toBe(7);
    expect(r.stderr).toBe("");
  });
});
