/**
 * Bookkeeping the Pulumi SDK does for the engine and for its exit-time leak report, which the
 * offline runtime never reads. Dropped for speed (npm run bench); what it was for is kept by
 * other means:
 *
 * - `debuggablePromise` stamps every internal promise (four per resource property) with an ID, a
 *   context string and a full stack, and chains two more promises to track it for a leak report
 *   printed at exit. Offline it returns the promise itself. `runProgram` drains every registration
 *   and, if the program can never finish, `unsettledReport` names the registrations left waiting.
 *   With PULUMI_DEBUG_PROMISE_LEAKS set, the SDK's own tracking stays, stacks and all.
 * - `Resource.callsites` renders an unlimited stack (through source maps, under tsx) for each
 *   resource, only to send the engine the source position it shows in the console. The mock
 *   monitor drops it.
 *
 * Both are internal to the SDK: if a version moves them, the plan is slower, not wrong.
 */

interface Debuggable {
  debuggablePromise?: (p: Promise<unknown>, ctx: unknown) => Promise<unknown>;
  debugPromiseLeaks?: boolean;
}

interface PendingRegistration {
  label?: string;
  name?: string;
  type?: string;
  phase?: string;
  inputProperty?: string;
}

const LIGHT = Symbol.for("kubestead.offline.light");

function sdkModule<T>(id: string): (T & { [LIGHT]?: boolean }) | undefined {
  try {
    return require(id);
  } catch {
    return undefined;
  }
}

/** Idempotent: the SDK's modules are per process, and so is this change. */
export function lightenSdkBookkeeping(): void {
  const debuggable = sdkModule<Debuggable>("@pulumi/pulumi/runtime/debuggable");
  if (debuggable && !debuggable[LIGHT] && !debuggable.debugPromiseLeaks && typeof debuggable.debuggablePromise === "function") {
    // Callers reach it as `debuggable_1.debuggablePromise(...)`, so replacing the export reaches them all.
    debuggable.debuggablePromise = (p) => p;
    debuggable[LIGHT] = true;
  }
  const resource = sdkModule<{ Resource?: { callsites?: () => unknown[] } }>("@pulumi/pulumi/resource");
  if (resource?.Resource && !resource[LIGHT] && typeof resource.Resource.callsites === "function") {
    resource.Resource.callsites = () => [];
    resource[LIGHT] = true;
  }
}

const PHASES: Record<string, string> = {
  dependencies: "its dependsOn resources",
  inputs: "its input properties",
  parent: "its parent",
  provider: "its provider",
  "dependency-urns": "the URNs of its dependencies",
};

/**
 * What a program that can never finish was waiting on, from the SDK's table of registrations in
 * flight; undefined when nothing is pending. The usual cause is a cycle: an input that waits on the
 * resource's own outputs, or on a child's.
 */
export function unsettledReport(): string | undefined {
  const state = sdkModule<{ getPendingResourceRegistrations?: () => Map<unknown, PendingRegistration> }>("@pulumi/pulumi/runtime/state");
  const pending = [...(state?.getPendingResourceRegistrations?.().values() ?? [])];
  if (pending.length === 0) return undefined;
  const lines = pending.map((r) => {
    const what = r.name && r.type ? `"${r.name}" [${r.type}]` : (r.label ?? "a resource");
    const on = r.phase === "inputs" && r.inputProperty ? `its input "${r.inputProperty}"` : (PHASES[r.phase ?? ""] ?? "something");
    return `  * ${what} was waiting for ${on}`;
  });
  return [
    `the program never finished: ${pending.length} resource registration(s) could not complete:`,
    ...lines,
    "An input that waits on its own resource's outputs, or on a child's, is a cycle: `pulumi up` would hang on it too.",
  ].join("\n");
}
