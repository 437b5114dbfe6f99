/**
 * The node-side add-on applier, run in bash against stand-in `kubectl`, `aws` and `sleep` on PATH
 * that record every call: server-side apply of every stored manifest, retries with backoff, the
 * Lease, prune of what the inventory no longer holds, and refusal of a tampered store.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import {
  FIELD_MANAGER,
  LEASE_NAME,
  PRUNE_TYPES,
  renderApplierBootStep,
  renderApplierEnv,
  renderApplierScript,
  renderApplierUnits,
} from "../../../bootstrap/addons/applier";
import { bootstrapTokenSecret } from "../../../bootstrap/addons/nodeBootstrap";
import {
  CHECKSUMS_FILE,
  clusterAddons,
  INVENTORY_FILE,
  renderChecksums,
  renderInventory,
  storedManifests,
} from "../../../bootstrap/addons/manifests";
import { parseClusterConfig } from "../../../lib/config/parse";
import { rawStackConfig, stackConfig } from "../../../tools/offline/stackFile";
import { describeWithTool } from "../../helpers/tools";
import { ROOT } from "../../helpers/plannedStack";
import { shellcheck } from "../etcdFixtures";

const config = parseClusterConfig(rawStackConfig(stackConfig(ROOT, "prod"), "prod"));
const stored = storedManifests(
  clusterAddons({
    cluster: config.name,
    region: config.region,
    kubernetes: config.kubernetes,
    addons: config.addons,
    apiServerHost: "api.kubestead-prod.kubestead.internal",
    vpcCidrs: ["10.0.0.0/16"],
    podRoleArns: {
      "cluster-autoscaler": "arn:aws:iam::123456789012:role/kubestead-prod-us-east-1-cluster-autoscaler",
      "ebs-csi-driver": "arn:aws:iam::123456789012:role/kubestead-prod-us-east-1-ebs-csi-driver",
      "node-termination": "arn:aws:iam::123456789012:role/kubestead-prod-us-east-1-node-termination",
    },
    nodeTerminationQueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/kubestead-prod-node-termination",
  }),
);

// A stand-in kubectl: records each call (without the global flags) to $CALLS; fails the first
// `apply` when $FAIL_FIRST_APPLY is set; `get` of the prune types answers with $CLUSTER_OBJECTS,
// of labelled token Secrets with $TOKENS, `get -f FILE -o name` with the file's Secret name, of
// nodes with $CP_NODES ("NAME VERSION" lines; fails with $NODES_ERROR); each applied secret
// manifest is copied to $CALLS.secrets.
const KUBECTL = String.raw`#!/usr/bin/env bash
while [ $# -gt 0 ]; do
  case "$1" in
    --kubeconfig|--request-timeout) shift 2 ;;
    --kubeconfig=*|--request-timeout=*) shift ;;
    *) break ;;
  esac
done
printf '%s\n' "$*" >>"$CALLS"
case "$1" in
  create)
    cat >>"$CALLS.lease"
    if [ -n "$LEASE_CREATE_ERROR" ]; then echo "$LEASE_CREATE_ERROR" >&2; exit 1; fi
    if [ -n "$LEASE_HELD" ]; then echo 'Error from server (AlreadyExists): leases.coordination.k8s.io "kubestead-addons" already exists' >&2; exit 1; fi
    ;;
  replace) cat >>"$CALLS.lease" ;;
  apply)
    if [ -n "$FAIL_FIRST_APPLY" ] && [ ! -e "$CALLS.failed" ]; then touch "$CALLS.failed"; echo "connection refused" >&2; exit 1; fi
    if [ -n "$FAIL_FILE" ] && [ "$(basename "${"$"}{@: -1}")" = "$FAIL_FILE" ]; then echo "admission webhook denied" >&2; exit 1; fi
    case "${"$"}{@: -1}" in */secrets/*) cat "${"$"}{@: -1}" >>"$CALLS.secrets" ;; esac
    ;;
  get)
    case "$*" in
      *--raw*) echo ok ;;
      *"-l kubestead.io/bootstrap-token=true"*) cat "$TOKENS" ;;
      "get -f "*) sed -n 's#^  name: #secret/#p' "$3" ;;
      "get nodes "*)
        if [ -n "$NODES_ERROR" ]; then echo "$NODES_ERROR" >&2; exit 1; fi
        cat "$CP_NODES"
        ;;
      *-l*) cat "$CLUSTER_OBJECTS" ;;
    esac
    ;;
  -n)
    case "$*" in
      *holderIdentity*renewTime*) printf '%s %s %s' other-node "$LEASE_RENEWED" 42 ;;
      *holderIdentity*) printf '%s' "$(hostname)" ;;
    esac
    ;;
esac
exit 0
`;

const AWS = String.raw`#!/usr/bin/env bash
printf 'aws %s\n' "$*" >>"$CALLS"
if [ "$1" = ssm ]; then
  if [ -z "$SSM_VALUE" ]; then echo "AccessDeniedException" >&2; exit 254; fi
  cat "$SSM_VALUE"
  exit 0
fi
dest="${"$"}{@: -1}"
cp "$STORE"/* "$dest"
`;

interface Run {
  status: number | null;
  stderr: string;
  calls: string[];
  sleeps: string[];
  lease: string;
  /** Secret manifests as applied, concatenated. */
  secrets: string;
}

const TOKEN_PARAMETER = "/kubestead/kubestead-prod/controlplane/bootstrap-token-secret.yaml";
const tokenManifest = (tokenId: string) =>
  stringify(bootstrapTokenSecret({ tokenId, tokenSecret: "0123456789abcdef", expiration: "2027-01-31T00:00:00Z" }), { lineWidth: 0 });

function runApplier(opts: {
  failFirstApply?: boolean;
  failFile?: string;
  tamper?: boolean;
  unlisted?: boolean;
  leaseHeldSecondsAgo?: number;
  leaseCreateError?: string;
  extraObjects?: string[];
  /** Secret manifests re-read from SSM: the parameter's value (undefined: reading it fails). */
  ssm?: { value?: string };
  /** Labelled token Secrets in the cluster, by name. */
  tokens?: string[];
  /** Control-plane Nodes as "NAME KUBELET_VERSION" (default: three at kubernetes.version). */
  controlPlane?: string[];
  /** kubectl's error listing Nodes (every try fails). */
  nodesError?: string;
}): Run {
  const dir = mkdtempSync(join(tmpdir(), "kubestead-applier-"));
  try {
    const bin = join(dir, "bin");
    const store = join(dir, "store");
    mkdirSync(bin);
    mkdirSync(store);
    mkdirSync(join(dir, "secrets"));
    for (const m of stored) writeFileSync(join(store, m.file), m.content);
    writeFileSync(join(store, CHECKSUMS_FILE), renderChecksums(stored));
    writeFileSync(join(store, INVENTORY_FILE), renderInventory(stored));
    if (opts.tamper) writeFileSync(join(store, stored[1].file), `${stored[1].content}# tampered\n`);
    if (opts.unlisted) writeFileSync(join(store, "99-not-listed.yaml"), "kind: ConfigMap\n");
    // What the node fetched at boot: the token of the previous window.
    writeFileSync(join(dir, "secrets", "bootstrap-token.yaml"), tokenManifest("oldtok"));
    if (opts.ssm?.value !== undefined) writeFileSync(join(dir, "ssm-value"), opts.ssm.value);
    writeFileSync(join(dir, "tokens.txt"), (opts.tokens ?? []).map((t) => `${t}\n`).join(""));
    const nodes = opts.controlPlane ?? ["cp-a", "cp-b", "cp-c"].map((n) => `${n} v${config.kubernetes.version}`);
    writeFileSync(join(dir, "nodes.txt"), nodes.map((n) => `${n}\n`).join(""));
    // The cluster holds every stored object plus whatever the test adds.
    const inCluster = [...stored.flatMap((m) => m.objects), ...(opts.extraObjects ?? [])];
    writeFileSync(join(dir, "objects.txt"), inCluster.map((o) => `${o}\n`).join(""));
    writeFileSync(join(bin, "kubectl"), KUBECTL);
    writeFileSync(join(bin, "aws"), AWS);
    writeFileSync(join(bin, "sleep"), `#!/bin/sh\nprintf '%s\\n' "$1" >>"$CALLS.sleep"\n`);
    for (const f of ["kubectl", "aws", "sleep"]) chmodSync(join(bin, f), 0o755);
    const env = join(dir, "addons.env");
    writeFileSync(
      env,
      renderApplierEnv({
        storeUri: "s3://kubestead-prod-addons-x/addons/",
        region: "us-east-1",
        kubeconfig: "/dev/null",
        ...(opts.ssm ? { secretParameters: { "bootstrap-token.yaml": TOKEN_PARAMETER } } : {}),
      }),
    );
    const calls = join(dir, "calls");
    const renewed = new Date(Date.now() - (opts.leaseHeldSecondsAgo ?? 0) * 1000).toISOString().replace(/\.\d+Z$/, ".000000Z");
    const r = spawnSync("bash", ["-c", renderApplierScript()], {
      encoding: "utf8",
      env: {
        PATH: `${bin}:/usr/bin:/bin`,
        KUBESTEAD_ADDONS_ENV: env,
        ADDON_DIR: join(dir, "addons"),
        ADDON_SECRET_DIR: join(dir, "secrets"),
        STAGING: join(dir, "staging"),
        CALLS: calls,
        STORE: store,
        CLUSTER_OBJECTS: join(dir, "objects.txt"),
        FAIL_FIRST_APPLY: opts.failFirstApply ? "1" : "",
        FAIL_FILE: opts.failFile ?? "",
        LEASE_CREATE_ERROR: opts.leaseCreateError ?? "",
        LEASE_HELD: opts.leaseHeldSecondsAgo === undefined ? "" : "1",
        LEASE_RENEWED: renewed,
        SSM_VALUE: opts.ssm?.value === undefined ? "" : join(dir, "ssm-value"),
        TOKENS: join(dir, "tokens.txt"),
        CP_NODES: join(dir, "nodes.txt"),
        NODES_ERROR: opts.nodesError ?? "",
      },
    });
    const read = (f: string) => {
      try {
        return readFileSync(f, "utf8");
      } catch {
        return "";
      }
    };
    return {
      status: r.status,
      stderr: r.stderr,
      calls: read(calls).split("\n").filter(Boolean),
      sleeps: read(`${calls}.sleep`).split("\n").filter(Boolean),
      lease: read(`${calls}.lease`),
      secrets: read(`${calls}.secrets`),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the add-on applier against a stand-in kubectl", () => {
  const applies = (r: Run) => r.calls.filter((c) => c.startsWith("apply "));

  test("applies every stored manifest server-side, in order, under one field manager, then the node's secret manifests", () => {
    const r = runApplier({});
    expect(r.stderr).toContain("run complete");
    expect(r.status).toBe(0);
    const files = applies(r).map((c) => c.replace(/^.* -f /, "").replace(/^.*\//, ""));
    // The token Secret first: a failing add-on must not keep nodes from joining.
    expect(files).toEqual(["bootstrap-token.yaml", ...stored.map((m) => m.file)]);
    for (const c of applies(r)) expect(c).toContain(`apply --server-side --force-conflicts --field-manager=${FIELD_MANAGER} -f `);
    expect(r.stderr).toContain(`applied ${stored[0].file} sha256 ${stored[0].sha256}`);
  });

  test("waits for the apiserver, labels its own node as control plane, takes the Lease, applies, releases it", () => {
    const r = runApplier({});
    const ready = r.calls.findIndex((c) => c.includes("get --raw /readyz"));
    const label = r.calls.findIndex((c) =>
      /^label node \S+ node-role\.kubernetes\.io\/control-plane= node\.kubernetes\.io\/exclude-from-external-load-balancers= --overwrite$/.test(
        c,
      ),
    );
    const lease = r.calls.findIndex((c) => c.startsWith("create -f -"));
    expect(label).toBeGreaterThan(ready);
    expect(lease).toBeGreaterThan(label);
    const firstApply = r.calls.findIndex((c) => c.startsWith("apply "));
    const release = r.calls.findIndex((c) => c.includes(`delete lease ${LEASE_NAME}`));
    expect(ready).toBeGreaterThanOrEqual(0);
    expect(lease).toBeGreaterThan(ready);
    expect(firstApply).toBeGreaterThan(lease);
    expect(release).toBeGreaterThan(firstApply);
    expect(r.lease).toContain(`kind: Lease\nmetadata:\n  name: ${LEASE_NAME}\n  namespace: kube-system`);
  });

  test("a failed apply is retried after a backoff, and the run still completes", () => {
    const r = runApplier({ failFirstApply: true });
    expect(r.status).toBe(0);
    expect(applies(r)[0]).toBe(applies(r)[1]);
    expect(applies(r)).toHaveLength(stored.length + 2);
    expect(r.stderr).toContain("attempt 1 failed, retrying in 2 s");
    expect(r.sleeps.map(Number)[0]).toBeGreaterThanOrEqual(2);
  });

  test("prunes what carries the add-on label but no stored manifest holds, and nothing else", () => {
    const stale = [
      "apps/v1|Deployment|kube-system|retired-addon",
      "rbac.authorization.k8s.io/v1|ClusterRole||retired-role",
      "v1|ConfigMap|kube-system|retired-config",
    ];
    const r = runApplier({ extraObjects: stale });
    expect(r.status).toBe(0);
    const listing = r.calls.find((c) => c.startsWith("get ") && c.includes("-l kubestead.io/addon"));
    expect(listing?.split(" ")[1].split(",")).toEqual(PRUNE_TYPES);
    const deletes = r.calls.filter((c) => c.startsWith("delete "));
    // A cluster-scoped object (empty namespace field) is pruned too, without -n.
    // Core-group kinds get a trailing dot (kubectl reads ConfigMap.v1 as resource ConfigMap, group v1).
    expect(deletes).toEqual([
      "delete Deployment.v1.apps retired-addon -n kube-system --ignore-not-found --wait=false",
      "delete ClusterRole.v1.rbac.authorization.k8s.io retired-role --ignore-not-found --wait=false",
      "delete ConfigMap.v1. retired-config -n kube-system --ignore-not-found --wait=false",
    ]);
    expect(r.stderr).toContain("pruned 3 objects");
  });

  test("a store whose files don't match SHA256SUMS is refused: nothing applied, nothing pruned", () => {
    const r = runApplier({ tamper: true, extraObjects: ["apps/v1|Deployment|kube-system|retired-addon"] });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("does not match SHA256SUMS (the store is mid-update or tampered with): refusing to apply");
    expect(applies(r)).toEqual([]);
    expect(r.calls.filter((c) => c.startsWith("delete "))).toEqual([]);
  });

  test("one add-on failing to apply doesn't stop the others; nothing is pruned and the run fails for the timer to retry", () => {
    const r = runApplier({ failFile: stored[3].file, extraObjects: ["apps/v1|Deployment|kube-system|retired-addon"] });
    expect(r.status).toBe(1);
    expect(applies(r).map((c) => c.replace(/^.*\//, ""))).toEqual(expect.arrayContaining([stored[4].file, stored[stored.length - 1].file]));
    expect(r.stderr).toContain(`could not apply ${stored[3].file}`);
    expect(r.stderr).toContain(`run incomplete: ${stored.length - 1} manifests applied, 1 failed; nothing pruned`);
    expect(r.calls.filter((c) => c.startsWith("delete "))).toEqual([]);
  });

  test("a file in the store that SHA256SUMS doesn't list is never applied", () => {
    const r = runApplier({ unlisted: true });
    expect(r.status).toBe(0);
    expect(applies(r).some((c) => c.includes("99-not-listed.yaml"))).toBe(false);
    expect(applies(r)).toHaveLength(stored.length + 1);
  });

  test("an error creating the Lease (not 'already exists') fails the run instead of skipping it quietly", () => {
    const r = runApplier({ leaseCreateError: "Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot create the lease: Unable to connect");
    expect(applies(r)).toEqual([]);
  });

  test("another node's fresh Lease makes this run a no-op; a stale one is taken over with its resourceVersion", () => {
    const fresh = runApplier({ leaseHeldSecondsAgo: 30 });
    expect(fresh.status).toBe(0);
    expect(fresh.stderr).toContain("add-ons are being applied by other-node");
    expect(applies(fresh)).toEqual([]);
    const stale = runApplier({ leaseHeldSecondsAgo: 3600 });
    expect(stale.status).toBe(0);
    expect(stale.stderr).toContain("taking over the lease of other-node");
    expect(stale.calls).toContain("replace -f -");
    expect(stale.lease).toContain('resourceVersion: "42"');
    expect(applies(stale)).toHaveLength(stored.length + 1);
  });
});

describe("bootstrap token rotation in the applier", () => {
  const deletes = (r: Run) => r.calls.filter((c) => c.startsWith("delete secret "));

  test("re-reads the token Secret from SSM, applies it, then deletes the labelled token Secrets that are not it", () => {
    const r = runApplier({ ssm: { value: tokenManifest("newtok") }, tokens: ["bootstrap-token-oldtok", "bootstrap-token-newtok"] });
    expect(r.status).toBe(0);
    expect(r.calls).toContain(
      `aws ssm get-parameter --with-decryption --region us-east-1 --name ${TOKEN_PARAMETER} --query Parameter.Value --output text`,
    );
    // The rotated token is what reaches the cluster, not the one fetched at boot.
    expect(r.secrets).toContain("name: bootstrap-token-newtok");
    expect(r.secrets).not.toContain("oldtok");
    expect(deletes(r)).toEqual(["delete secret bootstrap-token-oldtok -n kube-system --ignore-not-found --wait=false"]);
    const secretApply = r.calls.findIndex((c) => c.startsWith("apply ") && c.endsWith("/secrets/bootstrap-token.yaml"));
    const del = r.calls.indexOf(deletes(r)[0]);
    const firstAddon = r.calls.findIndex((c) => c.startsWith("apply ") && c.endsWith(stored[0].file));
    expect(del).toBeGreaterThan(secretApply);
    expect(firstAddon).toBeGreaterThan(del);
    expect(r.stderr).toContain("deleted 1 old bootstrap token Secrets");
    // Only labelled token Secrets are ever listed.
    expect(r.calls).toContain(
      'get secrets -n kube-system -l kubestead.io/bootstrap-token=true -o jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}',
    );
  });

  test("the current token alone is left as it is", () => {
    const r = runApplier({ ssm: { value: tokenManifest("newtok") }, tokens: ["bootstrap-token-newtok"] });
    expect(r.status).toBe(0);
    expect(deletes(r)).toEqual([]);
  });

  test("when SSM can't be read, the token from boot is applied and no token Secret is deleted", () => {
    const r = runApplier({ ssm: {}, tokens: ["bootstrap-token-oldtok", "bootstrap-token-newtok"] });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`cannot read ${TOKEN_PARAMETER}`);
    expect(r.secrets).toContain("name: bootstrap-token-oldtok");
    expect(deletes(r)).toEqual([]);
    expect(r.stderr).toContain("old bootstrap token Secrets kept");
  });

  test("when the token Secret can't be applied, no token Secret is deleted and the run fails for the timer to retry", () => {
    const r = runApplier({
      ssm: { value: tokenManifest("newtok") },
      tokens: ["bootstrap-token-oldtok", "bootstrap-token-newtok"],
      failFile: "bootstrap-token.yaml",
    });
    expect(r.status).toBe(1);
    expect(deletes(r)).toEqual([]);
  });

  test("without secret parameters (an applier from before rotation) nothing is read from SSM and no token is deleted", () => {
    const r = runApplier({ tokens: ["bootstrap-token-oldtok", "bootstrap-token-x"] });
    expect(r.status).toBe(0);
    expect(r.calls.some((c) => c.startsWith("aws ssm"))).toBe(false);
    expect(deletes(r)).toEqual([]);
  });
});

describe("version-tied add-ons wait for the oldest control-plane node", () => {
  const version = config.kubernetes.version;
  const [major, minor] = version.split(".").map(Number);
  const need = `${major}.${minor}`;
  const older = `v${major}.${minor - 1}.9`;
  const tied = stored.filter((m) => m.minApiServer !== undefined);
  const untied = stored.filter((m) => m.minApiServer === undefined);
  const kubeProxy = stored.find((m) => m.addon === "kube-proxy")!;
  const stale = "apps/v1|Deployment|kube-system|retired-addon";
  const appliedFiles = (r: Run) =>
    r.calls.filter((c) => c.startsWith("apply ") && !c.includes("/secrets/")).map((c) => c.replace(/^.*\//, ""));
  const nodeListings = (r: Run) => r.calls.filter((c) => c.startsWith("get nodes "));
  const deletes = (r: Run) => r.calls.filter((c) => c.startsWith("delete "));

  test("the prod store marks kube-proxy, the cloud-controller-manager and the autoscaler, nothing else", () => {
    expect(tied.map((m) => m.addon).sort()).toEqual(["cloud-controller-manager", "cluster-autoscaler", "kube-proxy"]);
    expect(untied.length).toBeGreaterThan(0);
  });

  test("one control-plane node a minor older: the tied files are held, the rest applied, nothing pruned, the run succeeds", () => {
    const r = runApplier({ controlPlane: [`cp-a v${version}`, `cp-b ${older}`, `cp-c v${version}`], extraObjects: [stale] });
    expect(r.status).toBe(0);
    expect(appliedFiles(r)).toEqual(untied.map((m) => m.file));
    expect(r.stderr).toContain(`holding ${kubeProxy.file} for apiserver ${need}: control-plane node cp-b runs ${older}\n`);
    for (const m of tied)
      expect(r.stderr).toContain(`holding ${m.file} for apiserver ${m.minApiServer}: control-plane node cp-b runs ${older}`);
    expect(r.stderr).toContain(
      `run complete: ${untied.length} manifests applied, ${tied.length} held for the control-plane upgrade; nothing pruned`,
    );
    expect(r.stderr).not.toContain("could not apply");
    // The held files' old objects stay: prune neither lists nor deletes anything.
    expect(r.calls.some((c) => c.includes("-l kubestead.io/addon"))).toBe(false);
    expect(deletes(r)).toEqual([]);
    // Nodes are read once per run, by the control-plane label, for their kubelet versions.
    expect(nodeListings(r)).toEqual([
      'get nodes -l node-role.kubernetes.io/control-plane -o jsonpath={range .items[*]}{.metadata.name}{" "}{.status.nodeInfo.kubeletVersion}{"\\n"}{end}',
    ]);
  });

  test("every control-plane node at the minor (any patch) or newer: everything applied, then pruned", () => {
    const r = runApplier({ controlPlane: [`cp-a v${major}.${minor + 1}.0`, `cp-b v${need}.0`, `cp-c v${version}`], extraObjects: [stale] });
    expect(r.status).toBe(0);
    expect(appliedFiles(r)).toEqual(stored.map((m) => m.file));
    expect(r.stderr).not.toContain("holding");
    expect(deletes(r)).toEqual(["delete Deployment.v1.apps retired-addon -n kube-system --ignore-not-found --wait=false"]);
    expect(r.stderr).toContain(`run complete: ${stored.length} manifests applied`);
  });

  test("an older major holds too", () => {
    const r = runApplier({ controlPlane: [`cp-a v${version}`, `cp-b v${major - 1}.${minor + 5}.0`] });
    expect(r.status).toBe(0);
    expect(appliedFiles(r)).toEqual(untied.map((m) => m.file));
    expect(r.stderr).toContain(
      `holding ${kubeProxy.file} for apiserver ${need}: control-plane node cp-b runs v${major - 1}.${minor + 5}.0`,
    );
  });

  test("kubectl can't list the Nodes: after its retries the tied files are held (fail safe); the rest applied, nothing pruned", () => {
    const r = runApplier({ nodesError: "Error from server (Forbidden): nodes is forbidden", extraObjects: [stale] });
    expect(r.status).toBe(0);
    expect(nodeListings(r)).toHaveLength(5);
    expect(appliedFiles(r)).toEqual(untied.map((m) => m.file));
    expect(r.stderr).toContain(
      `holding ${kubeProxy.file} for apiserver ${need}: the oldest control-plane version is unknown (kubectl could not list the Nodes labelled node-role.kubernetes.io/control-plane)`,
    );
    expect(deletes(r)).toEqual([]);
  });

  test.each([
    [[], "no Node is labelled node-role.kubernetes.io/control-plane"],
    [["cp-a"], "control-plane node cp-a reports kubelet version ''"],
    [[`cp-a v${version}`, "cp-b devel"], "control-plane node cp-b reports kubelet version 'devel'"],
  ])("control-plane Nodes %j: the tied files are held because %s", (nodes, why) => {
    const r = runApplier({ controlPlane: nodes, extraObjects: [stale] });
    expect(r.status).toBe(0);
    expect(appliedFiles(r)).toEqual(untied.map((m) => m.file));
    expect(r.stderr).toContain(`holding ${kubeProxy.file} for apiserver ${need}: the oldest control-plane version is unknown (${why})`);
    expect(deletes(r)).toEqual([]);
  });

  test("a held file and a failed one: the run fails for the timer to retry, nothing pruned", () => {
    const r = runApplier({ controlPlane: [`cp-a ${older}`], failFile: untied[untied.length - 1].file, extraObjects: [stale] });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`run incomplete: ${untied.length - 1} manifests applied, 1 failed; nothing pruned`);
    expect(deletes(r)).toEqual([]);
  });
});

describeWithTool(["shellcheck"], "the applier script", () => {
  test("passes shellcheck", () => {
    expect(shellcheck(renderApplierScript())).toBe("");
  });
});

describe("applier files", () => {
  test("the environment names the store, region and kubeconfig, and refuses a bad store URI", () => {
    expect(renderApplierEnv({ storeUri: "s3://b-1/addons/", region: "eu-west-1", kubeconfig: "/etc/kubernetes/admin.conf" })).toBe(
      "STORE_URI=s3://b-1/addons/\nAWS_REGION=eu-west-1\nKUBECONFIG_PATH=/etc/kubernetes/admin.conf\n",
    );
    expect(() => renderApplierEnv({ storeUri: "https://b/addons", region: "eu-west-1", kubeconfig: "/x" })).toThrow(/s3:\/\/<bucket>/);
  });

  test("secret parameters are one quoted line of FILE=PARAMETER words; anything that could break the quoting is refused", () => {
    const env = renderApplierEnv({
      storeUri: "s3://b-1/addons/",
      region: "eu-west-1",
      kubeconfig: "/etc/kubernetes/admin.conf",
      secretParameters: { "bootstrap-token.yaml": "/kubestead/c/controlplane/bootstrap-token-secret.yaml" },
    });
    expect(env.split("\n")[3]).toBe('SECRET_PARAMETERS="bootstrap-token.yaml=/kubestead/c/controlplane/bootstrap-token-secret.yaml"');
    const base = { storeUri: "s3://b-1/addons/", region: "eu-west-1", kubeconfig: "/x" };
    expect(() => renderApplierEnv({ ...base, secretParameters: { "a b.yaml": "/p" } })).toThrow(/plain \*\.yaml name/);
    expect(() => renderApplierEnv({ ...base, secretParameters: { "a.yaml": '/p" x' } })).toThrow(/SSM path/);
  });

  test("a timer runs the applier at boot and every interval after a run ends", () => {
    const { timer, service } = renderApplierUnits({ intervalMinutes: 5 });
    expect(timer).toContain("OnActiveSec=10s");
    expect(timer).toContain("OnUnitInactiveSec=5min");
    expect(service).toContain("Type=oneshot");
    expect(renderApplierBootStep()).toContain("systemctl enable --now kubestead-addons.timer");
    expect(() => renderApplierUnits({ intervalMinutes: 0 })).toThrow(/≥ 1/);
  });
});
