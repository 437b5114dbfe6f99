import { parse, stringify } from "yaml";
import { renderSchedulerConfig, renderSchedulerManifest } from "../../../bootstrap/controlPlane/scheduler";
import { commandOf, expectCoherentStaticPod, flagMap } from "./fixture";

type Pod = {
  metadata: { name: string };
  spec: { containers: { image: string; livenessProbe: { httpGet: object }; volumeMounts: { mountPath: string }[] }[] };
};

describe("renderSchedulerManifest", () => {
  const pod = renderSchedulerManifest({ kubernetesVersion: "1.34.2" }) as Pod;
  const flags = flagMap(pod);

  test("runs the versioned registry.k8s.io image", () => {
    expect(pod.metadata.name).toBe("kube-scheduler");
    expect(pod.spec.containers[0].image).toBe("registry.k8s.io/kube-scheduler:v1.34.2");
    expect(commandOf(pod)[0]).toBe("kube-scheduler");
  });

  test.each([
    ["config", "/etc/kubernetes/scheduler-config.yaml"],
    ["bind-address", "127.0.0.1"],
    ["secure-port", "10259"],
    ["profiling", "false"],
    ["leader-elect", "true"],
    ["authentication-kubeconfig", "/etc/kubernetes/scheduler.conf"],
    ["authorization-kubeconfig", "/etc/kubernetes/scheduler.conf"],
  ])("--%s=%s", (name, value) => {
    expect(flags.get(name)).toBe(value);
  });

  test("--kubeconfig is absent: it is ignored with --config, the config's clientConnection applies", () => {
    expect(flags.has("kubeconfig")).toBe(false);
  });

  test("does not mount the PKI directory (no access to CA or SA keys)", () => {
    const mounts = pod.spec.containers[0].volumeMounts.map((m) => m.mountPath);
    expect(mounts).not.toContain("/etc/kubernetes/pki");
    expect(mounts).toEqual(
      expect.arrayContaining(["/etc/kubernetes/pki/scheduler.key", "/etc/kubernetes/pki/scheduler.crt", "/etc/kubernetes/pki/ca.crt"]),
    );
    expect(mounts.filter((m) => m.endsWith(".key"))).toEqual(["/etc/kubernetes/pki/scheduler.key"]);
  });

  test("health probe on 10259", () => {
    expect(pod.spec.containers[0].livenessProbe.httpGet).toEqual({ host: "127.0.0.1", path: "/healthz", port: 10259, scheme: "HTTPS" });
  });

  test("snapshot", () => {
    const text = stringify(pod, { lineWidth: 0 });
    expect(text).toMatchSnapshot();
    expectCoherentStaticPod(text, pod);
  });
});

describe("renderSchedulerConfig", () => {
  const cfg = parse(renderSchedulerConfig());

  test("is a kubescheduler.config.k8s.io/v1 KubeSchedulerConfiguration", () => {
    expect(cfg.apiVersion).toBe("kubescheduler.config.k8s.io/v1");
    expect(cfg.kind).toBe("KubeSchedulerConfiguration");
  });

  test("carries what --config makes the flags ignore: kubeconfig and profiling", () => {
    expect(cfg.clientConnection.kubeconfig).toBe("/etc/kubernetes/scheduler.conf");
    expect(cfg.enableProfiling).toBe(false);
    expect(cfg.enableContentionProfiling).toBe(false);
    expect(cfg.leaderElection.leaderElect).toBe(true);
  });

  test("NodeResourcesFit scores LeastAllocated on cpu and memory", () => {
    const fit = cfg.profiles[0].pluginConfig.find((p: { name: string }) => p.name === "NodeResourcesFit");
    expect(cfg.profiles[0].schedulerName).toBe("default-scheduler");
    expect(fit.args.scoringStrategy).toEqual({
      type: "LeastAllocated",
      resources: [
        { name: "cpu", weight: 1 },
        { name: "memory", weight: 1 },
      ],
    });
  });

  test("does not name plugins removed upstream (NodeResourcesLeastAllocated)", () => {
    expect(renderSchedulerConfig()).not.toMatch(/NodeResourcesLeastAllocated|v1beta/);
  });

  test("snapshot", () => {
    expect(renderSchedulerConfig()).toMatchSnapshot();
    // The kubeconfig the config names is one the scheduler's pod mounts.
    const pod = renderSchedulerManifest({ kubernetesVersion: "1.34.2" }) as Pod;
    expect(pod.spec.containers[0].volumeMounts.map((m) => m.mountPath)).toContain(cfg.clientConnection.kubeconfig);
  });
});
