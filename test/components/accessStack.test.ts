/**
 * Access on the planned prod graph (the real program under the offline mocks, real certificates):
 * the exported kubeconfig is short-lived and revocable, system:masters is left to the break-glass
 * credential that never leaves the control plane, and the control plane boots with Pod Security
 * Admission and AlwaysPullImages.
 */
import { X509Certificate } from "node:crypto";
import { parse, parseAllDocuments } from "yaml";
import { decodeUserData } from "../../bootstrap/cloudInit";
import { Plan, PlanResource } from "../../lib/plan/types";
import { renderNodes } from "../../tools/render/nodes";
import { byUrn, ofType, planStack } from "../helpers/plannedStack";

let plan: Plan;
beforeAll(async () => {
  plan = await planStack("prod");
}, 120_000);

const csrs = () => ofType(plan, "tls:index/certRequest:CertRequest");
const subjectOf = (r: PlanResource) => r.inputs.subject as { commonName: string; organization?: string };
/** The LocallySignedCert signed from a CSR. */
const certOf = (csr: PlanResource) =>
  ofType(plan, "tls:index/locallySignedCert:LocallySignedCert").find((c) =>
    (c.propertyDependencies.certRequestPem ?? []).includes(csr.urn),
  )!;
// What a control-plane node has after boot: its user data's files and those it installs from the store.
const controlPlaneFiles = () =>
  new Map(
    renderNodes(plan)
      .find((n) => n.name === "controlplane-0")!
      .files.map((f) => [f.path, f.content]),
  );

describe("the exported adminKubeconfig", () => {
  const clientCert = () => {
    const kubeconfig = parse(String(plan.outputs.adminKubeconfig));
    return new X509Certificate(Buffer.from(kubeconfig.users[0].user["client-certificate-data"], "base64"));
  };

  test("is a secret output whose certificate is in kubeadm:cluster-admins, not system:masters", () => {
    expect(plan.secretOutputs).toContain("adminKubeconfig");
    expect(clientCert().subject.split("\n").sort()).toEqual(["CN=kubestead-admin", "O=kubeadm:cluster-admins"]);
  });

  test("is valid for pki.adminValidityHours (7 days) and re-issued by pulumi up after half of that", () => {
    const c = clientCert();
    expect((Date.parse(c.validTo) - Date.parse(c.validFrom)) / 3_600_000).toBe(168);
    const csr = csrs().find((r) => subjectOf(r).commonName === "kubestead-admin")!;
    expect(certOf(csr).inputs).toMatchObject({ validityPeriodHours: 168, earlyRenewalHours: 84 });
    expect(Object.keys(plan.outputs.certificateNotAfter as object)).toContain("admin-kubeconfig");
  });

  test("is on no node: re-issuing it changes no launch template", () => {
    const pem = String(certOf(csrs().find((r) => subjectOf(r).commonName === "kubestead-admin")!).outputs.certPem).trim();
    const body = pem.split("\n").slice(1, -1).join("\n");
    for (const lt of ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate"))
      expect(decodeUserData(String(lt.inputs.userData))).not.toContain(body);
  });
});

describe("system:masters", () => {
  test("only the break-glass kubernetes-super-admin requests it; admin.conf and the kubelet client are bound instead", () => {
    const masters = csrs().filter((r) => subjectOf(r).organization === "system:masters");
    expect(masters.map((r) => subjectOf(r).commonName)).toEqual(["kubernetes-super-admin"]);
    const byCn = (cn: string) => subjectOf(csrs().find((r) => subjectOf(r).commonName === cn)!);
    expect(byCn("kubernetes-admin").organization).toBe("kubeadm:cluster-admins");
    expect(byCn("kube-apiserver-kubelet-client").organization).toBeUndefined();
  });

  test("the break-glass key goes only to its control-plane SSM parameter", () => {
    const [csr] = csrs().filter((r) => subjectOf(r).organization === "system:masters");
    const [key] = csr.propertyDependencies.privateKeyPem;
    const consumers = plan.resources.filter((r) => r.urn !== csr.urn && Object.values(r.propertyDependencies).some((d) => d.includes(key)));
    expect(consumers.map((r) => [r.type, r.inputs.name])).toEqual([
      ["aws:ssm/parameter:Parameter", "/kubestead/kubestead-prod/controlplane/super-admin.key"],
    ]);
    expect(byUrn(plan, key).type).toBe("tls:index/privateKey:PrivateKey");
  });

  test("the add-on applier uses super-admin.conf, which works before the cluster-admins binding exists", () => {
    const files = controlPlaneFiles();
    expect(files.get("/etc/kubestead/addons.env")).toMatch(/^KUBECONFIG_PATH=\/etc\/kubernetes\/super-admin\.conf$/m);
    expect(parse(files.get("/etc/kubernetes/super-admin.conf")!).users[0].user["client-certificate"]).toBe(
      "/etc/kubernetes/pki/super-admin.crt",
    );
  });

  test("the control plane applies the cluster-admins bindings right after node-bootstrap", () => {
    const stored = ofType(plan, "aws:s3/bucketObjectv2:BucketObjectv2").find(
      (o) => (o.inputs.metadata as any)?.addon === "cluster-admins",
    )!;
    expect(stored.inputs.key).toBe("addons/01-cluster-admins.yaml");
    const docs = parseAllDocuments(String(stored.inputs.content)).map((d) => d.toJS());
    expect(docs.map((d) => [d.metadata.name, d.roleRef.name, d.subjects[0].name])).toEqual([
      ["kubeadm:cluster-admins", "cluster-admin", "kubeadm:cluster-admins"],
      ["kubestead:apiserver-kubelet-client", "system:kubelet-api-admin", "kube-apiserver-kubelet-client"],
    ]);
  });
});

describe("what the control plane admits", () => {
  test("Pod Security Admission: enforce baseline, warn and audit restricted, kube-system exempt", () => {
    const cfg = parse(controlPlaneFiles().get("/etc/kubernetes/admission-config.yaml")!);
    const psa = cfg.plugins.find((p: { name: string }) => p.name === "PodSecurity").configuration;
    expect(psa.defaults).toMatchObject({ enforce: "baseline", warn: "restricted", audit: "restricted" });
    expect(psa.exemptions.namespaces).toEqual(["kube-system"]);
  });

  test("AlwaysPullImages is among the apiserver's admission plugins; no OIDC issuer is configured in prod", () => {
    const files = controlPlaneFiles();
    const pod = parse(files.get("/etc/kubernetes/manifests/kube-apiserver.yaml")!);
    const flag = pod.spec.containers[0].command.find((a: string) => a.startsWith("--enable-admission-plugins="));
    expect(flag.split("=")[1].split(",")).toContain("AlwaysPullImages");
    expect(parse(files.get("/etc/kubernetes/authentication-config.yaml")!).jwt).toEqual([]);
  });

  test("the four access policies pass on this graph", () => {
    const { runPolicies } = require("../../policy/runner");
    const cfg = JSON.parse(require("node:fs").readFileSync(require("node:path").join(__dirname, "../../policy/prod.json"), "utf8"));
    const report = runPolicies(plan, cfg, { preview: false });
    for (const p of ["admin-credential-revocable", "pod-security-admission", "always-pull-images", "api-cidrs-bounded"]) {
      expect({ p, evaluated: report.evaluated[p] > 0, levels: report.levels[p] }).toEqual({ p, evaluated: true, levels: "mandatory" });
    }
    expect(report.violations).toEqual([]);
  });
});
