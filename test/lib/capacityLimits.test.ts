import { capacityCheck, type CapacityRow } from "../../lib/capacity";
import {
  bootBudgetRows,
  capacityLimitRows,
  controlPlaneRows,
  controlPlaneTier,
  ETCD_BYTES_PER_NODE,
  etcdRows,
  etcdTier,
  largestScaleUp,
  quotaRows,
  retryWindowSeconds,
  SSM_DEFAULT_TPS,
  SSM_FETCHES_PER_CONTROL_PLANE_NODE,
  SSM_FETCHES_PER_WORKER,
} from "../../lib/capacityLimits";
import { planSubnets } from "../../lib/cidr";
import { parseClusterConfig } from "../../lib/config/parse";
import type { ClusterConfig } from "../../lib/config/types";
import { renderBootScript } from "../../bootstrap/bootScript";
import { KEY } from "../../bootstrap/controlPlane/paths";
import { joinsWithBootstrapToken } from "../../bootstrap/node/files";
import { rawOf } from "../helpers/stackValues";

const prod = (): ClusterConfig => parseClusterConfig(rawOf("prod"));

/** prod with `change` applied to its parsed config (one field per test). */
function prodWith(change: (c: ClusterConfig) => void): ClusterConfig {
  const c = structuredClone(prod());
  change(c);
  return c;
}

function row(rows: CapacityRow[], name: string): CapacityRow {
  const found = rows.find((r) => r.name === name);
  if (!found) throw new Error(`no row ${name}`);
  return found;
}

describe("control-plane size by node count (kubernetes.io large clusters)", () => {
  test.each([
    [5, 1, 3.75],
    [6, 2, 7.5],
    [100, 4, 15],
    [101, 8, 30],
    [250, 8, 30],
    [251, 16, 30],
    [500, 16, 30],
    [501, 36, 60],
  ])("%i nodes need %i vCPUs and %f GiB", (nodes, vcpus, memoryGiB) => {
    expect(controlPlaneTier(nodes)).toMatchObject({ vcpus, memoryGiB });
  });

  test("a type just below the tier fails, one at it passes", () => {
    // 500 nodes: 16 vCPUs / 30 GiB. c7i.4xlarge has 16 / 32; c7i.2xlarge 8 / 16.
    const at = controlPlaneRows(prodWith((c) => ((c.maxNodes = 500), (c.controlPlane.instanceType = "c7i.4xlarge"))));
    expect(at.problems).toEqual([]);
    const below = controlPlaneRows(prodWith((c) => ((c.maxNodes = 500), (c.controlPlane.instanceType = "c7i.2xlarge"))));
    expect(row(below.rows, "control-plane vCPUs")).toMatchObject({ value: 8, limit: 16, ok: false });
    expect(below.problems[0]).toMatch(
      /^kubestead:controlPlane\.instanceType c7i\.2xlarge has 8 vCPUs and 16 GiB, below the 16 vCPUs and 30 GiB/,
    );
    // One node more moves to the next tier: 501 nodes need 36 vCPUs.
    expect(controlPlaneRows(prodWith((c) => ((c.maxNodes = 501), (c.controlPlane.instanceType = "c7i.4xlarge")))).problems).toHaveLength(1);
  });

  test("memory alone can fail: 36 vCPUs are not enough without 60 GiB", () => {
    // c7i.8xlarge: 32 vCPUs, 64 GiB; m7i.12xlarge: 48 / 192; c7i.12xlarge: 48 / 96.
    const r = controlPlaneRows(prodWith((c) => (c.controlPlane.instanceType = "c7i.8xlarge")));
    expect(row(r.rows, "control-plane vCPUs").ok).toBe(false);
    expect(row(r.rows, "control-plane memory GiB").ok).toBe(true);
  });

  test("an unknown type is reported, not guessed", () => {
    const r = controlPlaneRows(prodWith((c) => (c.controlPlane.instanceType = "x9.huge")));
    expect(r.problems[0]).toMatch(/x9\.huge is not a known instance type/);
  });
});

describe("etcd (etcd.io hardware guide and system limits)", () => {
  // 128 KiB a node: 100 MB, 500 MB and 1 GB bounds at 762, 3,814 and 7,629 nodes.
  test.each([
    [762, "small"],
    [763, "medium"],
    [3814, "medium"],
    [3815, "large"],
    [7629, "large"],
    [7630, "xlarge"],
  ])("%i nodes are a %s cluster", (nodes, name) => {
    expect(etcdTier(nodes).name).toBe(name);
  });

  test("instance size at the large tier: 8 vCPUs / 32 GiB pass, 4 / 16 fail", () => {
    expect(etcdRows(prod()).problems).toEqual([]);
    const below = etcdRows(prodWith((c) => (c.etcd.instanceType = "m7i.xlarge")));
    expect(below.problems).toHaveLength(1);
    expect(below.problems[0]).toMatch(
      /^kubestead:etcd\.instanceType m7i\.xlarge has 4 vCPUs and 16 GiB, below the 8 vCPUs and 32 GiB etcd's large cluster/,
    );
  });

  test("IOPS: 5,000 for a heavily loaded (large) cluster, 500 for a typical one", () => {
    expect(row(etcdRows(prodWith((c) => (c.etcd.volumeIops = 5000))).rows, "etcd volume IOPS")).toMatchObject({ limit: 5000, ok: true });
    const below = etcdRows(prodWith((c) => (c.etcd.volumeIops = 4999)));
    expect(row(below.rows, "etcd volume IOPS").ok).toBe(false);
    expect(below.problems).toContain(
      "kubestead:etcd.volumeIops 4,999 is below the 5,000 of etcd's large cluster (~656 MB of data for 5,000 nodes): set volumeIops: 5000",
    );
    const small = etcdRows(prodWith((c) => ((c.maxNodes = 100), (c.etcd.volumeIops = 500))));
    expect(row(small.rows, "etcd volume IOPS")).toMatchObject({ limit: 500, ok: true });
  });

  test("backend estimate against the 8 GiB quota: at the limit passes, one node more fails", () => {
    // 2 × 128 KiB a node: 32,768 nodes fill 8 GiB exactly.
    const atLimit = (8 * 1024 ** 3) / (2 * ETCD_BYTES_PER_NODE);
    expect(row(etcdRows(prodWith((c) => (c.maxNodes = atLimit))).rows, "etcd backend MB (estimate) within the quota").ok).toBe(true);
    const over = etcdRows(prodWith((c) => (c.maxNodes = atLimit + 1)));
    expect(row(over.rows, "etcd backend MB (estimate) within the quota").ok).toBe(false);
    expect(over.problems.some((p) => p.includes("exceeds the 8 GiB quota"))).toBe(true);
  });

  test("volume: twice the quota plus WAL, 17 GiB", () => {
    expect(row(etcdRows(prodWith((c) => (c.etcd.volumeSizeGiB = 17))).rows, "etcd volume GiB")).toMatchObject({ limit: 17, ok: true });
    const below = etcdRows(prodWith((c) => (c.etcd.volumeSizeGiB = 16)));
    expect(below.problems).toContain(
      "kubestead:etcd.volumeSizeGiB 16 is below the 17 GiB a full 8 GiB backend needs to defragment: set volumeSizeGiB: 17",
    );
  });
});

describe("boot-time SSM budget of the largest scale-up", () => {
  test("the counts of fetched parameters match the renderers", () => {
    // A worker fetches its bootstrap kubeconfig; control-plane nodes their keys, the encryption config and the add-on token.
    expect(joinsWithBootstrapToken("worker")).toBe(true);
    expect(SSM_FETCHES_PER_WORKER).toBe(1);
    expect(SSM_FETCHES_PER_CONTROL_PLANE_NODE).toBe(Object.keys(KEY).length + 2);
  });

  test("the retry window is the boot script's: 9 attempts from 3 s doubling to 60 s", () => {
    const script = renderBootScript({ role: "worker", region: "us-east-1", steps: [] } as never);
    expect(script).toContain("retry 9 3 ssm_get");
    expect(script).toContain("RETRY_MAX_DELAY=60");
    // 3 + 6 + 12 + 24 + 48 + 60 + 60 + 60
    expect(retryWindowSeconds()).toBe(273);
    expect(retryWindowSeconds(1)).toBe(0);
  });

  test("the largest step is maxSize - desiredCapacity of one pool", () => {
    expect(largestScaleUp(prod())).toEqual({ pool: "general", nodes: 2994 });
  });

  test("at the window passes, one call more fails", () => {
    // 273 s × 40 TPS = 10,920 calls.
    const at = bootBudgetRows(prodWith((c) => ((c.workers[0].maxSize = 10920 + 6), (c.maxNodes = 20000))));
    expect(at.rows[0]).toMatchObject({ value: 273, limit: 273, ok: true });
    const over = bootBudgetRows(prodWith((c) => ((c.workers[0].maxSize = 10920 + 7), (c.maxNodes = 20000))));
    expect(over.rows[0]).toMatchObject({ value: 274, ok: false });
    expect(over.problems[0]).toMatch(
      /^kubestead:workers general: a scale-up of 10,921 nodes makes 10,921 SSM GetParameter calls, 274 s at 40 TPS/,
    );
    expect(SSM_DEFAULT_TPS).toBe(40);
  });
});

describe("account quotas (advisory)", () => {
  test("are advisory: shown, never failing the check", () => {
    const r = quotaRows(prod());
    expect(r.rows.every((x) => x.advisory)).toBe(true);
    expect(r.problems).toEqual([]);
    expect(row(r.rows, "Elastic IPs (one per NAT gateway)")).toMatchObject({ value: 3, limit: 5, ok: true });
    // 3,000 × 4 + 30 × 2 workers, 3 × 48 control plane, 3 × 8 etcd.
    expect(row(r.rows, "On-Demand Standard vCPUs at maxSize")).toMatchObject({ value: 12228, ok: false });
  });

  test("EIPs: 5 NAT gateways fit the default, 6 do not", () => {
    const zones = (n: number) => Array.from({ length: n }, (_, i) => `us-east-1${"abcdef"[i]}`);
    expect(row(quotaRows(prodWith((c) => (c.zones = zones(5)))).rows, "Elastic IPs (one per NAT gateway)").ok).toBe(true);
    expect(row(quotaRows(prodWith((c) => (c.zones = zones(6)))).rows, "Elastic IPs (one per NAT gateway)").ok).toBe(false);
    expect(row(quotaRows(prodWith((c) => (c.network.natGateways = "single"))).rows, "Elastic IPs (one per NAT gateway)").value).toBe(1);
  });
});

describe("environment", () => {
  test("sizes bind production only; a development cluster sees them as advisory", () => {
    const small = (env: ClusterConfig["environment"]) =>
      capacityLimitRows(
        prodWith((c) => {
          c.environment = env;
          c.controlPlane.instanceType = "t3.large";
        }),
      );
    expect(small("production").problems).toHaveLength(1);
    const dev = small("development");
    expect(dev.problems).toEqual([]);
    expect(row(dev.rows, "control-plane vCPUs")).toMatchObject({ ok: false, advisory: true });
    // The boot budget still binds.
    expect(row(dev.rows, "seconds to serve the largest scale-up's SSM fetches").advisory).toBeUndefined();
  });
});

describe("prod as shipped", () => {
  test("is proven for its 5,000 nodes by every limit, each row citing its source", () => {
    const c = prod();
    expect(c.maxNodes).toBe(5000);
    const subnets = planSubnets(c.network.vpcCidr, c.zones, c.network.privateSubnetPrefix, c.network.publicSubnetPrefix).map(
      (s) => s.privateCidr,
    );
    const r = capacityCheck(c, subnets);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.rows.filter((x) => !x.ok && !x.advisory)).toEqual([]);
    expect(r.rows.every((x) => /https:\/\//.test(x.source) || x.source.startsWith("kubestead:"))).toBe(true);
    const names = capacityLimitRows(c).rows.map((x) => x.name);
    expect(names).toEqual([
      "control-plane vCPUs",
      "control-plane memory GiB",
      "etcd vCPUs",
      "etcd memory GiB",
      "etcd volume IOPS",
      "etcd backend MB (estimate) within the quota",
      "etcd volume GiB",
      "seconds to serve the largest scale-up's SSM fetches",
      "Elastic IPs (one per NAT gateway)",
      "NAT gateways per zone",
      "On-Demand Standard vCPUs at maxSize",
    ]);
  });

  test("the previously shipped sizes would not have held 5,000 nodes", () => {
    const old = prodWith((c) => {
      c.controlPlane.instanceType = "m7i.xlarge";
      c.etcd.instanceType = "m7i.large";
    });
    const problems = capacityLimitRows(old).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^kubestead:controlPlane\.instanceType m7i\.xlarge has 4 vCPUs and 16 GiB/);
    expect(problems[1]).toMatch(/^kubestead:etcd\.instanceType m7i\.large has 2 vCPUs and 8 GiB/);
  });
});
