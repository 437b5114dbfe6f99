/**
 * `pulumi up` within the renewal window renews leaf certificates in SSM, on the planned dev stack:
 * every leaf a node holds carries the configured early renewal, and its SSM parameter's value is
 * the certificate resource's output (so a re-issued certificate is written back); the launch
 * templates say how long the refresh timer may take, and the policy finds the window wide enough.
 */
import { CERT_REFRESH_TAG, certRefreshDelayHours } from "../../bootstrap/certRefresh";
import type { Plan, PlanResource } from "../../lib/plan/types";
import devConfig from "../../policy/dev.json";
import { runPolicies } from "../../policy/runner";
import { T } from "../../policy/rules/graph";
import { ofType, planStack, tagsOf } from "../helpers/plannedStack";

describe("certificate renewal on the planned dev stack", () => {
  let plan: Plan;
  let certs: PlanResource[];
  let params: PlanResource[];
  beforeAll(async () => {
    plan = await planStack("dev");
    certs = ofType(plan, T.locallySignedCert);
    params = ofType(plan, "aws:ssm/parameter:Parameter");
  }, 180_000);

  const isExportedAdmin = (c: PlanResource) => c.name.endsWith("-admin-kubeconfig-cert");
  // String parameters: the SecureString encryption config is rendered beside the certificates and
  // so depends on them too, without holding one.
  const writers = (c: PlanResource) =>
    params.filter((p) => p.inputs.type === "String" && (p.propertyDependencies.value ?? []).includes(c.urn));

  test("every leaf on a node renews early by kubestead:pki.earlyRenewalHours (default 720)", () => {
    const onNodes = certs.filter((c) => !isExportedAdmin(c));
    expect(onNodes.length).toBe(3 * 2 + 1 + 8);
    for (const c of onNodes) expect([c.name, c.inputs.earlyRenewalHours]).toEqual([c.name, 720]);
  });

  test("each of them is written to exactly one String parameter whose value is the certificate's output", () => {
    for (const c of certs.filter((x) => !isExportedAdmin(x))) {
      const w = writers(c);
      expect([c.name, w.length]).toEqual([c.name, 1]);
      expect(w[0].inputs.value).toBe(c.outputs.certPem);
      expect(String(w[0].inputs.value)).toMatch(/^-----BEGIN CERTIFICATE-----/);
      // Under the role's own path: the role's IAM policy already reads it, no other role does.
      expect(w[0].inputs.name).toMatch(/^\/kubestead\/[a-z0-9-]+\/(etcd|controlplane)\/.*\.crt$/);
    }
  });

  test("the exported admin kubeconfig's certificate is on no node and in no parameter", () => {
    const admin = certs.filter(isExportedAdmin);
    expect(admin).toHaveLength(1);
    expect(writers(admin[0])).toEqual([]);
  });

  test("etcd and control-plane launch templates state the refresh delay; their groups wait for the parameters", () => {
    const refreshing = ofType(plan, T.launchTemplate).filter((lt) => tagsOf(lt)["kubestead.io/role"] !== "worker");
    expect(refreshing.length).toBeGreaterThanOrEqual(4);
    for (const lt of refreshing) expect(tagsOf(lt)[CERT_REFRESH_TAG]).toBe(String(certRefreshDelayHours()));
    const certParams = new Set(params.filter((p) => String(p.inputs.name).endsWith(".crt")).map((p) => p.urn));
    const groups = ofType(plan, T.asg).filter((g) => g.dependencies.some((d) => certParams.has(d)));
    expect(groups.length).toBe(4);
  });

  test("policy cert-refresh-window runs on the plan and finds nothing", () => {
    const r = runPolicies(plan, devConfig, { preview: false });
    expect(r.evaluated["cert-refresh-window"]).toBe(1);
    expect(r.violations.filter((v) => v.policy === "cert-refresh-window")).toEqual([]);
  });

  test("the same plan with a 20-hour early renewal is caught, at each refreshed certificate", () => {
    const broken: Plan = structuredClone(plan);
    for (const c of broken.resources.filter((r) => r.type === T.locallySignedCert)) {
      c.inputs.earlyRenewalHours = 20;
      c.outputs.earlyRenewalHours = 20;
    }
    const found = runPolicies(broken, devConfig, { preview: false }).violations.filter((v) => v.policy === "cert-refresh-window");
    expect(found).toHaveLength(3 * 2 + 1 + 8);
    expect(found[0].message).toContain("renew at least 28 hours");
  });
});
