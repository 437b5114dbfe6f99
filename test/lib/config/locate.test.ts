import { locateKey, locateProblems } from "../../../lib/config/locate";
import { Problem } from "../../../lib/config/problems";

function stackFile(): string {
  return [
    "config:",
    "  aws:region: us-east-1",
    "  kubestead:tag: one",
    "  kubestead:tags:",
    "    team: platform",
    "  kubestead:workers:",
    "    - name: general",
    "      labels:",
    "        example.com: short",
    "        example.com/tier: long",
    "    - name: gpu",
    "      taints:",
    "        - key: nvidia.com/gpu",
    "          value: yes",
    "          effect: NoSchedule",
    "  kubestead:empty:",
    "  kubestead:zones: [a, b, c]",
    "",
  ].join("\n");
}

describe("locateKey", () => {
  it("finds a top-level key at its line and column", () => {
    expect(locateKey(stackFile(), "aws:region")).toEqual({ line: 2, column: 3 });
    expect(locateKey(stackFile(), "kubestead:workers")).toEqual({ line: 6, column: 3 });
  });

  it("tells a key from another that it starts with", () => {
    expect(locateKey(stackFile(), "kubestead:tag")).toEqual({ line: 3, column: 3 });
    expect(locateKey(stackFile(), "kubestead:tags")).toEqual({ line: 4, column: 3 });
    expect(locateKey(stackFile(), "kubestead:tags.team")).toEqual({ line: 5, column: 5 });
  });

  it("walks list indexes and nested keys", () => {
    expect(locateKey(stackFile(), "kubestead:workers[0]")).toEqual({ line: 7, column: 7 });
    expect(locateKey(stackFile(), "kubestead:workers[1]")).toEqual({ line: 11, column: 7 });
    expect(locateKey(stackFile(), "kubestead:workers[1].taints")).toEqual({ line: 12, column: 7 });
    expect(locateKey(stackFile(), "kubestead:workers[1].taints[0]")).toEqual({ line: 13, column: 11 });
    expect(locateKey(stackFile(), "kubestead:workers[1].taints[0].value")).toEqual({ line: 14, column: 11 });
    expect(locateKey(stackFile(), "kubestead:workers[1].taints[0].effect")).toEqual({ line: 15, column: 11 });
    expect(locateKey(stackFile(), "kubestead:zones[2]")).toEqual({ line: 17, column: 27 });
  });

  it("takes the longest key that fits, so label keys with dots and slashes are found", () => {
    expect(locateKey(stackFile(), "kubestead:workers[0].labels.example.com/tier")).toEqual({ line: 10, column: 9 });
    expect(locateKey(stackFile(), "kubestead:workers[0].labels.example.com")).toEqual({ line: 9, column: 9 });
  });

  it("takes the longest of two label keys that both fit, in either order", () => {
    for (const keys of [
      ["example.com", "example.com.sub/tier"],
      ["example.com.sub/tier", "example.com"],
    ]) {
      const text = ["config:", "  kubestead:labels:", `    ${keys[0]}: a`, `    ${keys[1]}: b`, ""].join("\n");
      const line = keys.indexOf("example.com.sub/tier") + 3;
      expect(locateKey(text, "kubestead:labels.example.com.sub/tier")).toEqual({ line, column: 5 });
      expect(locateKey(text, "kubestead:labels.example.com")).toEqual({ line: keys.indexOf("example.com") + 3, column: 5 });
    }
  });

  it("points a key the file doesn't write at its nearest written parent", () => {
    expect(locateKey(stackFile(), "kubestead:workers[1].labels")).toEqual({ line: 11, column: 7 });
    expect(locateKey(stackFile(), "kubestead:workers[5].name")).toEqual({ line: 6, column: 3 });
    expect(locateKey(stackFile(), "kubestead:workers[1].taints[0].value.deeper")).toEqual({ line: 14, column: 11 });
    expect(locateKey(stackFile(), "kubestead:empty.x")).toEqual({ line: 16, column: 3 });
    expect(locateKey(stackFile(), "kubestead:tags[0]")).toEqual({ line: 4, column: 3 });
    expect(locateKey(stackFile(), "kubestead:workers.name")).toEqual({ line: 6, column: 3 });
  });

  it("is undefined when nothing of the key is written or there is no config section", () => {
    expect(locateKey(stackFile(), "kubestead:etcd.members")).toBeUndefined();
    expect(locateKey(stackFile(), "")).toBeUndefined();
    expect(locateKey("encryptionsalt: x\n", "kubestead:tags")).toBeUndefined();
    expect(locateKey("", "kubestead:tags")).toBeUndefined();
  });

  it("stops once the whole key is walked, even where the value maps an empty key", () => {
    const text = ["config:", "  kubestead:tags:", '    "": empty', ""].join("\n");
    expect(locateKey(text, "kubestead:tags")).toEqual({ line: 2, column: 3 });
  });

  it("skips keys that are not scalars", () => {
    const text = ["config:", "  ? [a, b]", "  : 1", "  kubestead:tags: {}", ""].join("\n");
    expect(locateKey(text, "kubestead:tags")).toEqual({ line: 4, column: 3 });
    expect(locateKey(text, "undefined.x")).toBeUndefined();
  });
});

describe("locateProblems", () => {
  it("puts file:line:column on each problem whose key is written and leaves the others as they are", () => {
    const problems: Problem[] = [
      { key: "kubestead:workers[1].taints[0].value", rule: "must be a string", got: true, fix: "quote it" },
      { key: "kubestead:etcd.members", rule: "must be odd", got: 4, fix: "set 3" },
    ];
    const out = locateProblems(problems, stackFile(), "Pulumi.dev.yaml");
    expect(out).toEqual([{ ...problems[0], where: "Pulumi.dev.yaml:14:11" }, problems[1]]);
    expect("where" in out[1]).toBe(false);
    expect(problems[0].where).toBeUndefined();
  });

  it("leaves every problem as it is when the file has no config section", () => {
    const problems: Problem[] = [{ key: "kubestead:tags", rule: "r", got: 1, fix: "f" }];
    expect(locateProblems(problems, "other: 1\n", "Pulumi.dev.yaml")).toEqual(problems);
  });
});
