/** The control plane's instance refresh: a checkpoint after every node, reached when that node is done. */
import { controlPlaneRefreshPreferences } from "../../components/controlPlane";

test.each([
  [1, [100]],
  [2, [50, 100]],
  [3, [33, 66, 100]],
  [5, [20, 40, 60, 80, 100]],
])("%i nodes: checkpoints %j", (nodes, want) => {
  expect(controlPlaneRefreshPreferences(nodes).checkpointPercentages).toEqual(want);
});

test("AWS reaches checkpoint k once k nodes are new (the share of new instances is at least the percentage), and not before", () => {
  for (let nodes = 1; nodes <= 7; nodes++) {
    const cps = controlPlaneRefreshPreferences(nodes).checkpointPercentages;
    expect(cps).toHaveLength(nodes);
    cps.forEach((cp, i) => {
      const share = (100 * (i + 1)) / nodes;
      expect(share).toBeGreaterThanOrEqual(cp);
      // One node fewer would not reach it.
      expect((100 * i) / nodes).toBeLessThan(cp);
    });
  }
});

test("one node at a time with two of three in service, five minutes at each checkpoint, no rollback", () => {
  expect(controlPlaneRefreshPreferences(3)).toEqual({
    minHealthyPercentage: 66,
    maxHealthyPercentage: 100,
    instanceWarmup: "300",
    skipMatching: true,
    checkpointPercentages: [33, 66, 100],
    checkpointDelay: "300",
  });
});
