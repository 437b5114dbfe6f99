import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { parse } from "yaml";
import {
  decodeUserData,
  DEFAULT_PACKAGES,
  EC2_USER_DATA_LIMIT,
  encodeUserData,
  GZIP_THRESHOLD,
  renderCloudConfig,
  renderSecretsManifest,
} from "../../bootstrap/cloudInit";
import { etcdMemberUserData } from "../../bootstrap/etcd";
import { NodeFile, SecretFile, SECRETS_MANIFEST_PATH } from "../../bootstrap/types";
import { describeWithTool } from "../helpers/tools";
import { memberOptions, memberSpec } from "./etcdFixtures";

const BOOT: NodeFile = { path: "/opt/kubestead/bin/boot.sh", mode: "0755", content: "#!/usr/bin/env bash\necho hi\n" };
const SECRETS: SecretFile[] = [
  { path: "/etc/etcd/pki/server.key", parameter: "/kubestead/prod/etcd/etcd-0/server.key", mode: "0640" },
  { path: "/etc/etcd/pki/backup.key", parameter: "/kubestead/prod/etcd/backup.key", mode: "0600" },
];

function render(files: NodeFile[] = [], secrets: SecretFile[] = SECRETS): string {
  return renderCloudConfig({ files: [BOOT, ...files], secrets, bootScriptPath: BOOT.path, hostname: "etcd-0" });
}

describe("renderCloudConfig", () => {
  const doc = render([{ path: "/etc/etcd/etcd.env", mode: "0644", content: "ETCD_NAME=etcd-0\n" }]);
  const parsed = parse(doc);

  test("is a #cloud-config document", () => {
    expect(doc.startsWith("#cloud-config\n")).toBe(true);
    expect(doc).toMatchSnapshot();
  });

  test("writes every file as root with its mode, content unchanged", () => {
    const env = parsed.write_files.find((f: { path: string }) => f.path === "/etc/etcd/etcd.env");
    expect(env).toEqual({ path: "/etc/etcd/etcd.env", owner: "root:root", permissions: "0644", content: "ETCD_NAME=etcd-0\n" });
    const boot = parsed.write_files.find((f: { path: string }) => f.path === BOOT.path);
    expect(boot.content).toBe(BOOT.content);
    expect(boot.permissions).toBe("0755");
  });

  test("writes the sorted secrets manifest, root-only", () => {
    const manifest = parsed.write_files.find((f: { path: string }) => f.path === SECRETS_MANIFEST_PATH);
    expect(manifest.permissions).toBe("0600");
    expect(manifest.content).toBe(
      "/kubestead/prod/etcd/backup.key\t/etc/etcd/pki/backup.key\t0600\n/kubestead/prod/etcd/etcd-0/server.key\t/etc/etcd/pki/server.key\t0640\n",
    );
  });

  test("installs the boot script's packages and runs it", () => {
    expect(parsed.packages).toEqual([...DEFAULT_PACKAGES].sort());
    expect(parsed.packages).toEqual(expect.arrayContaining(["awscli", "curl", "jq", "ca-certificates"]));
    expect(parsed.package_update).toBe(true);
    expect(parsed.runcmd).toEqual([["bash", BOOT.path]]);
    expect(parsed.hostname).toBe("etcd-0");
  });

  test("extra packages join the defaults, sorted and unique", () => {
    const out = parse(renderCloudConfig({ files: [BOOT], secrets: [], bootScriptPath: BOOT.path, packages: ["nvme-cli", "curl"] }));
    expect(out.packages).toEqual(["awscli", "ca-certificates", "curl", "jq", "nvme-cli"]);
    expect(out.hostname).toBeUndefined();
  });

  test("is deterministic whatever the order of files and secrets", () => {
    const a = { path: "/etc/a", mode: "0644", content: "a\n" };
    const b = { path: "/etc/b", mode: "0644", content: "b\n" };
    expect(render([a, b], SECRETS)).toBe(render([b, a], [...SECRETS].reverse()));
  });

  test("keeps awkward content byte-exact", () => {
    const content = "line: with colon\n  indented # not a comment\n\ttab\ntrailing space \nno newline at end";
    const out = parse(render([{ path: "/etc/x", mode: "0644", content }]));
    expect(out.write_files.find((f: { path: string }) => f.path === "/etc/x").content).toBe(content);
  });

  test.each([
    [
      "an EC private key",
      { path: "/etc/x.pem", content: "-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n" },
      /PEM private key/,
    ],
    ["a PKCS#8 key", { path: "/etc/x.pem", content: "x\n-----BEGIN PRIVATE KEY-----\nMIG\n" }, /PEM private key/],
    ["an RSA key", { path: "/etc/x", content: "-----BEGIN RSA PRIVATE KEY-----\n" }, /PEM private key/],
    [
      "a kubeconfig with a client key",
      { path: "/etc/kubernetes/admin.conf", content: "users:\n- user:\n    client-key-data: AAAA\n" },
      /embedded client key/,
    ],
    [
      "an encryption config",
      { path: "/etc/kubernetes/enc.yaml", content: "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n" },
      /encryption-at-rest/,
    ],
    ["a *.key path", { path: "/etc/etcd/pki/server.key", content: "harmless" }, /private key path/],
    ["the secret-only directory", { path: "/etc/kubestead/secrets/token", content: "harmless" }, /secret-only directory/],
  ])("refuses %s", (_what, file, message) => {
    expect(() => render([{ mode: "0600", ...file }])).toThrow(message);
    expect(() => render([{ mode: "0600", ...file }])).toThrow(/must never carry secrets/);
  });

  test.each([
    ["a relative path", { files: [{ path: "etc/x", mode: "0644", content: "" }] }, /must be absolute/],
    ["a numeric-looking mode", { files: [{ path: "/etc/x", mode: "644", content: "" }] }, /octal string/],
    [
      "a duplicate path",
      {
        files: [
          { path: "/etc/x", mode: "0644", content: "" },
          { path: "/etc/x", mode: "0644", content: "" },
        ],
      },
      /listed twice/,
    ],
    [
      "a file that is also a secret",
      {
        files: [{ path: "/etc/etcd/pki/server.pem", mode: "0644", content: "" }],
        secrets: [{ path: "/etc/etcd/pki/server.pem", parameter: "/k/p", mode: "0600" }],
      },
      /both/,
    ],
    ["a file at the manifest path", { files: [{ path: SECRETS_MANIFEST_PATH, mode: "0600", content: "" }] }, /secrets manifest/],
  ])("refuses %s", (_what, args: { files: NodeFile[]; secrets?: SecretFile[] }, message) => {
    expect(() => render(args.files, args.secrets ?? SECRETS)).toThrow(message);
  });

  test("refuses a boot script path that is not among the files", () => {
    expect(() => renderCloudConfig({ files: [], secrets: [], bootScriptPath: "/opt/boot.sh" })).toThrow(/not among the files/);
  });
});

describe("renderSecretsManifest", () => {
  test.each([
    [{ path: "/etc/k", parameter: "no-slash", mode: "0600" }, /SSM name/],
    [{ path: "/etc/k", parameter: "/a\tb", mode: "0600" }, /SSM name/],
    [{ path: "/etc/k\nx", parameter: "/a", mode: "0600" }, /absolute/],
    [{ path: "/etc/k", parameter: "/a", mode: "600" }, /octal/],
  ])("refuses %j", (secret, message) => {
    expect(() => renderSecretsManifest([secret])).toThrow(message);
  });

  test("is empty for no secrets", () => {
    expect(renderSecretsManifest([])).toBe("");
  });
});

describe("user data encoding", () => {
  test("a small document is plain base64 and round-trips", () => {
    const doc = "#cloud-config\nruncmd: []\n";
    const b64 = encodeUserData(doc);
    expect(Buffer.from(b64, "base64").toString("utf8")).toBe(doc);
    expect(decodeUserData(b64)).toBe(doc);
  });

  test("a document above the threshold is gzipped, deterministic and round-trips", () => {
    const doc = `#cloud-config\n${"# padding line for size\n".repeat(Math.ceil((GZIP_THRESHOLD + 100) / 24))}`;
    expect(Buffer.byteLength(doc)).toBeGreaterThan(GZIP_THRESHOLD);
    const b64 = encodeUserData(doc);
    const bytes = Buffer.from(b64, "base64");
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(bytes.readUInt32LE(4)).toBe(0); // gzip MTIME
    expect(bytes.length).toBeLessThan(Buffer.byteLength(doc));
    expect(encodeUserData(doc)).toBe(b64);
    expect(decodeUserData(b64)).toBe(doc);
  });

  test("the gzip threshold counts UTF-8 bytes, not characters", () => {
    // 6,200 characters, 12,400 bytes: above the 12 KiB threshold only when counted as EC2 does.
    const doc = `#cloud-config\n# ${"é".repeat(6200)}\n`;
    expect(doc.length).toBeLessThan(GZIP_THRESHOLD);
    const bytes = Buffer.from(encodeUserData(doc), "base64");
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(decodeUserData(encodeUserData(doc))).toBe(doc);
  });

  test("refuses what does not fit even gzipped", () => {
    // Hash output as hex does not compress below half its size: 48 KiB of it stays above 16 KiB.
    const noise = Array.from({ length: 768 }, (_, i) => createHash("sha256").update(String(i)).digest("hex")).join("");
    expect(() => encodeUserData(`#cloud-config\n# ${noise}\n`)).toThrow(new RegExp(`above EC2's ${EC2_USER_DATA_LIMIT}-byte limit`));
  });

  test("a full etcd member fits EC2's limit once encoded", () => {
    const doc = etcdMemberUserData(memberSpec(0), memberOptions());
    const bytes = Buffer.from(encodeUserData(doc), "base64");
    expect(bytes.length).toBeLessThanOrEqual(EC2_USER_DATA_LIMIT);
    expect(decodeUserData(encodeUserData(doc))).toBe(doc);
  });
});

describeWithTool(["cloud-init"], "cloud-init schema", () => {
  test("a rendered etcd member's user data is valid cloud-config", () => {
    const dir = mkdtempSync(join(tmpdir(), "kubestead-cloud-init-"));
    try {
      const file = join(dir, "user-data");
      writeFileSync(file, etcdMemberUserData(memberSpec(1), memberOptions()));
      const r = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
      expect(`${r.stdout}${r.stderr}`).toContain("Valid cloud-config");
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the schema check does catch a bad document", () => {
    const dir = mkdtempSync(join(tmpdir(), "kubestead-cloud-init-"));
    try {
      const file = join(dir, "user-data");
      writeFileSync(file, "#cloud-config\nwrite_files: {path: 1}\npackages: 7\n");
      const r = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
      expect(r.status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
