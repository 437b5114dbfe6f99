/**
 * Runs the real stack program under Pulumi's mock runtime and records every registration with
 * the options the engine would see. No CLI, no credentials, no network.
 *
 * The SDK keeps its runtime state per process: call `runProgram` once per process.
 */
import * as path from "node:path";
import type { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { Plan, PlanResource, UNKNOWN_VALUE } from "../../lib/plan/types";
import { impliedNetworkFacts, NetworkFacts } from "../../lib/adoptedNetwork";
import type { Offering } from "../../lib/instanceTypeOfferings";
import { AwsEmulator } from "./aws";
import type { AccountPublicAccessBlock } from "../../lib/issuerPublicAccess";
import { lightenSdkBookkeeping, unsettledReport } from "./sdkBookkeeping";
import { stackConfig, StackFile } from "./stackFile";
import { TLS_COMPUTED, TlsEmulator } from "./tls";

export interface RunOptions {
  stack: string;
  /** Repository root (where Pulumi.yaml and index.ts are). */
  root: string;
  preview?: boolean;
  /** Module to load as the program; defaults to <root>/index.ts. */
  program?: string;
  /** Clock for certificate validity and for the program (lib/clock.ts: bootstrap token rotation); tests. */
  now?: () => Date;
  /** Config already read (otherwise Pulumi.<stack>.yaml under root). */
  stackFile?: StackFile;
  /**
   * What AWS would say of an adopted VPC's subnets (`aws ec2 describe-subnets` / `describe-vpcs`);
   * without it, the layout the config implies (lib/adoptedNetwork.ts impliedNetworkFacts).
   */
  networkFacts?: NetworkFacts;
  /**
   * Which zones offer which instance types (`aws ec2 describe-instance-type-offerings
   * --location-type availability-zone`); without it, every type in every zone.
   */
  offerings?: Offering[];
  /** The account's S3 Block Public Access as AWS reports it ("none": no account-level configuration); default in tools/offline/aws.ts. */
  accountPublicAccessBlock?: AccountPublicAccessBlock | "none";
}

export interface RunResult {
  plan: Plan;
  /** Stack outputs, secrets unmasked (in memory only). */
  outputs: Record<string, unknown>;
}

// Signatures of the SDK's wire format (sdk/nodejs/runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** Wire values → plain values: secrets unwrapped (their dotted paths collected), references → URN. */
export function unwrap(v: unknown, at: string, secrets: string[]): unknown {
  return walk(v, at ? [at] : [], secrets);
}

// A path is built only for a secret found: most values have none, and every resource's inputs and
// outputs pass through here.
type Segment = string | number;
const pathOf = (segs: Segment[]) => segs.reduce<string>((p, s) => (typeof s === "number" ? `${p}[${s}]` : p ? `${p}.${s}` : s), "");

function walk(v: unknown, segs: Segment[], secrets: string[]): unknown {
  if (!v || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  const sig = o[SIG_KEY];
  if (sig === SECRET_SIG) {
    secrets.push(pathOf(segs));
    return walk(o.value, segs, []);
  }
  if (sig === OUTPUT_SIG) {
    if (o.secret) secrets.push(pathOf(segs));
    return walk(o.value, segs, o.secret ? [] : secrets);
  }
  if (sig === RESOURCE_SIG) return o.urn;
  if (sig !== undefined) return o;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      segs.push(i);
      out[i] = walk(v[i], segs, secrets);
      segs.pop();
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    segs.push(k);
    out[k] = walk(o[k], segs, secrets);
    segs.pop();
  }
  return out;
}

export async function runProgram(opts: RunOptions): Promise<RunResult> {
  const file = opts.stackFile ?? stackConfig(opts.root, opts.stack);
  const region = file.config["aws:region"] ?? "us-east-1";
  let zones: string[] = [`${region}a`, `${region}b`, `${region}c`];
  try {
    const z = JSON.parse(file.config["kubestead:zones"] ?? "null");
    if (Array.isArray(z)) zones = z.map(String);
  } catch {
    /* the config parser reports it */
  }
  const networkFacts = opts.networkFacts ?? impliedFacts(file, zones);

  // Loaded here, not at the top: the SDK must see the mocks before any provider package loads.
  const pulumi: typeof import("@pulumi/pulumi") = require("@pulumi/pulumi");
  lightenSdkBookkeeping();
  // A program that can never finish (a cycle) leaves nothing for the event loop to do, and the
  // process would exit quietly with 0: name what was left waiting, and fail.
  let settled = false;
  const onExit = () => {
    if (settled) return;
    process.stderr.write(`✗ ${unsettledReport() ?? "the program never finished: a promise it awaits never settled"}\n`);
    process.exitCode = 3;
  };
  process.on("exit", onExit);
  // An error thrown inside an apply (a RunError: the program refusing what it read, e.g. an
  // adopted subnet in the wrong zone) reaches no awaiting caller; the engine would print its
  // message and stop. Here it fails the run with that error.
  let fail: (e: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const onUnhandled = (e: unknown) => fail(e);
  process.on("unhandledRejection", onUnhandled);
  try {
    return await Promise.race([run(pulumi, opts, file, region, zones, networkFacts), failed]);
  } finally {
    settled = true;
    process.off("exit", onExit);
    process.off("unhandledRejection", onUnhandled);
  }
}

async function run(
  pulumi: typeof import("@pulumi/pulumi"),
  opts: RunOptions,
  file: StackFile,
  region: string,
  zones: string[],
  networkFacts: NetworkFacts | undefined,
): Promise<RunResult> {
  // A request's properties are read twice (by the mock monitor, then here) and a response's twice
  // (here, then by the SDK): convert each protobuf Struct to JavaScript once. Both readers copy.
  const plain = (struct: any): Record<string, unknown> => {
    if (!struct) return {};
    const js = struct.toJavaScript();
    struct.toJavaScript = () => js;
    return js;
  };
  const aws = new AwsEmulator(region, zones, networkFacts, opts.offerings);
  if (opts.accountPublicAccessBlock !== undefined) aws.accountPublicAccessBlock = opts.accountPublicAccessBlock;
  const tls = new TlsEmulator(opts.now);

  pulumi.runtime.setAllConfig(file.config, file.secretKeys);
  await pulumi.runtime.setMocks(
    {
      newResource: async (args: MockResourceArgs) => {
        const inputs = unwrap(args.inputs, "", []) as Record<string, unknown>;
        if (opts.preview && !args.type.startsWith("pulumi:providers:")) {
          // A preview of a new resource knows its inputs; its ID and computed outputs are unknown.
          const computed = tls.handles(args.type)
            ? (TLS_COMPUTED[args.type] ?? [])
            : Object.keys(aws.newResource(args.type, args.name, inputs).state);
          const state: Record<string, unknown> = { ...inputs };
          for (const k of [...computed, "id"]) if (!(k in inputs)) state[k] = UNKNOWN_VALUE;
          return { id: "", state };
        }
        const r = tls.handles(args.type)
          ? await tls.newResource(args.type, args.name, inputs)
          : aws.newResource(args.type, args.name, inputs);
        // Bridged (Terraform-based) providers report the ID among the outputs too; policies rely on it.
        return args.type.startsWith("aws:") ? { id: r.id, state: { ...r.state, id: r.id } } : r;
      },
      call: (args: MockCallArgs) => aws.call(args.token, unwrap(args.inputs, "", []) as Record<string, unknown>),
    },
    "kubestead",
    opts.stack,
    opts.preview ?? false,
  );

  const records = new Map<string, PlanResource>();
  const pending: Promise<unknown>[] = [];
  // A registration the emulation refuses fails the plan, as a failed create fails `pulumi up`;
  // the SDK would only reject outputs nobody may await, and the plan would silently miss it.
  const failures: string[] = [];
  const settings = require("@pulumi/pulumi/runtime/settings");
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, cb: (err: unknown, resp: any) => void) => {
    plain(req.getObject());
    const done = new Promise<void>((resolve) => {
      register(req, async (err: unknown, resp: any) => {
        try {
          if (err) failures.push(`${req.getType()} ${req.getName()}: ${(err as Error).message ?? String(err)}`);
          if (!err && resp) {
            const inputSecrets: string[] = [];
            const outputSecrets: string[] = [];
            const inputs = unwrap(plain(req.getObject()), "", inputSecrets) as Record<string, unknown>;
            const outputs = unwrap(plain(resp.getObject()), "", outputSecrets) as Record<string, unknown>;
            const extra: string[] = req.getAdditionalsecretoutputsList();
            const secretInputKeys = new Set(inputSecrets.map((p) => p.split(/[.[]/)[0]));
            const propDeps: Record<string, string[]> = {};
            req.getPropertydependenciesMap().forEach((v: any, k: string) => {
              propDeps[k] = v.getUrnsList();
            });
            records.set(resp.getUrn(), {
              urn: resp.getUrn(),
              type: req.getType(),
              name: req.getName(),
              custom: req.getCustom(),
              id: resp.getId() || undefined,
              parent: req.getParent() || undefined,
              provider: req.getProvider() || undefined,
              dependencies: req.getDependenciesList(),
              propertyDependencies: propDeps,
              inputs,
              outputs,
              options: {
                protect: req.getProtect() ?? false,
                ignoreChanges: req.getIgnorechangesList(),
                retainOnDelete: req.getRetainondelete() ?? false,
                deleteBeforeReplace: req.getDeletebeforereplace() ?? false,
                additionalSecretOutputs: extra,
                aliases: (req.getAliasesList?.() ?? []).map((a: any) => a.getUrn?.() ?? String(a)),
              },
              secretPaths: [
                ...inputSecrets.map((p) => `inputs.${p}`),
                ...outputSecrets.map((p) => `outputs.${p}`),
                ...extra.filter((k) => k in outputs).map((k) => `outputs.${k}`),
                ...[...secretInputKeys].filter((k) => k in outputs).map((k) => `outputs.${k}`),
              ].filter((p, i, all) => all.indexOf(p) === i),
            });
          }
        } finally {
          cb(err, resp);
          resolve();
        }
      });
    });
    pending.push(done);
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req: any, cb: (err: unknown, resp: unknown) => void) => {
    const done = (async () => {
      const r = records.get(req.getUrn());
      if (r) {
        const secrets: string[] = [];
        r.outputs = unwrap(plain(req.getOutputs()), "", secrets) as Record<string, unknown>;
        r.secretPaths.push(...secrets.map((p) => `outputs.${p}`));
      }
    })();
    pending.push(done);
    registerOutputs(req, cb);
  };

  const program = opts.program ?? path.join(opts.root, "index.ts");
  // The program's own clock (bootstrap token rotation) is the plan's clock too.
  if (opts.now) require("../../lib/clock").setProgramClock(opts.now);
  const exported: Record<string, unknown> = require(program);

  // Stack outputs: await every exported Output, remembering which are secret.
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [k, v] of Object.entries(exported)) {
    if (typeof v === "function") continue;
    const o: any = pulumi.output(v);
    outputs[k] = await o.promise();
    if (await o.isSecret) secretOutputs.push(k);
  }
  // Drain: every registration and its callback, including ones started while awaiting.
  for (let seen = -1; seen !== pending.length;) {
    seen = pending.length;
    await Promise.all(pending);
    await settings.waitForRPCs();
  }

  if (failures.length > 0) {
    throw new Error(`the offline runtime refused ${failures.length} resource(s):\n${failures.map((f) => `  - ${f}`).join("\n")}`);
  }

  return {
    plan: {
      project: "kubestead",
      stack: opts.stack,
      createdAt: (opts.now ?? (() => new Date()))().toISOString(),
      resources: [...records.values()],
      outputs,
      secretOutputs,
    },
    outputs,
  };
}

/** The adopted VPC as the config describes it, when the stack adopts one and the config reads. */
function impliedFacts(file: StackFile, zones: string[]): NetworkFacts | undefined {
  try {
    const network = JSON.parse(file.config["kubestead:network"] ?? "null") as { existing?: unknown; vpcCidr?: string } | null;
    const e = network?.existing as { vpcId?: string; privateSubnetIds?: string[]; publicSubnetIds?: string[] } | undefined;
    if (!e?.vpcId || !Array.isArray(e.privateSubnetIds) || !Array.isArray(e.publicSubnetIds)) return undefined;
    return impliedNetworkFacts(
      { vpcId: e.vpcId, privateSubnetIds: e.privateSubnetIds, publicSubnetIds: e.publicSubnetIds },
      zones,
      network?.vpcCidr ?? "10.0.0.0/16",
    );
  } catch {
    return undefined; // the config parser reports it
  }
}
