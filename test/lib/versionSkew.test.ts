/** Kubernetes' version skew rules at their limits: kubelet vs apiserver, control-plane steps. */
import { compareReleases, controlPlaneStepProblem, kubeletSkewProblem, minorOf } from "../../lib/versionSkew";

test.each([
  ["the same release", "1.36.2", "1.36.2", undefined],
  ["an older patch of the same minor", "1.36.0", "1.36.2", undefined],
  ["three minors older: the limit since 1.28", "1.33.0", "1.36.2", undefined],
  ["four minors older", "1.32.9", "1.36.2", /at most 3 minors older/],
  ["one patch newer", "1.36.3", "1.36.2", /must not be newer than the control plane's kubernetes.version 1.36.2/],
  ["one minor newer", "1.37.0", "1.36.2", /must not be newer/],
])("kubelet vs apiserver: %s", (_t, kubelet, apiserver, expected) => {
  const p = kubeletSkewProblem(kubelet, apiserver);
  if (expected === undefined) expect(p).toBeUndefined();
  else expect(p).toMatch(expected);
});

test.each([
  ["a patch release", "1.35.8", "1.35.9", undefined],
  ["one minor: the limit", "1.35.8", "1.36.2", undefined],
  ["two minors", "1.35.8", "1.37.0", /moves the control plane 2 minors \(1\.35\.8 → 1\.37\.0\): Kubernetes upgrades one minor at a time/],
  ["back a minor", "1.36.2", "1.35.8", /back a minor/],
])("control-plane step: %s", (_t, from, to, expected) => {
  const p = controlPlaneStepProblem(from, to);
  if (expected === undefined) expect(p).toBeUndefined();
  else expect(p).toMatch(expected);
});

test("releases compare numerically, minors only of 1.x", () => {
  expect(compareReleases("1.36.10", "1.36.9")).toBeGreaterThan(0);
  expect(compareReleases("1.9.0", "1.10.0")).toBeLessThan(0);
  expect(minorOf("1.36.2")).toBe(36);
  expect(minorOf("2.0.0")).toBeUndefined();
  expect(minorOf("v1.36.2")).toBeUndefined();
});
