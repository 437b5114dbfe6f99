import { parse } from "yaml";
import { controlPlaneFiles, controlPlaneParameter, defaultKeyParameters } from "../../../bootstrap/controlPlane/files";
import { controlPlaneSpecProblems } from "../../../bootstrap/controlPlane/validate";
import { KEY_A, spec } from "./fixture";

type Pod = {
  kind: string;
  metadata: { name: string };
  spec: {
    containers: { command: string[]; volumeMounts: { mountPath: string }[] }[];
    volumes: { hostPath: { path: string; type: string } }[];
  };
};

describe("controlPlaneFiles", () => {
  const out = controlPlaneFiles(spec());
  const produced = new Set([...out.files.map((f) => f.path), ...out.secrets.map((s) => s.path)]);
  const content = (p: string): string => {
    const f = out.files.find((x) => x.path === p);
    if (!f) throw new Error(`no file ${p}`);
    return f.content;
  };
  const manifests = out.files.filter((f) => f.path.startsWith("/etc/kubernetes/manifests/")).map((f) => parse(f.content) as Pod);

  test("three static pod manifests, parsed back from their YAML", () => {
    expect(manifests.map((m) => m.metadata.name).sort()).toEqual(["kube-apiserver", "kube-controller-manager", "kube-scheduler"]);
    for (const m of manifests) {
      expect(m.kind).toBe("Pod");
      expect(m.spec.containers[0].command[0]).toBe(m.metadata.name);
    }
  });

  // Directories we do not ship files into: OS CA bundles, the kubelet-created log dir, and the PKI
  // dir (whose files are checked one by one through the flags and kubeconfigs).
  const OS_DIRS = new Set(["/etc/ssl/certs", "/usr/share/ca-certificates", "/var/log/kubernetes/audit", "/etc/kubernetes/pki"]);

  test.each(["kube-apiserver", "kube-controller-manager", "kube-scheduler"])("every file %s references is produced and mounted", (name) => {
    const pod = manifests.find((m) => m.metadata.name === name) as Pod;
    const mounts = pod.spec.containers[0].volumeMounts.map((m) => m.mountPath);
    for (const v of pod.spec.volumes) {
      if (v.hostPath.type === "File") expect(produced).toContain(v.hostPath.path);
      else expect(OS_DIRS).toContain(v.hostPath.path);
    }
    const paths = pod.spec.containers[0].command.filter((a) => /^--[^=]+=\//.test(a));
    expect(paths.length).toBeGreaterThan(2);
    for (const arg of paths) {
      const [flag, path] = [arg.slice(2, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)];
      if (flag !== "audit-log-path") expect({ flag, produced: produced.has(path) }).toEqual({ flag, produced: true });
      expect({ flag, mounted: mounts.some((m) => path === m || path.startsWith(`${m}/`)) }).toEqual({ flag, mounted: true });
    }
  });

  test.each(["/etc/kubernetes/controller-manager.conf", "/etc/kubernetes/scheduler.conf", "/etc/kubernetes/admin.conf"])(
    "%s talks to the local apiserver with file references that are produced",
    (p) => {
      const cfg = parse(content(p));
      expect(cfg.clusters[0].cluster.server).toBe("https://127.0.0.1:6443");
      const refs = [
        cfg.clusters[0].cluster["certificate-authority"],
        cfg.users[0].user["client-certificate"],
        cfg.users[0].user["client-key"],
      ];
      for (const r of refs) expect(produced).toContain(r);
      expect(out.secrets.map((s) => s.path)).toContain(cfg.users[0].user["client-key"]);
    },
  );

  test("kubeconfig users match the components' RBAC identities", () => {
    expect(parse(content("/etc/kubernetes/controller-manager.conf")).users[0].name).toBe("system:kube-controller-manager");
    expect(parse(content("/etc/kubernetes/scheduler.conf")).users[0].name).toBe("system:kube-scheduler");
  });

  test("no NodeFile carries key material; every *.key is a SecretFile", () => {
    for (const f of out.files) {
      expect(f.content).not.toMatch(/PRIVATE KEY|client-key-data|EncryptionConfiguration|secretbox/);
      expect(f.path).not.toMatch(/\.key$/);
    }
    expect(out.secrets.filter((s) => s.path.endsWith(".key"))).toHaveLength(10);
  });

  test("CIS 1.1 modes: manifests and kubeconfigs 0600, certificates 0644, secrets 0600", () => {
    for (const f of out.files) {
      if (f.path.endsWith(".crt") || f.path.endsWith(".pub")) expect([f.path, f.mode]).toEqual([f.path, "0644"]);
      else expect([f.path, f.mode]).toEqual([f.path, "0600"]);
    }
    for (const s of out.secrets) expect([s.path, s.mode]).toEqual([s.path, "0600"]);
  });

  test("the encryption config is a SecretFile under /kubestead/<cluster>/controlplane/, content in secretContents", () => {
    const enc = out.secrets.find((s) => s.path === "/etc/kubernetes/encryption-config.yaml");
    expect(enc?.parameter).toBe("/kubestead/prod/controlplane/encryption-config.yaml");
    const cfg = parse(out.secretContents["/kubestead/prod/controlplane/encryption-config.yaml"]);
    expect(cfg.kind).toBe("EncryptionConfiguration");
    expect(cfg.resources[0].providers[0].secretbox.keys[0].secret).toBe(KEY_A);
    expect(Object.keys(out.secretContents)).toEqual([enc?.parameter]);
  });

  test("key parameters come from the spec", () => {
    const params = { ...defaultKeyParameters("prod"), ca: "/pki/prod/ca.key" };
    const r = controlPlaneFiles(spec({ keyParameters: params }));
    expect(r.secrets.find((s) => s.path === "/etc/kubernetes/pki/ca.key")?.parameter).toBe("/pki/prod/ca.key");
    expect(defaultKeyParameters("prod").serviceAccount).toBe(controlPlaneParameter("prod", "sa.key"));
    expect(defaultKeyParameters("prod").serviceAccount).toBe("/kubestead/prod/controlplane/sa.key");
  });

  test("certificates are shipped verbatim", () => {
    expect(content("/etc/kubernetes/pki/etcd/ca.crt")).toBe(spec().certs.etcdCa);
    expect(content("/etc/kubernetes/pki/sa.pub")).toBe(spec().certs.serviceAccountPublic);
  });

  test("byte-stable: the same spec renders the same files", () => {
    expect(JSON.stringify(controlPlaneFiles(spec()))).toBe(JSON.stringify(out));
  });

  test("an extraArgs flag pointing at a file nobody ships is refused", () => {
    expect(() => controlPlaneFiles(spec({ extraArgs: { apiServer: { "oidc-ca-file": "/etc/kubernetes/oidc-ca.crt" } } }))).toThrow(
      /oidc-ca-file.*not produced/,
    );
  });

  test("paths and modes (snapshot)", () => {
    expect({
      files: out.files.map((f) => `${f.mode} ${f.path}`),
      secrets: out.secrets.map((s) => `${s.mode} ${s.path} ← ${s.parameter}`),
    }).toMatchSnapshot();
    // Only certificates and the public SA key are world-readable; every private key comes from SSM.
    for (const f of [...out.files, ...out.secrets]) {
      expect({ path: f.path, mode: f.mode }).toEqual({ path: f.path, mode: /\.(crt|pub)$/.test(f.path) ? "0644" : "0600" });
    }
    expect(out.files.filter((f) => f.path.endsWith(".key"))).toEqual([]);
    expect(out.secrets.every((s) => s.parameter.startsWith("/kubestead/prod/controlplane/"))).toBe(true);
  });

  test("on-node files (snapshot)", () => {
    const keep = [
      "/etc/kubernetes/scheduler.conf",
      "/etc/kubernetes/manifests/kube-controller-manager.yaml",
      "/etc/kubernetes/manifests/kube-scheduler.yaml",
    ];
    expect(Object.fromEntries(keep.map((p) => [p, content(p)]))).toMatchSnapshot();
    // Each manifest is the pod its file is named for; the scheduler's kubeconfig dials the local
    // apiserver as system:kube-scheduler with the files its pod mounts.
    for (const p of keep.filter((k) => k.startsWith("/etc/kubernetes/manifests/"))) {
      expect((parse(content(p)) as Pod).metadata.name).toBe(p.replace(/^.*\/(.*)\.yaml$/, "$1"));
    }
    const kubeconfig = parse(content("/etc/kubernetes/scheduler.conf"));
    expect(kubeconfig.clusters[0].cluster.server).toBe("https://127.0.0.1:6443");
    expect(kubeconfig.users[0].name).toBe("system:kube-scheduler");
    const scheduler = manifests.find((m) => m.metadata.name === "kube-scheduler") as Pod;
    const mounted = scheduler.spec.containers[0].volumeMounts.map((m) => m.mountPath);
    expect(mounted).toEqual(
      expect.arrayContaining([kubeconfig.users[0].user["client-certificate"], kubeconfig.users[0].user["client-key"]]),
    );
  });
});

describe("controlPlaneSpecProblems", () => {
  test("a valid spec has none", () => {
    expect(controlPlaneSpecProblems(spec())).toEqual([]);
  });

  test("reports every problem at once, each with key, rule and fix", () => {
    const bad = spec({
      cluster: "Prod_1",
      kubernetesVersion: "1.31.0",
      etcdServers: ["http://10.0.0.1:2379"],
      nodeCidrMaskSize: 16,
      serviceAccountIssuer: "kubernetes",
      audit: { maxAgeDays: 0, maxBackups: 10, maxSizeMiB: 100 },
      encryptionKeys: [],
    });
    bad.certs = { ...bad.certs, admin: "-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----" };
    const keys = controlPlaneSpecProblems(bad).map((p) => p.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        "controlPlane.cluster",
        "controlPlane.kubernetesVersion",
        "controlPlane.etcdServers[0]",
        "controlPlane.nodeCidrMaskSize",
        "controlPlane.serviceAccountIssuer",
        "controlPlane.audit.maxAgeDays",
        "controlPlane.encryptionKeys",
        "controlPlane.certs.admin",
      ]),
    );
    expect(() => controlPlaneFiles(bad)).toThrow(/invalid control-plane spec \(\d+ problems\)/);
  });

  test("a private key passed as a certificate is refused, not shipped in user data", () => {
    const s = spec();
    s.certs = { ...s.certs, ca: `${s.certs.ca}-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----\n` };
    const p = controlPlaneSpecProblems(s);
    expect(p).toEqual([expect.objectContaining({ key: "controlPlane.certs.ca", rule: "must not contain a private key" })]);
    expect(JSON.stringify(p)).not.toContain("PRIVATE KEY-----\nx");
  });
});
