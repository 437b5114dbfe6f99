/**
 * The node join on the planned prod graph, at a fixed moment: the bootstrap token is secret in
 * state and the plan and rotates with its window; every value that carries a credential is secret
 * wherever it appears (a structural check over every resource's inputs and outputs); control-plane
 * nodes never receive the token; the applier re-reads and prunes it.
 */
import { parse } from "yaml";
import { decodeUserData } from "../../bootstrap/cloudInit";
import { bootstrapTokenWindow } from "../../lib/bootstrapTokenWindow";
import { maskPlan } from "../../lib/plan/mask";
import { Plan, PlanResource } from "../../lib/plan/types";
import { runProgram } from "../../tools/offline/runtime";
import { ofType, ROOT } from "../helpers/plannedStack";

const NOW = new Date("2026-12-20T12:00:00Z");
const CLUSTER = "kubestead-prod";
let plan: Plan;
beforeAll(async () => {
  plan = (await runProgram({ stack: "prod", root: ROOT, now: () => NOW })).plan;
}, 120_000);

const tokenParts = () => {
  const component = plan.resources.find((r) => r.type === "kubestead:components:BootstrapToken")!;
  return plan.resources.filter((r) => r.parent === component.urn);
};
const part = (half: "id" | "secret") => tokenParts().find((r) => r.name.endsWith(`-bootstrap-token-${half}`))!;
const token = () => `${part("id").outputs.result}.${part("secret").outputs.result}`;
const parameter = (name: string) => ofType(plan, "aws:ssm/parameter:Parameter").find((p) => p.inputs.name === name);

describe("the bootstrap token", () => {
  test("is two RandomPasswords whose results are secret in state and the plan", () => {
    expect(tokenParts().map((r) => r.type)).toEqual([
      "random:index/randomPassword:RandomPassword",
      "random:index/randomPassword:RandomPassword",
    ]);
    for (const r of tokenParts()) {
      expect(r.options.additionalSecretOutputs).toContain("result");
      expect(r.secretPaths).toContain("outputs.result");
    }
    expect(token()).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
  });

  test("keeps the current window as a keeper: a deploy in the window keeps the token, the first after it rotates", () => {
    const w = bootstrapTokenWindow(NOW, 30);
    for (const r of tokenParts()) expect(r.inputs.keepers).toEqual({ window: w.start, expiration: w.expiration });
    expect(w).toMatchObject({ start: "2026-12-03T00:00:00Z", expiration: "2027-02-01T00:00:00Z" });
    expect(plan.outputs.bootstrapTokenExpiration).toBe(w.expiration);
    expect(plan.secretOutputs).not.toContain("bootstrapTokenExpiration");
  });

  test("its Secret (an SSM SecureString) expires with the window's grace and carries the label the applier prunes by", () => {
    const p = parameter(`/kubestead/${CLUSTER}/controlplane/bootstrap-token-secret.yaml`)!;
    expect(p.secretPaths).toContain("inputs.value");
    const s = parse(String(p.inputs.value));
    expect(s.metadata.labels).toEqual({ "kubestead.io/bootstrap-token": "true" });
    expect(Buffer.from(s.data.expiration, "base64").toString()).toBe("2027-02-01T00:00:00Z");
    expect(`${Buffer.from(s.data["token-id"], "base64")}.${Buffer.from(s.data["token-secret"], "base64")}`).toBe(token());
  });

  test("only workers join with it: the worker bootstrap kubeconfig holds it, control-plane nodes get no bootstrap kubeconfig", () => {
    expect(String(parameter(`/kubestead/${CLUSTER}/worker/bootstrap-kubelet.conf`)!.inputs.value)).toContain(`token: ${token()}`);
    expect(parameter(`/kubestead/${CLUSTER}/controlplane/bootstrap-kubelet.conf`)).toBeUndefined();
    const cp = ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate").filter((lt) =>
      String(lt.inputs.description).includes("control plane"),
    );
    expect(cp).toHaveLength(1);
    const doc = decodeUserData(String(cp[0].inputs.userData));
    expect(doc).not.toContain("bootstrap-kubelet.conf");
    // The applier re-reads the token Secret from SSM on every run (rotation reaches the cluster).
    expect(doc).toContain(`SECRET_PARAMETERS="bootstrap-token.yaml=/kubestead/${CLUSTER}/controlplane/bootstrap-token-secret.yaml"`);
  });

  test("bootstrap-token-secret passes on the planned graph", () => {
    const { makePolicies } = require("../../policy/policies");
    const { runPolicies } = require("../../policy/runner");
    const policies = makePolicies({ now: () => NOW }).filter((p: { name: string }) => p.name === "bootstrap-token-secret");
    const r = runPolicies(plan, { "bootstrap-token-secret": "mandatory" }, { preview: false, now: NOW, policies });
    expect(r.violations).toEqual([]);
    expect(r.evaluated["bootstrap-token-secret"]).toBe(1);
  });
});

/**
 * Credentials of the graph: the values the providers generate as secrets (random results and
 * bytes, private keys) and the bootstrap token built from them, each also base64-encoded (how a
 * Secret's data or a kubeconfig's *-data embeds it). The token's id half alone is no credential.
 */
function credentials(p: Plan): Map<string, string> {
  const out = new Map<string, string>();
  const add = (value: unknown, what: string) => {
    if (typeof value !== "string" || value.length < 16) return;
    out.set(value, what);
    out.set(Buffer.from(value).toString("base64"), `${what} (base64)`);
  };
  for (const r of p.resources) {
    if (r.type === "random:index/randomPassword:RandomPassword" && !r.name.endsWith("-bootstrap-token-id")) add(r.outputs.result, r.name);
    if (r.type === "random:index/randomBytes:RandomBytes") for (const k of ["base64", "hex"]) add(r.outputs[k], `${r.name}.${k}`);
    if (r.type === "tls:index/privateKey:PrivateKey") {
      for (const k of ["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"]) add(r.outputs[k], `${r.name}.${k}`);
    }
  }
  add(token(), "the bootstrap token");
  return out;
}

/** Every string leaf under `v`, with the path the plan's secretPaths use (a.b[0].c). */
function leaves(v: unknown, at: string, out: [string, string][] = []): [string, string][] {
  if (typeof v === "string") out.push([at, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => leaves(x, `${at}[${i}]`, out));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) leaves(x, `${at}.${k}`, out);
  return out;
}

const covered = (r: PlanResource, path: string) =>
  r.secretPaths.some((s) => path === s || path.startsWith(`${s}.`) || path.startsWith(`${s}[`));

/** "<resource> <path> carries <what>" for every plain (not secret) leaf that holds a credential. */
function exposures(p: Plan): string[] {
  const creds = [...credentials(p)];
  const out: string[] = [];
  for (const r of p.resources) {
    for (const [path, value] of [...leaves(r.inputs, "inputs"), ...leaves(r.outputs, "outputs")]) {
      if (covered(r, path)) continue;
      for (const [c, what] of creds) if (value.includes(c)) out.push(`${r.name} ${path} carries ${what}`);
    }
  }
  for (const [k, v] of Object.entries(p.outputs)) {
    if (p.secretOutputs.includes(k)) continue;
    for (const [path, value] of leaves(v, `stack output ${k}`))
      for (const [c, what] of creds) if (value.includes(c)) out.push(`${path} carries ${what}`);
  }
  return out;
}

describe("every value that carries a credential is secret", () => {
  test("the graph has credentials to look for (the check is not vacuous)", () => {
    const what = [...new Set(credentials(plan).values())];
    expect(what).toEqual(expect.arrayContaining(["kubestead-prod-bootstrap-token-secret", "the bootstrap token"]));
    expect(what.some((w) => w.endsWith("privateKeyPem"))).toBe(true);
  });

  test("in every resource's inputs and outputs, and in the stack outputs", () => {
    expect(exposures(plan)).toEqual([]);
  });

  test("control: a token part whose result is not secret, and the token in a plain tag, are found", () => {
    const broken = structuredClone(plan);
    const secret = broken.resources.find((r) => r.urn === part("secret").urn)!;
    secret.secretPaths = [];
    const lt = broken.resources.find((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")!;
    lt.inputs.tags = { ...(lt.inputs.tags as object), leak: `join with ${token()}` };
    expect(exposures(broken)).toEqual(
      expect.arrayContaining([
        `${secret.name} outputs.result carries ${secret.name}`,
        `${lt.name} inputs.tags.leak carries the bootstrap token`,
      ]),
    );
  });

  test("in no launch template's user data, once decoded", () => {
    const creds = [...credentials(plan)];
    for (const lt of ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate")) {
      const doc = decodeUserData(String(lt.inputs.userData));
      expect(creds.filter(([c]) => doc.includes(c)).map(([, what]) => `${lt.name}: ${what}`)).toEqual([]);
    }
  });

  test("the masked plan (what `npm run plan -- --json` writes) holds none of them", () => {
    const masked = maskPlan(plan);
    const text = JSON.stringify(masked);
    expect([...credentials(plan)].filter(([c]) => text.includes(c)).map(([, what]) => what)).toEqual([]);
    for (const r of tokenParts()) expect(masked.resources.find((x) => x.urn === r.urn)!.outputs.result).toBe("[secret]");
  });
});
