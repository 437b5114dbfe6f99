/**
 * admin-credential-revocable on small hand-built graphs: which certificate requests may ask for
 * system:masters, where the break-glass key may flow, and where in a resource's properties an
 * exported system:masters kubeconfig is found. The whole-plan cases are accessPolicies.test.ts's.
 */
import { parse, stringify } from "yaml";
import { renderKubeconfig } from "../../bootstrap/kubeconfig";
import { ADMIN_T, BREAK_GLASS_CN, adminCredentialProblems, kubeconfigClientGroups } from "../../policy/rules/adminCredentials";
import { T, makeGraph } from "../../policy/rules/graph";
import { TlsEmulator } from "../../tools/offline/tls";
import { graphResource } from "../helpers/graphResource";
import { NOW, UNKNOWN } from "../helpers/fixtureValues";

const res = (type: string, name: string, props: Record<string, unknown> = {}, deps: Record<string, string[]> = {}) =>
  graphResource(`urn:pulumi:prod::kubestead::${type}::${name}`, type, props, deps, name);

const csrMessage = (name: string, cn: string) =>
  `certificate request ${name} (CN ${JSON.stringify(cn)}) puts its certificate in system:masters, which RBAC cannot revoke; only the break-glass kubernetes-super-admin may: give it the group kubeadm:cluster-admins (bound to cluster-admin by the cluster-admins add-on) or a narrower binding.`;
const flowMessage = (type: string, name: string) =>
  `the break-glass system:masters key of kc-super-admin-csr flows into ${type} ${name}; it may live only in SSM parameters under /kubestead/<cluster>/controlplane/ (and on control-plane disks), never in anything exported.`;
const exportMessage = (name: string, path: string) =>
  `${name} ${path} holds a kubeconfig whose client certificate (CN kubernetes-admin) is in system:masters: whoever reads it is cluster-admin until the CA is replaced; export a kubeadm:cluster-admins credential instead.`;

describe("certificate requests in system:masters", () => {
  test.each<[string, string | null, unknown]>([
    ["a single organization", "kubernetes-admin", { commonName: "kubernetes-admin", organization: "system:masters" }],
    ["one of a list", "kubernetes-admin", { commonName: "kubernetes-admin", organization: ["ops", "system:masters"] }],
    ["no common name", "", { organization: ["system:masters"] }],
    ["another group", null, { commonName: "kubernetes-admin", organization: ["kubeadm:cluster-admins"] }],
    ["a group that only contains the name", null, { commonName: "kubernetes-admin", organization: "system:masters-audit" }],
    ["no organization", null, { commonName: "kubernetes-admin" }],
    ["no subject", null, undefined],
    ["an organization unknown in preview", null, { commonName: "kubernetes-admin", organization: UNKNOWN }],
    ["a common name unknown in preview", null, { commonName: UNKNOWN, organization: "system:masters" }],
    ["the break-glass identity", null, { commonName: BREAK_GLASS_CN, organization: "system:masters" }],
  ])("%s: the CN reported is %p (null: not reported)", (_, cn, subject) => {
    const csr = res(ADMIN_T.certRequest, "kc-admin-csr", subject === undefined ? {} : { subject });
    expect(adminCredentialProblems(makeGraph([csr]))).toEqual(
      cn === null ? [] : [{ urn: csr.urn, message: csrMessage("kc-admin-csr", cn) }],
    );
  });

  test("only certificate requests are read: a self-signed certificate with the same subject is not reported", () => {
    const subject = { commonName: "kubernetes-admin", organization: "system:masters" };
    const cert = res(T.selfSignedCert, "kc-admin-cert", { subject });
    const csr = res(ADMIN_T.certRequest, "kc-admin-csr", { subject });
    expect(adminCredentialProblems(makeGraph([cert, csr]))).toEqual([
      { urn: csr.urn, message: csrMessage("kc-admin-csr", "kubernetes-admin") },
    ]);
  });
});

describe("where the break-glass key may flow", () => {
  const key = res(ADMIN_T.privateKey, "kc-super-admin-key", { algorithm: "ECDSA" });
  const csr = res(
    ADMIN_T.certRequest,
    "kc-super-admin-csr",
    { subject: { commonName: BREAK_GLASS_CN, organization: "system:masters" } },
    { privateKeyPem: [key.urn] },
  );
  const BUCKET_OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2";

  test.each<[string, boolean, string, unknown]>([
    ["an SSM parameter under the control-plane path", false, ADMIN_T.parameter, "/kubestead/kc/controlplane/super-admin.key"],
    ["an SSM parameter whose name is unknown in preview", false, ADMIN_T.parameter, UNKNOWN],
    ["an SSM parameter under the workers' path", true, ADMIN_T.parameter, "/kubestead/kc/workers/super-admin.key"],
    [
      "an SSM parameter with the control-plane path further down",
      true,
      ADMIN_T.parameter,
      "/backup/kubestead/kc/controlplane/super-admin.key",
    ],
    ["an SSM parameter with no cluster in the path", true, ADMIN_T.parameter, "/kubestead//controlplane/super-admin.key"],
    ["an SSM parameter without a name", true, ADMIN_T.parameter, undefined],
    ["another resource named like the control-plane path", true, BUCKET_OBJECT, "/kubestead/kc/controlplane/super-admin.key"],
  ])("into %s: reported %p", (_, reported, type, name) => {
    const consumer = res(type, "kc-consumer", name === undefined ? {} : { name }, { value: [key.urn] });
    expect(adminCredentialProblems(makeGraph([key, csr, consumer]))).toEqual(
      reported ? [{ urn: consumer.urn, message: flowMessage(type, "kc-consumer") }] : [],
    );
  });

  test("a break-glass request whose key came from no resource is not followed", () => {
    const bare = res(ADMIN_T.certRequest, "kc-super-admin-csr", csr.props);
    const other = res(BUCKET_OBJECT, "kc-object", {}, { content: [key.urn] });
    expect(adminCredentialProblems(makeGraph([key, bare, other]))).toEqual([]);
  });
});

describe("exported kubeconfigs", () => {
  const tls = new TlsEmulator(() => NOW);
  let masters = "";
  let admins = "";
  let noCn = "";

  async function certFor(subject: Record<string, string>): Promise<{ certPem: string; keyPem: string }> {
    const key = (await tls.newResource(ADMIN_T.privateKey, "k", { algorithm: "ECDSA", ecdsaCurve: "P256" })).state;
    const cert = (
      await tls.newResource(T.selfSignedCert, "c", {
        privateKeyPem: key.privateKeyPem,
        subject,
        validityPeriodHours: 24,
        allowedUses: ["client_auth"],
      })
    ).state;
    return { certPem: String(cert.certPem), keyPem: String(key.privateKeyPem) };
  }
  const kubeconfigOf = (user: string, c: { certPem: string; keyPem: string }) =>
    renderKubeconfig({
      cluster: "kc",
      server: "https://kc-api.elb.amazonaws.com:6443",
      caCertPem: c.certPem,
      user,
      clientCertPem: c.certPem,
      clientKeyPem: c.keyPem,
    });

  beforeAll(async () => {
    masters = kubeconfigOf("kubernetes-admin", await certFor({ commonName: "kubernetes-admin", organization: "system:masters" }));
    admins = kubeconfigOf("kubestead-admin", await certFor({ commonName: "kubestead-admin", organization: "kubeadm:cluster-admins" }));
    noCn = Buffer.from((await certFor({ organization: "system:masters" })).certPem).toString("base64");
  });

  test.each<[string, () => Record<string, unknown>, string]>([
    ["a top-level property", () => ({ adminKubeconfig: masters }), "adminKubeconfig"],
    ["a nested property", () => ({ outputs: { adminKubeconfig: masters } }), "outputs.adminKubeconfig"],
    ["a list entry", () => ({ kubeconfigs: [admins, masters] }), "kubeconfigs[1]"],
    ["an object in a list", () => ({ users: [{ name: "a", config: masters }] }), "users[0].config"],
  ])("one in %s is reported with its path", (_, props, path) => {
    const r = res("pulumi:pulumi:Stack", "kubestead-prod", props());
    expect(adminCredentialProblems(makeGraph([r]))).toEqual([{ urn: r.urn, message: exportMessage("kubestead-prod", path) }]);
  });

  // YAML's double-quoted and JSON's strings spell a key with escapes; the pre-filter must not skip them.
  test.each<[string, (text: string) => string]>([
    ["a YAML \\x escape", (text) => text.replace("client-certificate-data:", '"client\\x2dcertificate-data":')],
    ["a JSON \\u escape", (text) => JSON.stringify(parse(text)).replace("client-certificate-data", "client\\u002dcertificate-data")],
  ])("one whose key is spelt with %s is reported", (_, spell) => {
    const text = spell(masters);
    expect(text).not.toContain("client-certificate-data");
    const r = res("pulumi:pulumi:Stack", "kubestead-prod", { adminKubeconfig: text });
    expect(adminCredentialProblems(makeGraph([r]))).toEqual([{ urn: r.urn, message: exportMessage("kubestead-prod", "adminKubeconfig") }]);
  });

  test("one in kubeadm:cluster-admins, or other strings, are not reported", () => {
    const r = res("pulumi:pulumi:Stack", "kubestead-prod", { adminKubeconfig: admins, note: "users: []", n: 3, none: null });
    expect(adminCredentialProblems(makeGraph([r]))).toEqual([]);
  });

  test("a certificate without a common name, of a user without a name, reads as empty strings", () => {
    const text = stringify({ users: [{ user: { "client-certificate-data": noCn } }] });
    expect(kubeconfigClientGroups(text)).toEqual([{ user: "", cn: "", groups: ["system:masters"] }]);
  });

  test.each([
    ["YAML that does not parse", "client-certificate-data: [unclosed"],
    ["data that is not a string", stringify({ users: [{ name: "a", user: { "client-certificate-data": 42 } }] })],
    ["data that is not a certificate", stringify({ users: [{ name: "a", user: { "client-certificate-data": "bm90IGEgY2VydA==" } }] })],
    ["no users", stringify({ clusters: [] })],
  ])("%s gives no users", (_, text) => {
    expect(kubeconfigClientGroups(text)).toEqual([]);
  });
});
