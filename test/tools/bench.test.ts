/** The pure parts of `npm run bench`; the timings themselves are never asserted. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { parseClusterConfig } from "../../lib/config/parse";
import { BenchResult, breakdown, formatReport, INCLUDED, scalingTable } from "../../tools/bench/report";
import { scratchStack, StackDoc, zonesFor } from "../../tools/bench/scratch";
import { parseSample } from "../../tools/bench/spawn";
import { formatKiB, formatMs, formatRatio, median, Sample, summarise } from "../../tools/bench/stats";
import { rawStackConfig, stackConfig } from "../../tools/offline/stackFile";

const ROOT = path.resolve(__dirname, "../..");
const prod = parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")) as StackDoc;
const sample = (ms: number, resources = 194): Sample => ({ ms, cpuMs: ms / 2, maxRssKiB: 200 * 1024, resources });

describe("stats", () => {
  test.each([
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[10, 10, 1000], 10],
  ])("median(%j) = %d", (xs, m) => {
    expect(median(xs)).toBe(m);
  });

  test("median does not reorder its input, and refuses no samples", () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
    expect(() => median([])).toThrow(/--runs 1 or more/);
  });

  test("formatRatio says whether the target is met; the target itself is met", () => {
    expect(formatRatio(2.7182, 1.5)).toBe("2.72× (target ≤ 1.5×: over)");
    expect(formatRatio(1.5, 1.5)).toBe("1.50× (target ≤ 1.5×: met)");
    expect(formatRatio(0.91, 1.5)).toBe("0.91× (target ≤ 1.5×: met)");
  });

  test("formatMs and formatKiB", () => {
    expect(formatMs(999.6)).toBe("1000 ms");
    expect(formatMs(1234)).toBe("1.23 s");
    expect(formatKiB(256 * 1024)).toBe("256 MiB");
  });

  test("summarise takes medians and keeps the runs", () => {
    const runs = [sample(300), sample(100), sample(200)];
    const s = summarise(runs);
    expect(s).toMatchObject({ ms: 200, cpuMs: 100, maxRssKiB: 200 * 1024, resources: 194 });
    expect(s.runs).toBe(runs);
  });

  test("summarise lists the resource counts when runs disagree (the program was edited meanwhile)", () => {
    const s = summarise([sample(1, 195), sample(1, 194), sample(1, 195)]);
    expect(s.resources).toBe(195);
    expect(s.resourceCounts).toEqual([194, 195]);
  });
});

describe("child output", () => {
  test("the last line is the sample, whatever the program printed before", () => {
    expect(parseSample(`warning: something\n{"ms":1,"cpuMs":2,"maxRssKiB":3,"resources":4}\n`)).toEqual({
      ms: 1,
      cpuMs: 2,
      maxRssKiB: 3,
      resources: 4,
    });
  });

  test.each([[""], ["not json"], ['{"ms":1}'], ['{"ms":"1","cpuMs":2,"maxRssKiB":3,"resources":4}']])("%j is no sample", (out) => {
    expect(parseSample(out)).toBeUndefined();
  });
});

describe("scratch stacks for the scaling runs", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubestead-bench-test-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    [1, 3],
    [1, 5],
    [5, 3],
    [5, 5],
    [20, 3],
    [20, 5],
  ])("%d pools, %d etcd members: a stack file the config parser accepts", (pools, members) => {
    // Through a real file and stackConfig, as the bench child reads it.
    const sub = path.join(dir, `${pools}-${members}`);
    fs.mkdirSync(sub);
    fs.writeFileSync(path.join(sub, "Pulumi.prod.yaml"), stringify(scratchStack(prod, { pools, members })));
    const config = parseClusterConfig(rawStackConfig(stackConfig(sub, "prod"), "prod"));

    expect(config.etcd.members).toBe(members);
    expect(config.zones).toHaveLength(Math.max(3, members));
    expect(config.workers.map((w) => w.name)).toEqual(Array.from({ length: pools }, (_, i) => `pool-${i}`));
    expect(config.workers.reduce((s, w) => s + w.maxSize, 0) + config.controlPlane.nodes).toBeLessThanOrEqual(config.maxNodes);
    // Everything else is prod's.
    expect(config.name).toBe("kubestead-prod");
    expect(config.controlPlane.nodes).toBe(3);
  });

  test("pools copy the first base pool, shrunk to fit maxNodes", () => {
    const doc = scratchStack(prod, { pools: 20, members: 3 });
    const workers = doc.config["kubestead:workers"] as Record<string, unknown>[];
    expect(workers[0]).toEqual({
      name: "pool-0",
      minSize: 3,
      maxSize: 249, // (5000 - 3 control-plane nodes) / 20
      desiredCapacity: 6,
      instanceTypes: ["m7i.xlarge", "m6i.xlarge"],
      spot: { onDemandBase: 3, onDemandPercentageAboveBase: 25 },
    });
    expect((scratchStack(prod, { pools: 1, members: 3 }).config["kubestead:workers"] as { maxSize: number }[])[0].maxSize).toBe(3000);
  });

  test("the base document is left alone", () => {
    const before = JSON.stringify(prod);
    scratchStack(prod, { pools: 5, members: 5 });
    expect(JSON.stringify(prod)).toBe(before);
  });

  test("zones grow with the region's letters only as far as the members need", () => {
    expect(zonesFor("us-east-1", ["us-east-1a", "us-east-1b", "us-east-1c"], 3)).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
    expect(zonesFor("us-east-1", ["us-east-1a", "us-east-1c", "us-east-1d"], 5)).toEqual([
      "us-east-1a",
      "us-east-1c",
      "us-east-1d",
      "us-east-1b",
      "us-east-1e",
    ]);
    expect(() => zonesFor("us-east-1", [], 7)).toThrow(/kubestead:zones: 7 etcd members need 7 zones/);
  });

  test("bad case sizes are refused with the value", () => {
    expect(() => scratchStack(prod, { pools: 0, members: 3 })).toThrow(/pools must be a positive integer \(got 0\)/);
    expect(() => scratchStack({ config: { ...prod.config, "kubestead:maxNodes": 10 } }, { pools: 20, members: 3 })).toThrow(
      /maxNodes \(10\) leaves no room for 20 pools/,
    );
  });
});

describe("report", () => {
  const points = [
    { pools: 1, members: 3, resources: 100, resourceCounts: [100], ms: 1000, cpuMs: 900 },
    { pools: 5, members: 3, resources: 150, resourceCounts: [150], ms: 1500, cpuMs: 1300 },
  ];

  test("the scaling table gives ms per resource and the marginal cost against the first row", () => {
    const lines = scalingTable(points).split("\n");
    expect(lines[0]).toMatch(/pools\s+etcd\s+resources\s+ms\s+cpu ms\s+ms\/resource\s+Δms\/Δresource/);
    expect(lines[1].trim().split(/\s+/)).toEqual(["1", "3", "100", "1000", "900", "10.0", "–"]);
    expect(lines[2].trim().split(/\s+/)).toEqual(["5", "3", "150", "1500", "1300", "10.0", "10.0"]);
  });

  test("the report names what is timed, both times, the ratio against the target and the memory", () => {
    const result: BenchResult = {
      stack: "prod",
      runs: 3,
      targetRatio: 1.5,
      included: INCLUDED,
      plan: summarise([sample(3000), sample(3200), sample(2900)]),
      floor: summarise([sample(1000), sample(1100), sample(900)]),
      ratio: 3,
      cpuRatio: 3,
      scaling: points,
    };
    const text = formatReport(result);
    expect(text).toContain("stack prod, 194 resources, median of 3 run(s) each");
    expect(text).toContain("timed: runProgram in a fresh process");
    expect(text).toMatch(/plan\s+3\.00 s wall\s+1\.50 s cpu\s+peak RSS 200 MiB/);
    expect(text).toMatch(/floor\s+1\.00 s wall\s+500 ms cpu/);
    // Without the floor+data reference the verdict falls back to the bare floor, and says so.
    expect(text).toContain("3.00× (target ≤ 1.5×: over) against the bare floor (no floor+data measured)");
    expect(text).toContain("runs   plan 3000, 3200, 2900 ms; floor 1000, 1100, 900 ms");
    expect(text).toContain("Scaling");
    expect(text).not.toContain("!");
    expect(formatReport({ ...result, scaling: [] })).not.toContain("Scaling");
  });

  test("runs that disagree on the resource count are flagged, not hidden", () => {
    const base = summarise([sample(1000)]);
    const text = formatReport({
      stack: "prod",
      runs: 2,
      targetRatio: 1.5,
      included: INCLUDED,
      plan: summarise([sample(3000, 194), sample(3000, 196)]),
      floor: base,
      ratio: 3,
      cpuRatio: 3,
      scaling: [{ pools: 20, members: 3, resources: 251.5, resourceCounts: [251, 252], ms: 1, cpuMs: 1 }],
    });
    expect(text).toContain("! the plan runs planned different resource counts (194, 196)");
    expect(text).toContain("! 20 pools, 3 members: the runs planned different resource counts (251, 252)");
    expect(text).not.toContain("the floor runs");
  });
});

describe("the breakdown over the floor", () => {
  const s = (ms: number) => ({ ...summarise([sample(ms, 10)]) });
  const result: BenchResult = {
    stack: "prod",
    runs: 1,
    targetRatio: 1.5,
    included: INCLUDED,
    plan: s(1000),
    floor: s(600),
    ratio: 1000 / 600,
    cpuRatio: 1.7,
    floorWithProviders: s(660),
    floorWithData: s(760),
    scaling: [],
  };

  test("splits the plan's time over the floor into provider loading, data and the program", () => {
    const b = breakdown(result);
    expect(b).toBeDefined();
    expect(b!.providers).toBeCloseTo(60);
    expect(b!.data).toBeCloseTo(160);
    expect(b!.program).toBeCloseTo(1000 - 600 - 60 - 160);
    expect(b!.allowed).toBeCloseTo(300);
    expect(b!.leftForProgram).toBeCloseTo(300 - 60 - 160);
  });

  test("is printed when the reference floors were measured, and only then", () => {
    const text = formatReport(result);
    expect(text).toMatch(/provider SDK modules the program imports\s+60 ms/);
    expect(text).toMatch(/registering the plan's data \(blanked\)\s+160 ms/);
    expect(text).toMatch(/the program itself\s+180 ms/);
    expect(text).toMatch(/1\.5× the bare floor would allow\s+300 ms\s+over it, leaving 80 ms for the program itself/);
    // The target is against the floor that registers the same data.
    expect(text).toContain("plan ÷ floor+data 1.32× (target ≤ 1.5×: met)");
    expect(text).toContain("ratio  1.67× against the bare floor (informational)");
    const bare = { ...result, floorWithProviders: undefined, floorWithData: undefined };
    expect(breakdown(bare)).toBeUndefined();
    expect(formatReport(bare)).not.toContain("Where the plan's time");
  });
});

describe("the shape of a plan's data", () => {
  const { blank, shapeOf } = require("../../tools/bench/shape");
  const resource = (over: Record<string, unknown>) => ({
    urn: "urn:x",
    type: "aws:ssm/parameter:Parameter",
    name: "p",
    custom: true,
    dependencies: [],
    propertyDependencies: {},
    inputs: {},
    outputs: {},
    options: {},
    secretPaths: [],
    ...over,
  });

  test("blank keeps structure and string lengths, and no value", () => {
    expect(blank({ a: "secret!", b: [1, true, null, { c: "xy" }] })).toEqual({ a: "xxxxxxx", b: [0, false, null, { c: "xx" }] });
  });

  test("output-only properties of custom resources become declared-but-unset; secret inputs are named at the top level", () => {
    const key = "-----BEGIN EC PRIVATE KEY-----abc";
    const [shape] = shapeOf([
      resource({
        inputs: { name: "/k/etcd/key", value: key, tags: { a: "b" } },
        outputs: { name: "/k/etcd/key", value: key, tags: { a: "b" }, arn: "arn:aws:ssm:x", id: "p-1", version: 1 },
        secretPaths: ["inputs.value", "outputs.value", "inputs.tags.a"],
      }),
    ]);
    expect(shape.props).toEqual({ name: "x".repeat(11), value: "x".repeat(key.length), tags: { a: "x" }, arn: null, version: null });
    expect(shape.secret).toEqual(["value", "tags"]);
    expect(JSON.stringify(shape)).not.toContain("BEGIN");
  });

  test("components carry their inputs only", () => {
    const [shape] = shapeOf([resource({ custom: false, inputs: { a: "b" }, outputs: { vpcId: "vpc-1" } })]);
    expect(shape.props).toEqual({ a: "x" });
  });
});

describe("providerImports (the reference floor loads what the program loads)", () => {
  const { providerImports, providerModules } = require("../../tools/bench/providerModules");

  test("finds provider modules, not the SDK itself, once each, sorted", () => {
    const sources = [
      `import * as pulumi from "@pulumi/pulumi";\nimport * as ec2 from "@pulumi/aws/ec2";`,
      `import { Release } from "@pulumi/kubernetes/helm/v3/release";\nimport * as ec2 from "@pulumi/aws/ec2";\nimport * as tls from "@pulumi/tls";`,
    ];
    expect(providerImports(sources)).toEqual(["@pulumi/aws/ec2", "@pulumi/kubernetes/helm/v3/release", "@pulumi/tls"]);
  });

  test("the program's list resolves, and imports services rather than whole SDKs", () => {
    const modules: string[] = providerModules();
    expect(modules).toEqual(expect.arrayContaining(["@pulumi/aws/ec2", "@pulumi/tls"]));
    expect(modules).not.toContain("@pulumi/aws");
    expect(modules).not.toContain("@pulumi/kubernetes");
    for (const m of modules) expect(() => require.resolve(m)).not.toThrow();
  });
});

describe("the shaped floor in its own process", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubestead-bench-shape-test-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "shape.json");
  fs.writeFileSync(
    file,
    JSON.stringify([
      { props: { a: "xx", b: null }, secret: ["a"] },
      { props: {}, secret: [] },
    ]),
  );
  const floor = (n: number) =>
    spawnSync(process.execPath, ["--import", "tsx", "tools/bench/child.ts", "floor", "--resources", String(n), "--shape", file], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });

  test("registers one bare resource per shape", () => {
    const r = floor(2);
    expect(r.status).toBe(0);
    expect(parseSample(r.stdout)?.resources).toBe(2);
  });

  test("refuses a shape file that does not match the resource count", () => {
    const r = floor(3);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("bench:shape has 2 resources, bench:resources says 3");
  });
});
