/** kubestead:workers read on its own (lib/config/workers.ts): defaults, every rule's message, the pool kubelet and taints. */
import { Reader } from "../../../lib/config/reader";
import { readTaints, readWorkers } from "../../../lib/config/workers";
import { KUBELET_SHA256 } from "../../../lib/releases";

const ZONES = ["us-east-1a", "us-east-1b"];
const HEX = "a".repeat(64);

function read(raw: unknown, controlPlane = "1.35.8", r = new Reader("kubestead")) {
  const value = readWorkers(r, raw, ZONES, controlPlane);
  return { value, problems: r.problems };
}

/** One pool `{ name: "p", ...pool }`, its value and the [key, rule] of each problem. */
function pool(fields: Record<string, unknown>, controlPlane = "1.35.8", r = new Reader("kubestead")) {
  const { value, problems } = read([{ name: "p", ...fields }], controlPlane, r);
  return { value: value[0], rules: problems.map((p) => [p.key, p.rule]), problems };
}

function taints(raw: unknown) {
  const r = new Reader("kubestead");
  const value = readTaints(r, raw, "workers[0].taints");
  return { value, problems: r.problems };
}

describe("readWorkers", () => {
  test("left out: one pool named general with every default", () => {
    expect(read(undefined)).toStrictEqual({
      value: [
        {
          name: "general",
          kubernetesVersion: "1.35.8",
          minSize: 1,
          maxSize: 3,
          desiredCapacity: 1,
          instanceTypes: ["m7i.large"],
          arch: "amd64",
          rootVolumeGiB: 50,
          spot: undefined,
          labels: {},
          taints: [],
          zones: ["us-east-1a", "us-east-1b"],
          minHealthyPercentage: 90,
          metadataHopLimit: 1,
        },
      ],
      problems: [],
    });
  });

  test("not a list: one problem naming kubestead:workers, no pools", () => {
    expect(read("general")).toStrictEqual({
      value: [],
      problems: [
        {
          key: "kubestead:workers",
          rule: "must be a list of worker pools",
          got: "general",
          fix: "write kubestead:workers as a YAML list of pools, each with a name",
        },
      ],
    });
  });

  test("every setting taken as written", () => {
    const { value, problems } = pool(
      {
        name: "gpu",
        minSize: 2,
        maxSize: 2,
        desiredCapacity: 2,
        instanceTypes: ["m7g.large"],
        rootVolumeGiB: 100,
        spot: { onDemandBase: 2, onDemandPercentageAboveBase: 50 },
        labels: { "example.com/gpu": true, "example.com/tier": 3 },
        taints: [{ key: "example.com/gpu", value: true, effect: "NoExecute" }],
        zones: ["us-east-1b"],
        minHealthyPercentage: 50,
        metadataHopLimit: 1,
        kubernetesVersion: "1.36.2",
      },
      "1.37.0",
    );
    expect(problems).toEqual([]);
    expect(value).toStrictEqual({
      name: "gpu",
      kubernetesVersion: "1.36.2",
      kubeletSha256: KUBELET_SHA256.arm64["1.36.2"],
      minSize: 2,
      maxSize: 2,
      desiredCapacity: 2,
      instanceTypes: ["m7g.large"],
      arch: "arm64",
      rootVolumeGiB: 100,
      spot: { onDemandBase: 2, onDemandPercentageAboveBase: 50 },
      labels: { "example.com/gpu": "true", "example.com/tier": "3" },
      taints: [{ key: "example.com/gpu", value: "true", effect: "NoExecute" }],
      zones: ["us-east-1b"],
      minHealthyPercentage: 50,
      metadataHopLimit: 1,
    });
  });

  test("a minSize above 3 raises the default maxSize to it", () => {
    const { value, rules } = pool({ minSize: 5 });
    expect(rules).toEqual([]);
    expect([value.minSize, value.maxSize, value.desiredCapacity]).toEqual([5, 5, 5]);
  });

  test("names: a one-letter DNS label is fine; a trailing dash, capitals or 23 characters are not", () => {
    expect(pool({ name: "a" }).rules).toEqual([]);
    expect(pool({ name: "a".repeat(22) }).rules).toEqual([]);
    const rule = "must be a lowercase DNS label of at most 22 characters";
    for (const name of ["general-", "a".repeat(23), "Gpu"]) {
      expect(pool({ name }).problems).toEqual([
        { key: "kubestead:workers[0].name", rule, got: name, fix: "use lowercase letters, digits and dashes, e.g. general" },
      ]);
    }
  });

  test("node-role names are refused: etcd, etcd-<digits>, controlplane, workers", () => {
    for (const name of ["etcd", "controlplane", "workers", "etcd-0", "etcd-12"]) {
      expect(pool({ name }).problems).toEqual([
        {
          key: "kubestead:workers[0].name",
          rule: "must not be a node-role name (etcd, etcd-<i>, controlplane, workers)",
          got: name,
          fix: "pick another name, e.g. general",
        },
      ]);
    }
    for (const name of ["xetcd-1", "etcd-1a"]) expect(pool({ name }).rules).toEqual([]);
  });

  test("sizes: minSize equal to maxSize and desiredCapacity at either end are fine", () => {
    expect(pool({ minSize: 2, maxSize: 2 }).rules).toEqual([]);
    expect(pool({ minSize: 1, maxSize: 4, desiredCapacity: 4 }).rules).toEqual([]);
    expect(pool({ minSize: 1, maxSize: 4, desiredCapacity: 1 }).rules).toEqual([]);
  });

  test("sizes: minSize above maxSize, desiredCapacity outside [minSize, maxSize]", () => {
    expect(pool({ minSize: 3, maxSize: 2 }).problems).toEqual([
      { key: "kubestead:workers[0].minSize", rule: "must not exceed maxSize (2)", got: 3, fix: "lower minSize or raise maxSize" },
    ]);
    const outside = (desiredCapacity: number) => ({
      key: "kubestead:workers[0].desiredCapacity",
      rule: "must lie within [minSize, maxSize] = [2, 4]",
      got: desiredCapacity,
      fix: "set desiredCapacity between minSize and maxSize",
    });
    expect(pool({ minSize: 2, maxSize: 4, desiredCapacity: 5 }).problems).toEqual([outside(5)]);
    expect(pool({ minSize: 2, maxSize: 4, desiredCapacity: 1 }).problems).toEqual([outside(1)]);
  });

  test("an empty instance type list is refused", () => {
    expect(pool({ instanceTypes: [] }).problems).toEqual([
      {
        key: "kubestead:workers[0].instanceTypes",
        rule: "must list at least one instance type",
        got: [],
        fix: "list e.g. [m7i.large]",
      },
    ]);
  });

  test("spot: problems are keyed under the pool's spot", () => {
    expect(pool({ spot: { onDemandBase: -1, onDemandPercentageAboveBase: 101, base: 1 } }).rules).toEqual([
      ["kubestead:workers[0].spot.base", "is not a known setting"],
      ["kubestead:workers[0].spot.onDemandBase", "must be from 0 to 5000"],
      ["kubestead:workers[0].spot.onDemandPercentageAboveBase", "must be from 0 to 100"],
    ]);
    const { value, rules } = pool({ spot: "yes" });
    expect(rules).toEqual([["kubestead:workers[0].spot", "must be an object"]]);
    expect(value.spot).toStrictEqual({ onDemandBase: 0, onDemandPercentageAboveBase: 0 });
  });

  test("metadataHopLimit: above 1 refused with the IMDS reason, above 64 only as out of range", () => {
    const imds = "must be 1: above 1, every pod on the pool's nodes reaches IMDS and acts as the worker node role";
    expect(pool({ metadataHopLimit: 64 }).rules).toEqual([["kubestead:workers[0].metadataHopLimit", imds]]);
    expect(pool({ metadataHopLimit: 2 }).rules).toEqual([["kubestead:workers[0].metadataHopLimit", imds]]);
    expect(pool({ metadataHopLimit: 65 }).rules).toEqual([["kubestead:workers[0].metadataHopLimit", "must be from 1 to 64"]]);
  });

  test("labels: YAML booleans and numbers are taken as text", () => {
    const { value, rules } = pool({ labels: { "example.com/gpu": true } });
    expect(rules).toEqual([]);
    expect(value.labels).toStrictEqual({ "example.com/gpu": "true" });
  });
});

describe("the pool kubelet", () => {
  test("pinned older with a known checksum: the table's", () => {
    const { value, rules } = pool({ kubernetesVersion: "1.35.1" });
    expect(rules).toEqual([]);
    expect([value.kubernetesVersion, value.kubeletSha256]).toEqual(["1.35.1", KUBELET_SHA256.amd64["1.35.1"]]);
  });

  test("pinned older with no known checksum: refused, listing the known releases", () => {
    const { value, problems } = pool({ kubernetesVersion: "1.34.0" });
    expect(problems).toEqual([
      {
        key: "kubestead:workers[0].kubernetesVersion",
        rule: "has no known checksum for kubelet v1.34.0 linux/amd64: nodes download only what they can verify",
        got: "1.34.0",
        fix: `pin a release with a known amd64 kubelet checksum (${Object.keys(KUBELET_SHA256.amd64).join(", ")}), or set kubestead:workers[0].kubeletSha256 from the release's published checksum`,
      },
    ]);
    expect(value.kubeletSha256).toBe("");
  });

  test("no known checksum for the architecture at all: the fix says none", () => {
    const empty = jest.replaceProperty(KUBELET_SHA256, "arm64", {});
    try {
      expect(pool({ instanceTypes: ["m7g.large"], kubernetesVersion: "1.36.2" }, "1.37.0").problems[0].fix).toBe(
        "pin a release with a known arm64 kubelet checksum (none), or set kubestead:workers[0].kubeletSha256 from the release's published checksum",
      );
    } finally {
      empty.restore();
    }
  });

  test("unknown instance types: no checksum is demanded for the unknown architecture", () => {
    const { value, rules } = pool({ instanceTypes: ["m9z.large"], kubernetesVersion: "1.34.0" });
    expect(rules).toEqual([
      ["kubestead:workers[0].instanceTypes[0]", expect.stringMatching(/^must be an EC2 instance type kubestead knows/)],
    ]);
    expect([value.kubernetesVersion, value.kubeletSha256]).toEqual(["1.34.0", ""]);
  });

  test("the release must be x.y.z with any number of digits in each part", () => {
    expect(pool({ kubernetesVersion: "1.35.10", kubeletSha256: HEX }, "1.36.2").rules).toEqual([]);
    const tenth = pool({ kubernetesVersion: "10.0.0", kubeletSha256: HEX });
    expect([tenth.rules, tenth.value.kubeletSha256]).toEqual([[], HEX]);
    expect(pool({ kubernetesVersion: "1.35.1-rc.0" }).problems).toEqual([
      {
        key: "kubestead:workers[0].kubernetesVersion",
        rule: "must be a Kubernetes release like 1.35.8 (no leading v)",
        got: "1.35.1-rc.0",
        fix: "pin the release the pool runs now, or leave it out to follow kubernetes.version",
      },
    ]);
  });

  test("kubeletSha256 must be exactly 64 lowercase hex digits", () => {
    for (const given of [`x${HEX}`, `${HEX}x`, HEX.toUpperCase(), 42]) {
      expect(pool({ kubernetesVersion: "1.34.0", kubeletSha256: given }).problems).toEqual([
        {
          key: "kubestead:workers[0].kubeletSha256",
          rule: "must be a sha256: 64 lowercase hex digits",
          got: given,
          fix: "copy the checksum the release publishes for the kubelet",
        },
      ]);
    }
  });

  test("kubeletSha256 on a pool that follows the control plane: refused once, not twice when malformed", () => {
    expect(pool({ kubeletSha256: HEX }).problems).toEqual([
      {
        key: "kubestead:workers[0].kubeletSha256",
        rule: "applies only to a pool pinned to a release other than kubernetes.version",
        got: HEX,
        fix: "remove it; the control plane's release takes its checksum from kubestead:checksums",
      },
    ]);
    expect(pool({ kubeletSha256: "abc" }).rules).toEqual([
      ["kubestead:workers[0].kubeletSha256", "must be a sha256: 64 lowercase hex digits"],
    ]);
  });

  test("a malformed pinned release with a checksum: only the release is refused", () => {
    const { value, rules } = pool({ kubernetesVersion: "v1.34", kubeletSha256: HEX });
    expect(rules).toEqual([["kubestead:workers[0].kubernetesVersion", "must be a Kubernetes release like 1.35.8 (no leading v)"]]);
    expect(value.kubernetesVersion).toBe("v1.34");
    expect(value).not.toHaveProperty("kubeletSha256");
  });

  test("a broken kubernetes.version: the pool's pinned release is not checked against it", () => {
    const r = new Reader("kubestead");
    r.problem("kubernetes.version", "must be a Kubernetes release", "1.35", "fix it");
    const { value, rules } = pool({ kubernetesVersion: "1.34.0" }, "1.35", r);
    expect(rules).toEqual([["kubestead:kubernetes.version", "must be a Kubernetes release"]]);
    expect(value.kubernetesVersion).toBe("1.34.0");
    expect(value).not.toHaveProperty("kubeletSha256");
  });
});

describe("readTaints", () => {
  test("left out or null: none", () => {
    expect(taints(undefined)).toStrictEqual({ value: [], problems: [] });
    expect(taints(null)).toStrictEqual({ value: [], problems: [] });
  });

  test("not a list: one problem", () => {
    expect(taints("dedicated=gpu:NoSchedule")).toStrictEqual({
      value: [],
      problems: [
        {
          key: "kubestead:workers[0].taints",
          rule: "must be a list of {key, value, effect}",
          got: "dedicated=gpu:NoSchedule",
          fix: "write taints as a YAML list",
        },
      ],
    });
  });

  test("values: booleans and numbers as text, strings as written, null or absent as no value", () => {
    expect(
      taints([
        { key: "a.example.com/x", value: true },
        { key: "b.example.com/x", value: 3 },
        { key: "c.example.com/x", value: "gpu" },
        { key: "d.example.com/x", value: null },
        { key: "e.example.com/x" },
      ]),
    ).toStrictEqual({
      value: [
        { key: "a.example.com/x", value: "true", effect: "NoSchedule" },
        { key: "b.example.com/x", value: "3", effect: "NoSchedule" },
        { key: "c.example.com/x", value: "gpu", effect: "NoSchedule" },
        { key: "d.example.com/x", effect: "NoSchedule" },
        { key: "e.example.com/x", effect: "NoSchedule" },
      ],
      problems: [],
    });
  });

  test("a mapping as value is refused as not a string", () => {
    const { problems } = taints([{ key: "example.com/x", value: { a: 1 } }]);
    expect(problems.map((p) => [p.key, p.rule])).toEqual([
      ["kubestead:workers[0].taints[0].value", "must be a string"],
      ["kubestead:workers[0].taints[0].value", "must be empty or 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric"],
    ]);
  });
});
