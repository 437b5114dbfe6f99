/** Add-on releases come from config and reach the images of the manifests the control plane applies. */
import { parseAllDocuments } from "yaml";
import { Plan } from "../../lib/plan/types";
import { runProgram } from "../../tools/offline/runtime";
import { stackConfig } from "../../tools/offline/stackFile";
import { ofType, ROOT } from "../helpers/plannedStack";

let plan: Plan;
beforeAll(async () => {
  const file = stackConfig(ROOT, "prod");
  const addons = {
    ...JSON.parse(file.config["kubestead:addons"]),
    csrApproverVersion: "1.2.10",
    metricsServerVersion: "0.8.0",
    ebsCsiDriverVersion: "1.40.1",
    clusterAutoscalerVersion: "1.35.3",
  };
  const stackFile = { ...file, config: { ...file.config, "kubestead:addons": JSON.stringify(addons) } };
  plan = (await runProgram({ stack: "addon-versions", root: ROOT, stackFile })).plan;
}, 120_000);

function stored(addon: string): { version: string; images: string[] } {
  const o = ofType(plan, "aws:s3/bucketObjectv2:BucketObjectv2").find(
    (x) => (x.inputs.metadata as Record<string, string>)?.addon === addon,
  );
  if (!o) throw new Error(`no stored manifest for ${addon} in the plan`);
  const images = parseAllDocuments(String(o.inputs.content))
    .map((d) => d.toJS())
    .flatMap((obj) => {
      const pod = obj?.spec?.template?.spec;
      return pod ? [...(pod.initContainers ?? []), ...pod.containers].map((c: { image: string }) => c.image) : [];
    });
  return { version: (o.inputs.metadata as Record<string, string>).version, images };
}

test.each([
  ["csr-approver", "1.2.10", "ghcr.io/postfinance/kubelet-csr-approver:v1.2.10"],
  ["metrics-server", "0.8.0", "registry.k8s.io/metrics-server/metrics-server:v0.8.0"],
  ["cluster-autoscaler", "1.35.3", "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.3"],
  ["ebs-csi-driver", "1.40.1", "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.40.1"],
])("the %s manifest is release %s and runs %s", (addon, version, image) => {
  const m = stored(addon);
  expect(m.version).toBe(version);
  expect(m.images).toContain(image);
});
