/** `npm run render` as a reviewer runs it: what the control plane will apply is on disk, verifiable. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ROOT } from "../helpers/plannedStack";

const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const out = fs.mkdtempSync(path.join(os.tmpdir(), "kubestead-render-"));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

let result: ReturnType<typeof spawnSync>;
beforeAll(() => {
  result = spawnSync(TSX, ["tools/render.ts", "--stack", "prod", "--out", out], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
}, 150_000);

test("writes the add-on manifests where the control plane keeps them, and they pass the applier's checksum check", () => {
  expect(result.status).toBe(0);
  // 20: the add-ons (11 manifests, SHA256SUMS, inventory), the applier's, the join verifier's and the certificate
  // refresh's scripts and the four static pods (the KMS plugin's among them) come from the store.
  expect(String(result.stdout)).toMatch(/controlplane-0: \d+ files \(\d+ fetched from SSM at boot, 20 from the add-on store\)/);
  const dir = path.join(out, "controlplane-0", "etc", "kubernetes", "addons");
  const files = fs.readdirSync(dir).sort();
  expect(files).toEqual(
    expect.arrayContaining(["00-node-bootstrap.yaml", "01-cluster-admins.yaml", "04-cilium.yaml", "SHA256SUMS", "inventory.txt"]),
  );
  expect(files.filter((f) => f.endsWith(".yaml"))).toHaveLength(11);
  const check = spawnSync("sha256sum", ["-c", "--strict", "SHA256SUMS"], { cwd: dir, encoding: "utf8" });
  expect(check.stdout).toContain("04-cilium.yaml: OK");
  expect(check.status).toBe(0);
  // The applier itself, fetched from the store at boot.
  expect(fs.statSync(path.join(out, "controlplane-0", "opt", "kubestead", "bin", "addons-apply.sh")).mode & 0o777).toBe(0o755);
  // Workers don't get them: only the control plane applies add-ons.
  expect(fs.existsSync(path.join(out, "general-0", "etc", "kubernetes", "addons"))).toBe(false);
});

test("the control plane's admission config enforces Pod Security baseline, kube-system exempt", () => {
  const text = fs.readFileSync(path.join(out, "controlplane-0", "etc", "kubernetes", "admission-config.yaml"), "utf8");
  const psa = (parse(text) as { plugins: { name: string; configuration: any }[] }).plugins.find(
    (p) => p.name === "PodSecurity",
  )!.configuration;
  expect([psa.defaults.enforce, psa.defaults.warn, psa.defaults.audit, psa.exemptions.namespaces]).toEqual([
    "baseline",
    "restricted",
    "restricted",
    ["kube-system"],
  ]);
});
