import { validateWorkflow } from "@action-validator/core";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

type Obj = Record<string, any>;
const dir = join(__dirname, "../../.github/workflows");
const src = (f: string) => readFileSync(join(dir, f), "utf8");
const wf = (f: string) => parse(src(f)) as Obj;
const steps = (job: Obj): Obj[] => job.steps ?? [];
function must<T>(x: T | undefined, what: string): T {
  if (x === undefined) throw new Error(`not found: ${what}`);
  return x;
}
const step = (job: Obj, pred: (s: Obj) => boolean, what: string): Obj => must(steps(job).find(pred), what);
const usesOf = (w: Obj): string[] =>
  Object.values(w.jobs as Obj).flatMap((j: Obj) =>
    steps(j)
      .map((s) => s.uses)
      .filter(Boolean),
  );

describe.each(["pr.yml", "deploy.yml"])("%s", (file) => {
  test("is a valid GitHub workflow (action-validator)", () => {
    expect(validateWorkflow(src(file)).errors).toEqual([]);
  });

  test("every action is pinned to an exact release or commit", () => {
    const uses = usesOf(wf(file));
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/);
  });

  test("least privilege: read-only by default, write scopes only where used", () => {
    const w = wf(file);
    expect(w.permissions).toEqual({ contents: "read" });
    for (const [name, job] of Object.entries(w.jobs as Obj)) {
      const perms: Obj = job.permissions ?? {};
      expect({ name, perms: typeof job.permissions }).not.toEqual({ name, perms: "string" }); // no read-all/write-all
      const usesAws = steps(job).some((s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"));
      expect({ name, idToken: perms["id-token"] === "write" }).toEqual({ name, idToken: usesAws });
      const comments = steps(job).some((s) => String(s.uses).startsWith("actions/github-script@"));
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
});

describe("pr.yml", () => {
  const w = wf("pr.yml");
  const run = (job: Obj) =>
    steps(job)
      .map((s) => String(s.run ?? ""))
      .join("\n");

  test("runs on pull requests: Node 20, npm ci, lint, check, test under CI with the Debian tools", () => {
    expect(Object.keys(w.on)).toEqual(["pull_request"]);
    const check = w.jobs.check;
    expect(step(check, (s) => String(s.uses).startsWith("actions/setup-node@"), "setup-node").with["node-version"]).toBe(20);
    const r = run(check);
    for (const pkg of ["etcd-server", "etcd-client", "containerd", "cloud-init", "shellcheck"])
      expect(r).toMatch(new RegExp(`apt-get install[^\\n]*\\b${pkg}\\b`));
    const order = ["npm ci", "npm run lint", "npm run check", "npm test"].map((c) => steps(check).findIndex((s) => s.run === c));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(step(check, (s) => s.run === "npm test", "npm test").env.CI).toBe("true");
  });

  test("offline plan of dev and prod writes the report the comment posts", () => {
    const r = run(w.jobs.plan);
    expect(r).toContain("for stack in dev prod");
    expect(r).toContain('npm run plan -- --stack "$stack" --report ".kubestead/plan/$stack/report.md"');
    expect(w.jobs.plan.needs).toBe("check");
  });

  describe("the comment script", () => {
    const script = step(w.jobs.plan, (s) => String(s.uses).startsWith("actions/github-script@"), "github-script");
    const reports: Record<string, string> = {
      ".kubestead/plan/dev/report.md": "<!-- kubestead-plan:dev -->\n## kubestead plan: `kubestead/dev`\n",
      ".kubestead/plan/prod/report.md": "<!-- kubestead-plan:prod -->\n## kubestead plan: `kubestead/prod`\n",
    };

    async function runScript(existing: Obj[], files = reports) {
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
      process.env.STACKS = script.env.STACKS;
      try {
        await new AsyncFunction("require", "github", "context", "core", script.with.script)(fakeRequire, github, context, {
          info: () => undefined,
        });
      } finally {
        process.env.STACKS = saved;
      }
      return calls;
    }

    test("skips forks and posts both stacks", () => {
      expect(script.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
      expect(script.env.STACKS).toBe("dev prod");
    });

    test("creates one comment holding both reports when none exists", async () => {
      const calls = await runScript([{ id: 1, user: { type: "User" }, body: "LGTM" }]);
      const create = calls.find((c) => c.create)?.create;
      expect(calls.some((c) => c.update)).toBe(false);
      expect(create).toMatchObject({ owner: "acme", repo: "kubestead", issue_number: 7 });
      expect(create.body).toContain("<!-- kubestead-plan:dev -->");
      expect(create.body).toContain("<!-- kubestead-plan:prod -->");
    });

    test("updates the bot comment found by its markers instead of adding one", async () => {
      const mine = { id: 42, user: { type: "Bot" }, body: "<!-- kubestead-plan:dev -->\nold\n<!-- kubestead-plan:prod -->\nold" };
      const quoted = { id: 43, user: { type: "User" }, body: "> <!-- kubestead-plan:dev --> <!-- kubestead-plan:prod -->" };
      const calls = await runScript([quoted, mine]);
      expect(calls.some((c) => c.create)).toBe(false);
      const update = calls.find((c) => c.update)?.update;
      expect(update.comment_id).toBe(42);
      expect(update.body).toContain("## kubestead plan: `kubestead/prod`");
    });

    test("truncates an oversized body but keeps the markers", async () => {
      const big = { ...reports, ".kubestead/plan/prod/report.md": `<!-- kubestead-plan:prod -->\n${"x".repeat(80000)}` };
      const calls = await runScript([], big);
      const body: string = calls.find((c) => c.create)?.create.body;
      expect(body.length).toBeLessThanOrEqual(65000);
      expect(body.startsWith("<!-- kubestead-plan:dev -->\n<!-- kubestead-plan:prod -->")).toBe(true);
      expect(body).toMatch(/truncated: the full reports are in the offline-plan artifact of run 123\.$/);
    });
  });

  test("real preview per stack with the policy pack, only when credentials exist", () => {
    const probe = step(w.jobs.credentials, (s) => s.id === "probe", "probe");
    expect(probe.env.AWS_ROLE_ARN).toBe("${{ secrets.AWS_ROLE_ARN }}");
    expect(w.jobs.credentials.outputs.aws).toBe("${{ steps.probe.outputs.aws }}");
    const preview = w.jobs.preview;
    expect(preview.if).toBe("needs.credentials.outputs.aws == 'true'");
    expect(preview.needs).toEqual(["check", "credentials"]);
    expect(preview.strategy.matrix.stack).toEqual(["dev", "prod"]);
    const aws = step(preview, (s) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"), "aws credentials");
    expect(aws.with["role-to-assume"]).toBe("${{ secrets.AWS_ROLE_ARN }}");
    const pulumi = step(preview, (s) => String(s.uses).startsWith("pulumi/actions@v6"), "pulumi");
    expect(pulumi.with).toMatchObject({
      command: "preview",
      "stack-name": "${{ matrix.stack }}",
      policyPacks: "policy",
      policyPackConfigs: "policy/${{ matrix.stack }}.json",
    });
  });
});

describe("deploy.yml", () => {
  const w = wf("deploy.yml");
  const pulumi = (job: Obj) => step(job, (s) => String(s.uses).startsWith("pulumi/actions@v6"), "pulumi");

  test("on push to main: pulumi up dev, then prod after dev through the protected environment", () => {
    expect(w.on.push.branches).toEqual(["main"]);
    expect(pulumi(w.jobs.dev).with).toMatchObject({
      command: "up",
      "stack-name": "dev",
      policyPacks: "policy",
      policyPackConfigs: "policy/dev.json",
    });
    expect(pulumi(w.jobs.prod).with).toMatchObject({
      command: "up",
      "stack-name": "prod",
      policyPacks: "policy",
      policyPackConfigs: "policy/prod.json",
    });
    expect([w.jobs.prod.needs].flat()).toContain("dev");
    expect(w.jobs.prod.environment).toBe("production");
    expect(w.jobs.dev.environment).toBe("dev");
    expect([w.jobs.dev.needs].flat()).toEqual(expect.arrayContaining(["verify", "credentials"]));
    expect(w.jobs.dev.if).toBe("needs.credentials.outputs.aws == 'true'");
  });

  test("deployments queue and are never cancelled mid-update", () => {
    expect(w.concurrency).toEqual({ group: "deploy", "cancel-in-progress": false });
  });
});
