/** The offline runtime's speed-up: the SDK's promise bookkeeping captures no stack frames. */
import { skipPromiseStacks } from "../../../tools/offline/runtime";

const debuggable = require("@pulumi/pulumi/runtime/debuggable");

describe("skipPromiseStacks", () => {
  const sdkOriginal = debuggable.debuggablePromise;
  beforeAll(() => skipPromiseStacks());

  test("the SDK's debuggablePromise is wrapped once, however often the runtime starts", () => {
    const wrapped = debuggable.debuggablePromise;
    expect(wrapped).not.toBe(sdkOriginal);
    skipPromiseStacks();
    expect(debuggable.debuggablePromise).toBe(wrapped);
  });

  test("promises keep their value and context but carry no frames", async () => {
    // The SDK stamps the promise it is given and returns a chained one.
    const p = Promise.resolve(42) as Promise<number> & { _debugCtx?: string; _debugStackTrace?: string };
    expect(await debuggable.debuggablePromise(p, "ctx-for-leak-report")).toBe(42);
    expect(p._debugCtx).toBe("ctx-for-leak-report");
    expect(p._debugStackTrace).toMatch(/^Error/);
    expect(p._debugStackTrace).not.toMatch(/\n\s+at /);
  });

  test("errors thrown afterwards keep their full stack", () => {
    const limit = Error.stackTraceLimit;
    debuggable.debuggablePromise(Promise.resolve(), "x");
    expect(Error.stackTraceLimit).toBe(limit);
    const stack = new Error("boom").stack ?? "";
    expect(stack.split("\n").length).toBeGreaterThan(2);
    expect(stack).toContain("skipPromiseStacks.test.ts");
  });
});
