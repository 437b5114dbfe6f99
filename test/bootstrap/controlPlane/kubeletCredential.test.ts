/**
 * The control-plane kubelet credential, signed locally at boot with real openssl against a real CA
 * (the step's absolute paths moved into a scratch directory): a certificate for the node's own name
 * only, stored the way the kubelet's certificate store rotates it (a link to a timestamped file).
 */
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderBootScript } from "../../../bootstrap/bootScript";
import { renderControlPlaneKubeletCredentialStep } from "../../../bootstrap/controlPlane/kubeletCredential";
import { describeWithTool } from "../../helpers/tools";
import { shellcheck } from "../etcdFixtures";

const NODE = "ip-10-0-1-2.ec2.internal";

describeWithTool(["openssl"], "the control-plane kubelet credential", () => {
  let dir: string;
  let run: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "kubestead-cp-kubelet-"));
    const pki = join(dir, "etc/kubernetes/pki");
    mkdirSync(pki, { recursive: true });
    const ssl = (...args: string[]) => expect(spawnSync("openssl", args, { encoding: "utf8" }).status).toBe(0);
    ssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", join(pki, "ca.key"));
    ssl("req", "-x509", "-new", "-key", join(pki, "ca.key"), "-subj", "/CN=kubernetes", "-days", "1", "-out", join(pki, "ca.crt"));
    const step = renderControlPlaneKubeletCredentialStep({ cluster: "kubestead-prod", validityDays: 365 })
      .replaceAll("/etc/kubernetes", join(dir, "etc/kubernetes"))
      .replaceAll("/var/lib/kubelet", join(dir, "var/lib/kubelet"));
    const stubs = `set -euo pipefail\nimds() { echo ${NODE}; }\nhostnamectl() { :; }\n`;
    run = spawnSync("bash", ["-c", `${stubs}${step}`], { encoding: "utf8", cwd: dir });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("signs a client certificate for system:node:<this node> in system:nodes, from the cluster CA", () => {
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    const pem = readFileSync(join(dir, "var/lib/kubelet/pki/kubelet-client-current.pem"), "utf8");
    const cert = new X509Certificate(pem);
    expect(cert.subject).toBe(`O=system:nodes\nCN=system:node:${NODE}`);
    expect(cert.verify(new X509Certificate(readFileSync(join(dir, "etc/kubernetes/pki/ca.crt"))).publicKey)).toBe(true);
    expect(pem).toContain("PRIVATE KEY");
  });

  test("kubelet-client-current.pem is a link to a timestamped file (the kubelet's store rotates it), readable by root only", () => {
    const current = join(dir, "var/lib/kubelet/pki/kubelet-client-current.pem");
    expect(lstatSync(current).isSymbolicLink()).toBe(true);
    const target = readlinkSync(current);
    expect(target).toMatch(/\/kubelet-client-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}\.pem$/);
    expect(lstatSync(target).mode & 0o777).toBe(0o600);
  });

  test("kubelet.conf uses the link for certificate and key, and no bootstrap kubeconfig is involved", () => {
    const conf = readFileSync(join(dir, "etc/kubernetes/kubelet.conf"), "utf8");
    expect(conf).toContain(`client-certificate: ${join(dir, "var/lib/kubelet/pki/kubelet-client-current.pem")}`);
    expect(conf).toContain(`client-key: ${join(dir, "var/lib/kubelet/pki/kubelet-client-current.pem")}`);
    expect(conf).toContain("server: https://127.0.0.1:6443");
    expect(conf).not.toContain("token");
  });
});

describeWithTool(["shellcheck"], "the control-plane kubelet credential step", () => {
  test("passes shellcheck inside the boot script", () => {
    const step = renderControlPlaneKubeletCredentialStep({ cluster: "kubestead-prod", validityDays: 365 });
    expect(shellcheck(renderBootScript({ role: "controlplane", region: "us-east-1", steps: [step] }))).toBe("");
  });
});
