/**
 * The kubelet join verifier, run in bash against stand-in `kubectl` and `aws` on PATH and real
 * certificate requests made by openssl: a bootstrap token gets a client certificate only for a
 * running worker of this cluster that has no Node yet.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CSR_VERIFIER_ENV_PATH,
  KUBELET_CLIENT_SIGNER,
  nodeCsrVerifierFiles,
  renderNodeCsrVerifierEnv,
  renderNodeCsrVerifierScript,
} from "../../../bootstrap/addons/nodeCsrVerifier";
import { nodeBootstrapRbac } from "../../../bootstrap/addons/nodeBootstrap";
import { describeWithTool } from "../../helpers/tools";
import { shellcheck } from "../etcdFixtures";

const KUBECTL = String.raw`#!/usr/bin/env bash
while [ $# -gt 0 ]; do
  case "$1" in
    --kubeconfig|--request-timeout) shift 2 ;;
    --kubeconfig=*|--request-timeout=*) shift ;;
    *) break ;;
  esac
done
case "$1 $2" in
  "get csr") cat "$CSRS" ;;
  "get node") grep -qx "$3" "$NODES" ;;
  "certificate approve"|"certificate deny") echo "$2 $3" >> "$CALLS" ;;
  *) echo "unexpected kubectl $*" >&2; exit 2 ;;
esac
`;

const AWS = String.raw`#!/usr/bin/env bash
[ -z "$AWS_FAIL" ] || exit 255
name=""
for a in "$@"; do case "$a" in Name=private-dns-name,Values=*) name="$(printf '%s' "$a" | sed 's/^Name=private-dns-name,Values=//')" ;; esac; done
awk -F'\t' -v n="$name" '$1 == n { print $2 "\t" $3 }' "$INSTANCES"
`;

const CLUSTER = "kubestead-prod";
const WORKER = "ip-10-0-1-5.ec2.internal";

/** A real PKCS#10 request with the given subject, base64 as the CSR object carries it. */
function request(subject: string, dir: string): string {
  const r = spawnSync(
    "openssl",
    [
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      join(dir, "key.pem"),
      "-subj",
      subject,
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return Buffer.from(r.stdout).toString("base64");
}

interface Csr {
  name: string;
  user: string;
  usages?: string[];
  subject: string;
  conditions?: string;
}

function run(csrs: Csr[], opts: { instances?: string[][]; nodes?: string[]; awsFails?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "kubestead-csr-"));
  try {
    for (const [name, content] of [
      ["kubectl", KUBECTL],
      ["aws", AWS],
    ]) {
      writeFileSync(join(dir, name), content);
      chmodSync(join(dir, name), 0o755);
    }
    const lines = csrs.map((c) =>
      [c.name, c.user, JSON.stringify(c.usages ?? ["digital signature", "client auth"]), request(c.subject, dir), c.conditions ?? ""].join(
        "\t",
      ),
    );
    writeFileSync(join(dir, "csrs"), `${lines.join("\n")}\n`);
    writeFileSync(join(dir, "nodes"), (opts.nodes ?? []).map((n) => `${n}\n`).join(""));
    writeFileSync(join(dir, "instances"), (opts.instances ?? [[WORKER, CLUSTER, "worker"]]).map((i) => `${i.join("\t")}\n`).join(""));
    writeFileSync(join(dir, "calls"), "");
    const env = join(dir, "verify.env");
    writeFileSync(env, renderNodeCsrVerifierEnv({ cluster: CLUSTER, region: "us-east-1", kubeconfig: "/etc/kubernetes/super-admin.conf" }));
    const script = renderNodeCsrVerifierScript().split(CSR_VERIFIER_ENV_PATH).join(env);
    const r = spawnSync("bash", ["-c", script], {
      encoding: "utf8",
      env: {
        PATH: `${dir}:${process.env.PATH}`,
        CSRS: join(dir, "csrs"),
        NODES: join(dir, "nodes"),
        INSTANCES: join(dir, "instances"),
        CALLS: join(dir, "calls"),
        AWS_FAIL: opts.awsFails ? "1" : "",
      },
    });
    return { status: r.status, calls: readFileSync(join(dir, "calls"), "utf8").trim().split("\n").filter(Boolean), log: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const join_ = (name: string, node = WORKER, more: Partial<Csr> = {}): Csr => ({
  name,
  user: "system:bootstrap:abcdef",
  subject: `/O=system:nodes/CN=system:node:${node}`,
  ...more,
});

describeWithTool(["openssl"], "node join requests", () => {
  test("a running worker of this cluster without a Node: approved", () => {
    const r = run([join_("csr-a")]);
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(["approve csr-a"]);
    expect(r.log).toContain(`approved for ${WORKER}`);
  });

  test("a control-plane instance's name, another cluster's worker, two instances of one name: denied", () => {
    const cp = "ip-10-0-2-9.ec2.internal";
    const other = "ip-10-0-3-3.ec2.internal";
    const twice = "ip-10-0-4-4.ec2.internal";
    const r = run([join_("csr-cp", cp), join_("csr-other", other), join_("csr-twice", twice)], {
      instances: [
        [cp, CLUSTER, "controlplane"],
        [other, "someone-else", "worker"],
        [twice, CLUSTER, "worker"],
        [twice, CLUSTER, "worker"],
      ],
    });
    expect(r.calls).toEqual(["deny csr-cp", "deny csr-other", "deny csr-twice"]);
  });

  test("subjects and usages that are not a node client's: denied", () => {
    const r = run([
      join_("csr-masters", WORKER, { subject: `/O=system:masters/O=system:nodes/CN=system:node:${WORKER}` }),
      join_("csr-user", WORKER, { subject: "/O=system:nodes/CN=admin" }),
      join_("csr-server", WORKER, { usages: ["digital signature", "server auth"] }),
    ]);
    expect(r.calls).toEqual(["deny csr-masters", "deny csr-user", "deny csr-server"]);
  });

  test("a name EC2 doesn't know yet, a Node that still exists, a failed EC2 call: left pending", () => {
    expect(run([join_("csr-new", "ip-10-0-9-9.ec2.internal")]).calls).toEqual([]);
    expect(run([join_("csr-taken")], { nodes: [WORKER] }).calls).toEqual([]);
    const r = run([join_("csr-a")], { awsFails: true });
    expect(r.calls).toEqual([]);
    expect(r.log).toContain("left pending");
  });

  test("renewals by a node's own certificate and requests already decided: not touched", () => {
    const r = run([
      join_("csr-renew", WORKER, { user: `system:node:${WORKER}` }),
      join_("csr-done", WORKER, { conditions: '[{"type":"Approved"}]' }),
    ]);
    expect(r.calls).toEqual([]);
  });
});

test("the rendered verifier passes shellcheck", () => {
  expect(shellcheck(renderNodeCsrVerifierScript())).toEqual("");
});

test("bootstrap tokens no longer get client certificates approved automatically; node renewals still are", () => {
  const bindings = nodeBootstrapRbac().map((b) => (b as unknown as { roleRef: { name: string } }).roleRef.name);
  expect(bindings).not.toContain("system:certificates.k8s.io:certificatesigningrequests:nodeclient");
  expect(bindings).toContain("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient");
  expect(KUBELET_CLIENT_SIGNER).toBe("kubernetes.io/kube-apiserver-client-kubelet");
  expect(
    nodeCsrVerifierFiles({ cluster: CLUSTER, region: "us-east-1", kubeconfig: "/etc/kubernetes/super-admin.conf" }).map((f) => f.path),
  ).toEqual([
    "/etc/kubestead/node-csr-verify.env",
    "/etc/systemd/system/kubestead-node-csr-verify.service",
    "/etc/systemd/system/kubestead-node-csr-verify.timer",
  ]);
});
