import { stringify } from "yaml";
import { renderControllerManagerManifest } from "../../../bootstrap/controlPlane/controllerManager";
import type { ControllerManagerSpec } from "../../../bootstrap/controlPlane/types";
import { commandOf, expectCoherentStaticPod, flagMap } from "./fixture";

const base: ControllerManagerSpec = {
  kubernetesVersion: "1.34.2",
  cluster: "prod",
  serviceCidr: "10.96.0.0/12",
  podCidr: "10.244.0.0/16",
  nodeCidrMaskSize: 24,
};

type Pod = {
  kind: string;
  metadata: { name: string };
  spec: {
    hostNetwork: boolean;
    containers: { image: string; livenessProbe: { httpGet: object }; readinessProbe?: object; volumeMounts: { mountPath: string }[] }[];
  };
};

describe("renderControllerManagerManifest", () => {
  const pod = renderControllerManagerManifest(base) as Pod;
  const flags = flagMap(pod);

  test("is a kube-system Pod running the versioned registry.k8s.io image", () => {
    expect(pod.kind).toBe("Pod");
    expect(pod.metadata.name).toBe("kube-controller-manager");
    expect(pod.spec.hostNetwork).toBe(true);
    expect(pod.spec.containers[0].image).toBe("registry.k8s.io/kube-controller-manager:v1.34.2");
    expect(commandOf(pod)[0]).toBe("kube-controller-manager");
  });

  test.each([
    ["leader-elect", "true"],
    ["profiling", "false"],
    ["bind-address", "127.0.0.1"],
    ["secure-port", "10257"],
    ["use-service-account-credentials", "true"],
    ["service-account-private-key-file", "/etc/kubernetes/pki/sa.key"],
    ["root-ca-file", "/etc/kubernetes/pki/ca.crt"],
    ["cluster-signing-cert-file", "/etc/kubernetes/pki/ca.crt"],
    ["cluster-signing-key-file", "/etc/kubernetes/pki/ca.key"],
    ["controllers", "*,bootstrapsigner,tokencleaner"],
    ["cloud-provider", "external"],
    ["allocate-node-cidrs", "true"],
    ["cluster-cidr", "10.244.0.0/16"],
    ["node-cidr-mask-size", "24"],
    ["service-cluster-ip-range", "10.96.0.0/12"],
    ["cluster-name", "prod"],
    ["terminated-pod-gc-threshold", "1000"],
    ["kubeconfig", "/etc/kubernetes/controller-manager.conf"],
    ["authentication-kubeconfig", "/etc/kubernetes/controller-manager.conf"],
    ["authorization-kubeconfig", "/etc/kubernetes/controller-manager.conf"],
    ["requestheader-client-ca-file", "/etc/kubernetes/pki/front-proxy-ca.crt"],
    ["tls-min-version", "VersionTLS12"],
  ])("--%s=%s", (name, value) => {
    expect(flags.get(name)).toBe(value);
  });

  test("health probe on 10257 /healthz over HTTPS", () => {
    expect(pod.spec.containers[0].livenessProbe.httpGet).toEqual({ host: "127.0.0.1", path: "/healthz", port: 10257, scheme: "HTTPS" });
  });

  test("no flexvolume dir (EBS CSI replaces it)", () => {
    expect(pod.spec.containers[0].volumeMounts.map((m) => m.mountPath)).not.toContain(
      "/usr/libexec/kubernetes/kubelet-plugins/volume/exec",
    );
  });

  test("terminatedPodGcThreshold is configurable and validated", () => {
    expect(flagMap(renderControllerManagerManifest({ ...base, terminatedPodGcThreshold: 50 })).get("terminated-pod-gc-threshold")).toBe(
      "50",
    );
    expect(() => renderControllerManagerManifest({ ...base, terminatedPodGcThreshold: 0 })).toThrow(/terminatedPodGcThreshold/);
  });

  test("extraArgs extend the flags", () => {
    expect(
      flagMap(renderControllerManagerManifest({ ...base, extraArgs: { "node-monitor-grace-period": "50s" } })).get(
        "node-monitor-grace-period",
      ),
    ).toBe("50s");
  });

  test("snapshot", () => {
    const text = stringify(pod, { lineWidth: 0 });
    expect(text).toMatchSnapshot();
    expectCoherentStaticPod(text, pod);
  });
});
