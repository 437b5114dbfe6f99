/** Add-on chart versions and the Cluster Autoscaler release come from config and reach the Helm releases. */
import { Plan } from "../../lib/plan/types";
import { runProgram } from "../../tools/offline/runtime";
import { stackConfig } from "../../tools/offline/stackFile";
import { ofType, ROOT } from "../helpers/plannedStack";

let plan: Plan;
beforeAll(async () => {
  const file = stackConfig(ROOT, "prod");
  const addons = {
    ...JSON.parse(file.config["kubestead:addons"]),
    csrApproverChartVersion: "1.2.10",
    metricsServerChartVersion: "3.13.0",
    clusterAutoscalerChartVersion: "9.46.6",
    ebsCsiDriverChartVersion: "2.40.1",
    clusterAutoscalerVersion: "1.35.3",
  };
  const stackFile = { ...file, config: { ...file.config, "kubestead:addons": JSON.stringify(addons) } };
  plan = (await runProgram({ stack: "addon-versions", root: ROOT, stackFile })).plan;
}, 120_000);

const release = (chart: string) => {
  const r = ofType(plan, "kubernetes:helm.sh/v3:Release").find((x) => x.inputs.chart === chart);
  if (!r) throw new Error(`no ${chart} release in the plan`);
  return r;
};

test.each([
  ["kubelet-csr-approver", "1.2.10"],
  ["metrics-server", "3.13.0"],
  ["cluster-autoscaler", "9.46.6"],
  ["aws-ebs-csi-driver", "2.40.1"],
])("the %s release installs chart version %s", (chart, version) => {
  expect(release(chart).inputs.version).toBe(version);
});

test("the autoscaler runs the configured release from registry.k8s.io", () => {
  expect((release("cluster-autoscaler").inputs.values as any).image).toEqual({
    repository: "registry.k8s.io/autoscaling/cluster-autoscaler",
    tag: "v1.35.3",
  });
});
