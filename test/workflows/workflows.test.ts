import { validateWorkflow } from "@action-validator/core";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";

type Obj = Record<string, any>;
const root = join(__dirname, "../..");
const dir = join(root, ".github/workflows");
const FILES = ["pr.yml", "deploy.yml", "mutate.yml"];
const src = (f: string) => readFileSync(join(dir, f), "utf8");
const wf = (f: string) => parse(src(f)) as Obj;
const jobsOf = (w: Obj): [string, Obj][] => Object.entries(w.jobs as Obj);
const steps = (job: Obj): Obj[] => job.steps ?? [];
function must<T>(x: T | undefined, what: string): T {
  if (x === undefined) throw new Error(`not found: ${what}`);
  return x;
}
const step = (job: Obj, pred: (s: Obj) => boolean, what: string): Obj => must(steps(job).find(pred), what);
const stepIndex = (job: Obj, pred: (s: Obj) => boolean, what: string): number => {
  const i = steps(job).findIndex(pred);
  if (i < 0) throw new Error(`not found: ${what}`);
  return i;
};
const uses = (s: Obj, action: string) => String(s.uses ?? "").startsWith(`${action}@`);
const usesOf = (w: Obj): string[] =>
  jobsOf(w).flatMap(([, j]) =>
    steps(j)
      .map((s) => s.uses)
      .filter(Boolean),
  );
const runOf = (s: Obj) => String(s.run ?? "");
/** Names of the secrets a job (or any part of a workflow) reads. */
const secretsIn = (x: unknown): string[] =>
  [...new Set([...JSON.stringify(x).matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]))].sort();

/**
 * Evaluates a GitHub `if:` expression for the subset these workflows use: 'strings', dotted context
 * paths, ==, !=, &&, ||, !, parentheses, always() and cancelled(). A path missing from ctx throws,
 * so a test cannot pass by reading a context it did not set.
 */
function evalIf(expr: string, ctx: Record<string, string>, status: { cancelled?: boolean } = {}): boolean {
  const body = expr
    .trim()
    .replace(/^\$\{\{/, "")
    .replace(/\}\}$/, "");
  const TOKEN = /\s+|'[^']*'|==|!=|&&|\|\||!|\(|\)|[A-Za-z_][\w-]*(?:\.[\w-]+)*(?:\(\))?/gy;
  let js = "";
  let at = 0;
  for (let m = TOKEN.exec(body); m !== null && m[0] !== ""; m = TOKEN.exec(body)) {
    const t = m[0];
    at = TOKEN.lastIndex;
    if (/^\s+$/.test(t) || ["&&", "||", "!", "(", ")"].includes(t)) js += t;
    else if (t === "==" || t === "!=") js += `${t}=`;
    else if (t.startsWith("'")) js += JSON.stringify(t.slice(1, -1));
    else if (t === "always()") js += "true";
    else if (t === "cancelled()") js += String(Boolean(status.cancelled));
    else if (t === "true" || t === "false") js += t;
    else if (t in ctx) js += JSON.stringify(ctx[t]);
    else throw new Error(`evalIf: no value for ${t} in ${expr}`);
  }
  if (at !== body.length) throw new Error(`evalIf: cannot read ${expr} from ${at}`);
  return Boolean(new Function(`return (${js});`)());
}

/** Runs a step's script the way the runner does (`bash -e`), with a fake `npm` first on PATH. */
function runScript(script: string, cwd: string, env: Record<string, string> = {}) {
  const out = spawnSync("bash", ["-e", "-c", script], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, PATH: `${join(cwd, "bin")}:${process.env.PATH}`, ...env },
    timeout: 30_000,
  });
  return { status: out.status, output: `${out.stdout}${out.stderr}` };
}

const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as Obj;
const sdkVersion: string = lock.packages["node_modules/@pulumi/pulumi"].version;
const semver = (v: string) => v.split(".").map(Number);
const atLeast = (v: string, min: string) => {
  const [a, b] = [semver(v), semver(min)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
};

describe.each(FILES)("%s", (file) => {
  const w = wf(file);

  test("is a valid GitHub workflow (action-validator)", () => {
    expect(validateWorkflow(src(file)).errors).toEqual([]);
  });

  test("every action is pinned to an exact release or commit", () => {
    const all = usesOf(w);
    expect(all.length).toBeGreaterThan(0);
    for (const u of all) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/);
  });

  test("least privilege: read-only by default, write scopes only where used", () => {
    expect(w.permissions).toEqual({ contents: "read" });
    for (const [name, job] of jobsOf(w)) {
      const perms: Obj = job.permissions ?? {};
      expect({ name, perms: typeof job.permissions }).not.toEqual({ name, perms: "string" }); // no read-all/write-all
      const usesAws = steps(job).some((s) => uses(s, "aws-actions/configure-aws-credentials"));
      expect({ name, idToken: perms["id-token"] === "write" }).toEqual({ name, idToken: usesAws });
      const comments = steps(job).some((s) => uses(s, "actions/github-script"));
      expect({ name, pr: perms["pull-requests"] === "write" }).toEqual({ name, pr: comments });
      for (const [scope, level] of Object.entries(perms)) {
        if (level === "write") expect(["id-token", "pull-requests"]).toContain(scope);
      }
    }
  });

  test("the validator does reject a broken variant (the check can fail)", () => {
    const broken = src(file).replace(/runs-on: ubuntu-24.04/, "runs-on: [ubuntu-24.04\n");
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  test("no install inside policy/ unless it has its own lock file (npm ci refuses to run without one)", () => {
    if (!existsSync(join(root, "policy/package-lock.json")))
      expect(src(file)).not.toMatch(/npm (ci|install)[^\n]*(--prefix|-C)\s+\.?\/?policy/);
  });

  test("forks never get secrets: no pull_request_target", () => {
    expect(Object.keys(w.on)).not.toContain("pull_request_target");
  });

  test("pulumi runs as plain CLI steps after a pinned CLI install no older than the SDK", () => {
    for (const [name, job] of jobsOf(w)) {
      // pulumi/actions with a command goes through the Automation API (`up` = `up --skip-preview`).
      for (const s of steps(job).filter((s) => uses(s, "pulumi/actions"))) expect({ name, command: s.with?.command }).toEqual({ name });
      const runs = steps(job).findIndex((s) => /(^|\n)\s*pulumi (preview|up)\b/.test(runOf(s)));
      if (runs < 0) continue;
      const install = stepIndex(job, (s) => uses(s, "pulumi/actions") || uses(s, "pulumi/setup-pulumi"), `${name}: Pulumi CLI install`);
      expect(install).toBeLessThan(runs);
      const version = String(steps(job)[install].with?.["pulumi-version"]);
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
      expect({ name, version, atLeastSdk: atLeast(version, sdkVersion) }).toEqual({ name, version, atLeastSdk: true });
    }
    for (const [, job] of jobsOf(w)) for (const s of steps(job)) expect(runOf(s)).not.toContain("--skip-preview");
  });
});

test("the policy pack needs nothing the root install does not provide", () => {
  const pkg = (p: string) => JSON.parse(readFileSync(join(root, p), "utf8")) as Obj;
  if (!existsSync(join(root, "policy/package-lock.json"))) {
    const [pack, top] = [pkg("policy/package.json"), pkg("package.json")];
    const rootDeps = { ...top.devDependencies, ...top.dependencies };
    for (const [name, range] of Object.entries({ ...pack.dependencies, ...pack.devDependencies }))
      expect({ name, range }).toEqual({ name, range: rootDeps[name] });
  }
  // The CLI's analyzer resolves these from the pack's folder.
  for (const m of ["@pulumi/policy", "@pulumi/pulumi/cmd/run-policy-pack"])
    expect(require.resolve(m, { paths: [join(root, "policy")] })).toContain("node_modules");
});

describe("pr.yml", () => {
  const w = wf("pr.yml");

  test("runs on pull requests: Node 20, npm ci, lint, check, the policy pack load, test under CI with the Debian tools", () => {
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    const check = w.jobs.check;
    expect(step(check, (s) => uses(s, "actions/setup-node"), "setup-node").with["node-version"]).toBe(20);
    const r = steps(check).map(runOf).join("\n");
    for (const pkg of ["etcd-server", "etcd-client", "containerd", "cloud-init", "shellcheck"])
      expect(r).toMatch(new RegExp(`apt-get install[^\\n]*\\b${pkg}\\b`));
    const order = ["npm ci", "npm run lint", "npm run check", "npm test"].map((c) => steps(check).findIndex((s) => s.run === c));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(step(check, (s) => s.run === "npm test", "npm test").env.CI).toBe("true");
    const pack = runOf(step(check, (s) => runOf(s).includes("policy/tsconfig.json"), "policy pack check"));
    expect(pack).toContain("npx tsc --noEmit -p policy/tsconfig.json");
    expect(pack).toContain("require.resolve('@pulumi/pulumi/cmd/run-policy-pack')");
  });

  test("the test job lets the real-kernel network test make its user namespace (unshare -rn) before npm test", () => {
    for (const [file, job] of [
      ["pr.yml", w.jobs.check],
      ["deploy.yml", wf("deploy.yml").jobs.verify],
    ] as const) {
      const allow = stepIndex(
        job,
        (s) => /sysctl -w kernel\.apparmor_restrict_unprivileged_userns=0/.test(runOf(s)),
        `${file}: userns sysctl`,
      );
      expect({ file, before: allow < stepIndex(job, (s) => runOf(s) === "npm test", "npm test") }).toEqual({ file, before: true });
    }
  });

  test("PR jobs only ever read the preview secrets, and run in no deploy environment", () => {
    expect(secretsIn(w)).toEqual(["AWS_PREVIEW_ROLE_ARN", "PULUMI_PREVIEW_ACCESS_TOKEN"]);
    for (const [name, job] of jobsOf(w)) expect({ name, environment: job.environment }).toEqual({ name });
  });

  describe("the offline plan", () => {
    const plan = w.jobs.plan;
    // Looked up inside each test, so a workflow without them fails those tests, not the whole file.
    const planStep = () => step(plan, (s) => runOf(s).includes("npm run plan") && runOf(s).includes("exit-codes"), "plan step");
    const baseStep = () => step(plan, (s) => runOf(s).includes("git worktree add"), "base plan step");
    const failStep = () => stepIndex(plan, (s) => runOf(s).includes("exit-codes") && !runOf(s).includes("npm run plan"), "fail step");
    let cwd: string;
    beforeEach(() => {
      cwd = mkdtempSync(join(tmpdir(), "kubestead-plan-"));
      mkdirSync(join(cwd, "bin"));
      // Like tools/plan.ts: writes the report on 0 and 1, nothing on 2 and 3; codes from $CODES.
      writeFileSync(
        join(cwd, "bin/npm"),
        [
          "#!/usr/bin/env bash",
          'echo "$*" >> args',
          'while [ $# -gt 0 ]; do case "$1" in --stack) stack=$2; shift ;; --report) report=$2; shift ;; esac; shift; done',
          'echo "$stack" >> planned',
          'code=$(echo "$CODES" | tr " " "\\n" | sed -n "s/^$stack=//p")',
          'if [ "$code" -le 1 ]; then mkdir -p "$(dirname "$report")"; printf "<!-- kubestead-plan:%s -->\\nreport\\n" "$stack" > "$report"; fi',
          'exit "$code"',
        ].join("\n"),
      );
      chmodSync(join(cwd, "bin/npm"), 0o755);
    });
    afterEach(() => rmSync(cwd, { recursive: true, force: true }));

    test("plans dev and prod, writing the report the comment posts", () => {
      expect(runOf(planStep())).toContain("for stack in dev prod");
      expect(runOf(planStep())).toContain('npm run plan -- --stack "$stack" --report ".kubestead/plan/$stack/report.md"');
      expect(plan.needs).toBe("check");
    });

    test("the base branch is planned first, from its own worktree and install, and head plans compare against it", () => {
      const base = baseStep();
      expect(stepIndex(plan, (s) => s === base, "base")).toBeLessThan(stepIndex(plan, (s) => s === planStep(), "plan"));
      expect(base.env?.BASE_SHA).toBe("${{ github.event.pull_request.base.sha }}");
      // No expression inside the script: the SHA arrives as an environment variable.
      expect(runOf(base)).not.toContain("${{");
      expect(runOf(base)).toContain('git worktree add --detach ../kubestead-base "$BASE_SHA"');
      expect(runOf(base)).toMatch(
        /npm run plan -- --stack "\$stack" --quiet --json "\$GITHUB_WORKSPACE\/\.kubestead\/base\/\$stack\.json"/,
      );
      expect(steps(plan)[0].with?.["fetch-depth"]).toBe(0);
      // With a base plan for prod only, prod is planned --base and dev without.
      mkdirSync(join(cwd, ".kubestead/base"), { recursive: true });
      writeFileSync(join(cwd, ".kubestead/base/prod.json"), "{}");
      expect(runScript(runOf(planStep()), cwd, { CODES: "dev=0 prod=0" }).status).toBe(0);
      const args = readFileSync(join(cwd, "args"), "utf8").trim().split("\n");
      expect(args[0]).not.toContain("--base");
      expect(args[1]).toContain("--base .kubestead/base/prod.json");
    });

    test("a failing stack does not stop the loop: every stack is planned and its exit code recorded", () => {
      const r = runScript(runOf(planStep()), cwd, { CODES: "dev=1 prod=3" });
      expect(r).toMatchObject({ status: 0 });
      expect(readFileSync(join(cwd, "planned"), "utf8")).toBe("dev\nprod\n");
      expect(readFileSync(join(cwd, ".kubestead/plan/exit-codes"), "utf8")).toBe("dev 1\nprod 3\n");
      // prod wrote no report (exit 3): the comment still gets one, with its marker.
      const stub = readFileSync(join(cwd, ".kubestead/plan/prod/report.md"), "utf8");
      expect(stub).toMatch(/^<!-- kubestead-plan:prod -->\n/);
      expect(stub).toContain("exit 3");
    });

    test.each([
      ["dev=0 prod=0", 0],
      ["dev=0 prod=1", 1],
      ["dev=2 prod=0", 1],
      ["dev=0 prod=3", 1],
    ])("after the artifact is uploaded, a later step fails the job on a recorded failure (%s → %i)", (codes, status) => {
      expect(runScript(runOf(planStep()), cwd, { CODES: codes }).status).toBe(0);
      const r = runScript(runOf(steps(plan)[failStep()]), cwd);
      expect(r.status).toBe(status);
      if (status) expect(r.output).toContain("::error::");
    });

    test("the artifact is uploaded whether or not a plan failed, before the job fails", () => {
      const upload = stepIndex(plan, (s) => uses(s, "actions/upload-artifact"), "upload");
      expect(steps(plan)[upload].if).toMatch(/always\(\)|!cancelled\(\)/);
      expect(stepIndex(plan, (s) => s === planStep(), "plan")).toBeLessThan(upload);
      expect(upload).toBeLessThan(failStep());
      expect(steps(plan)[failStep()].if).toBeUndefined();
      expect(steps(plan).some((s) => uses(s, "actions/github-script"))).toBe(false);
    });
  });

  describe("the comment", () => {
    const job: Obj = w.jobs.comment ?? {};
    const script = () => step(job, (s) => uses(s, "actions/github-script"), "github-script");
    const reports: Record<string, string> = {
      ".kubestead/plan/dev/report.md": "<!-- kubestead-plan:dev -->\n## kubestead plan: `kubestead/dev`\n",
      ".kubestead/plan/prod/report.md": "<!-- kubestead-plan:prod -->\n## kubestead plan: `kubestead/prod`\n",
    };

    async function runComment(existing: Obj[], files = reports) {
      const calls: Obj[] = [];
      const github = {
        paginate: async (_fn: unknown, args: Obj) => (calls.push({ list: args }), existing),
        rest: {
          issues: {
            listComments: () => undefined,
            updateComment: async (a: Obj) => (calls.push({ update: a }), { data: {} }),
            createComment: async (a: Obj) => (calls.push({ create: a }), { data: { id: 99 } }),
          },
        },
      };
      const context = { repo: { owner: "acme", repo: "kubestead" }, issue: { number: 7 }, runId: 123 };
      const fakeRequire = (m: string) => {
        if (m !== "fs") throw new Error(`unexpected require ${m}`);
        return { readFileSync: (p: string) => files[p] };
      };
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
      const saved = process.env.STACKS;
      process.env.STACKS = script().env.STACKS;
      try {
        await new AsyncFunction("require", "github", "context", "core", script().with.script)(fakeRequire, github, context, {
          info: () => undefined,
        });
      } finally {
        process.env.STACKS = saved;
      }
      return calls;
    }

    const ctx = (result: string, head = "acme/kubestead") => ({
      "needs.plan.result": result,
      "github.event.pull_request.head.repo.full_name": head,
      "github.repository": "acme/kubestead",
    });

    test("is posted when the plan failed as well as when it passed; never for forks or a cancelled run", () => {
      expect(job.needs).toBe("plan");
      expect(evalIf(job.if, ctx("success"))).toBe(true);
      expect(evalIf(job.if, ctx("failure"))).toBe(true); // a mandatory policy failed: the comment says which
      expect(evalIf(job.if, ctx("failure", "someone/fork"))).toBe(false);
      expect(evalIf(job.if, ctx("skipped"))).toBe(false); // check failed: no plan to post
      expect(evalIf(job.if, ctx("success"), { cancelled: true })).toBe(false); // a newer push took over
    });

    test("runs none of the PR's code and can only write comments", () => {
      expect(job.permissions).toEqual({ "pull-requests": "write" });
      expect(steps(job).filter((s) => s.run !== undefined || uses(s, "actions/checkout"))).toEqual([]);
      const download = step(job, (s) => uses(s, "actions/download-artifact"), "download");
      const upload = step(w.jobs.plan, (s) => uses(s, "actions/upload-artifact"), "upload");
      expect(download.with).toEqual({ name: upload.with.name, path: upload.with.path });
      expect(script().env.STACKS).toBe("dev prod");
    });

    test("creates one comment holding both reports when none exists", async () => {
      const calls = await runComment([{ id: 1, user: { type: "User" }, body: "LGTM" }]);
      const create = calls.find((c) => c.create)?.create;
      expect(calls.some((c) => c.update)).toBe(false);
      expect(create).toMatchObject({ owner: "acme", repo: "kubestead", issue_number: 7 });
      expect(create.body).toContain("<!-- kubestead-plan:dev -->");
      expect(create.body).toContain("<!-- kubestead-plan:prod -->");
    });

    test("updates the bot comment found by its markers instead of adding one", async () => {
      const mine = { id: 42, user: { type: "Bot" }, body: "<!-- kubestead-plan:dev -->\nold\n<!-- kubestead-plan:prod -->\nold" };
      const quoted = { id: 43, user: { type: "User" }, body: "> <!-- kubestead-plan:dev --> <!-- kubestead-plan:prod -->" };
      const calls = await runComment([quoted, mine]);
      expect(calls.some((c) => c.create)).toBe(false);
      const update = calls.find((c) => c.update)?.update;
      expect(update.comment_id).toBe(42);
      expect(update.body).toContain("## kubestead plan: `kubestead/prod`");
    });

    test("truncates an oversized body but keeps the markers", async () => {
      const big = { ...reports, ".kubestead/plan/prod/report.md": `<!-- kubestead-plan:prod -->\n${"x".repeat(80000)}` };
      const calls = await runComment([], big);
      const body: string = calls.find((c) => c.create)?.create.body;
      expect(body.length).toBeLessThanOrEqual(65000);
      expect(body.startsWith("<!-- kubestead-plan:dev -->\n<!-- kubestead-plan:prod -->")).toBe(true);
      expect(body).toMatch(/truncated: the full reports are in the offline-plan artifact of run 123\.$/);
    });
  });

  test("real preview per stack with the policy pack, on the read-only preview role, only when credentials exist", () => {
    const probe = step(w.jobs.credentials, (s) => s.id === "probe", "probe");
    expect(probe.env.AWS_PREVIEW_ROLE_ARN).toBe("${{ secrets.AWS_PREVIEW_ROLE_ARN }}");
    expect(w.jobs.credentials.outputs.aws).toBe("${{ steps.probe.outputs.aws }}");
    const preview = w.jobs.preview;
    const ctx = (aws: string, head = "acme/kubestead") => ({
      "needs.credentials.outputs.aws": aws,
      "github.event.pull_request.head.repo.full_name": head,
      "github.repository": "acme/kubestead",
    });
    expect(evalIf(preview.if, ctx("true"))).toBe(true);
    expect(evalIf(preview.if, ctx("false"))).toBe(false);
    expect(evalIf(preview.if, ctx("true", "someone/fork"))).toBe(false);
    expect(preview.needs).toEqual(["check", "credentials"]);
    expect(preview.strategy.matrix.stack).toEqual(["dev", "prod"]);
    const aws = step(preview, (s) => uses(s, "aws-actions/configure-aws-credentials"), "aws credentials");
    expect(aws.with["role-to-assume"]).toBe("${{ secrets.AWS_PREVIEW_ROLE_ARN }}");
    const run = step(preview, (s) => /^pulumi preview /.test(runOf(s)), "pulumi preview");
    expect(run.env).toEqual({ PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}", STACK: "${{ matrix.stack }}" });
    expect(runOf(run)).toContain('--stack "$STACK" --policy-pack policy --policy-pack-config "policy/$STACK.json"');
    expect(runOf(run)).not.toMatch(/\bup\b|--save-plan/);
  });
});

describe("deploy.yml", () => {
  const w = wf("deploy.yml");
  const deployJobs = { dev: { environment: "dev" }, prod: { environment: "production" } } as const;

  test("on push to main (and manual dispatch): verify, then dev, then prod", () => {
    expect(w.on.push.branches).toEqual(["main"]);
    expect(Object.keys(w.on).sort()).toEqual(["push", "workflow_dispatch"]);
    expect([w.jobs.dev.needs].flat()).toEqual(["verify"]);
    expect([w.jobs.prod.needs].flat()).toContain("dev");
    const verify = steps(w.jobs.verify).map(runOf).join("\n");
    expect(verify).toContain("npx tsc --noEmit -p policy/tsconfig.json");
    expect(verify).toContain("npm test");
  });

  test("secrets are read only by jobs in an environment, and only that environment's deploy secrets", () => {
    for (const [name, job] of jobsOf(w)) {
      const read = secretsIn(job);
      if (name in deployJobs) {
        expect({ name, environment: job.environment }).toEqual({ name, ...deployJobs[name as keyof typeof deployJobs] });
        expect({ name, read }).toEqual({ name, read: ["AWS_DEPLOY_ROLE_ARN", "PULUMI_ACCESS_TOKEN"] });
        const aws = step(job, (s) => uses(s, "aws-actions/configure-aws-credentials"), `${name}: aws credentials`);
        expect(aws.with["role-to-assume"]).toBe("${{ secrets.AWS_DEPLOY_ROLE_ARN }}");
      } else {
        expect({ name, read }).toEqual({ name, read: [] });
      }
    }
  });

  test.each(Object.keys(deployJobs))("%s deploys only from main, whatever triggered the run", (name) => {
    const job = w.jobs[name];
    const ctx = (ref: string, event: string) => ({
      "github.ref": ref,
      "github.event_name": event,
      "needs.dev.outputs.deployed": "true",
    });
    expect(evalIf(job.if, ctx("refs/heads/main", "push"))).toBe(true);
    expect(evalIf(job.if, ctx("refs/heads/main", "workflow_dispatch"))).toBe(true);
    expect(evalIf(job.if, ctx("refs/heads/feature", "workflow_dispatch"))).toBe(false);
    expect(evalIf(job.if, ctx("refs/tags/v1.0.0", "workflow_dispatch"))).toBe(false);
  });

  test("prod runs only after dev deployed; dev without its secrets deploys nothing", () => {
    expect(evalIf(w.jobs.prod.if, { "github.ref": "refs/heads/main", "needs.dev.outputs.deployed": "false" })).toBe(false);
    expect(w.jobs.dev.outputs.deployed).toBe("${{ steps.credentials.outputs.ready }}");
    const probe = steps(w.jobs.dev)[0];
    expect(probe.id).toBe("credentials");
    for (const s of steps(w.jobs.dev).slice(1)) expect(s.if).toBe("steps.credentials.outputs.ready == 'true'");
  });

  test.each([
    ["dev", "policy/dev.json"],
    ["prod", "policy/prod.json"],
  ])("%s: a preview with the policy pack saves the plan before anything changes; up applies exactly that plan", (name, config) => {
    const job = w.jobs[name];
    const pack = `--policy-pack policy --policy-pack-config ${config}`;
    const aws = stepIndex(job, (s) => uses(s, "aws-actions/configure-aws-credentials"), "aws");
    const gate = stepIndex(job, (s) => /^pulumi preview /.test(runOf(s)), "gating preview");
    const up = stepIndex(job, (s) => /^pulumi up /.test(runOf(s)), "pulumi up");
    expect(aws).toBeLessThan(gate);
    expect(gate).toBeLessThan(up);
    expect(runOf(steps(job)[gate])).toContain(`--stack "$STACK" ${pack} --save-plan plan.json`);
    expect(runOf(steps(job)[up])).toContain(`--stack "$STACK" --plan plan.json ${pack} --yes`);
    expect(job.env.STACK).toBe(name);
    // A failed gate must stop the job: nothing may run on past it.
    for (const s of steps(job).slice(gate)) {
      expect(s["continue-on-error"]).toBeUndefined();
      expect(String(s.if ?? "")).not.toMatch(/always\(\)|failure\(\)|cancelled\(\)/);
    }
    expect(steps(job).filter((s) => /\bpulumi (up|preview)\b/.test(runOf(s)))).toHaveLength(2);
    for (const i of [gate, up]) expect(steps(job)[i].env.PULUMI_ACCESS_TOKEN).toBe("${{ secrets.PULUMI_ACCESS_TOKEN }}");
  });

  test("two deploys of one stack never overlap and are never cancelled mid-update", () => {
    const groups = Object.keys(deployJobs).map((name) => {
      expect(w.jobs[name].concurrency["cancel-in-progress"]).toBe(false);
      return w.jobs[name].concurrency.group;
    });
    expect(new Set(groups).size).toBe(groups.length);
    for (const g of groups) expect(g).not.toMatch(/\$\{\{/); // one fixed group per stack, not per run or ref
  });

  test("prod fails loudly when dev deployed but production's secrets are missing", () => {
    const probe = steps(w.jobs.prod)[0];
    const cwd = mkdtempSync(join(tmpdir(), "kubestead-probe-"));
    try {
      expect(runScript(runOf(probe), cwd, { AWS_DEPLOY_ROLE_ARN: "", PULUMI_ACCESS_TOKEN: "x" }).status).toBe(1);
      expect(runScript(runOf(probe), cwd, { AWS_DEPLOY_ROLE_ARN: "arn:aws:iam::1:role/r", PULUMI_ACCESS_TOKEN: "x" }).status).toBe(0);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe("mutate.yml", () => {
  const w = wf("mutate.yml");
  const job = w.jobs.mutate;

  test("weekly and on demand, never on a pull request or a push", () => {
    expect(Object.keys(w.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(w.on.schedule).toHaveLength(1);
    expect(w.on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* [0-6]$/);
  });

  test("runs the README's incremental npm run mutate after npm ci, reads no secret, uploads the report", () => {
    expect(secretsIn(w)).toEqual([]);
    expect(Object.keys(w.jobs)).toEqual(["mutate"]);
    const ci = stepIndex(job, (s) => s.run === "npm ci", "npm ci");
    const mutate = stepIndex(job, (s) => s.run === "npm run mutate", "npm run mutate");
    expect(ci).toBeLessThan(mutate);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Obj;
    expect(pkg.scripts.mutate).toBe("stryker run");
    const upload = step(job, (s) => uses(s, "actions/upload-artifact"), "upload-artifact");
    expect(steps(job).indexOf(upload)).toBeGreaterThan(mutate);
    expect(upload.if).toBe("${{ !cancelled() }}");
    expect(String(upload.with.path)).toContain("reports/stryker-incremental.json");
    expect(job["timeout-minutes"]).toBeLessThanOrEqual(360);
  });
});
