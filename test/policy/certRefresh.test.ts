/** cert-refresh-window: the pure rule at its threshold, then on small graphs. */
import { CERT_REFRESH_TAG } from "../../bootstrap/certRefresh";
import {
  CERT_REFRESH_RUNS,
  certRefreshWindowProblem,
  certRefreshWindowProblems,
  refreshHours,
  refreshedCertificates,
} from "../../policy/rules/certRefresh";
import { T, makeGraph } from "../../policy/rules/graph";
import { UNKNOWN_VALUE } from "../../lib/plan/types";
import { graphResource } from "../helpers/graphResource";

const res = (urn: string, type: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}) =>
  graphResource(urn, type, props, deps);

describe("certRefreshWindowProblem", () => {
  test.each([
    [28, 7, false],
    [27, 7, true],
    [720, 7, false],
    [0, 7, true],
    [24, 6, false],
    [23, 6, true],
  ])("earlyRenewalHours %i with a %i-hour refresh: problem %s", (early, hours, problem) => {
    expect(CERT_REFRESH_RUNS * 7).toBe(28);
    const m = certRefreshWindowProblem({ name: "etcd-0-server-cert", earlyRenewalHours: early }, hours);
    expect(m !== undefined).toBe(problem);
    if (m) {
      expect(m).toContain(`renewed ${early} hours before it expires`);
      expect(m).toContain(`renew at least ${CERT_REFRESH_RUNS * hours} hours`);
      expect(m).toContain("kubestead:pki.earlyRenewalHours");
    }
  });

  test("an unknown earlyRenewalHours (preview) is skipped", () => {
    expect(certRefreshWindowProblem({ name: "x", earlyRenewalHours: UNKNOWN_VALUE }, 7)).toBeUndefined();
  });
});

describe("certRefreshWindowProblems on a graph", () => {
  const lt = (hours?: string) => res("lt", T.launchTemplate, { tags: hours === undefined ? {} : { [CERT_REFRESH_TAG]: hours } });
  const cert = (urn: string, early: number) => res(urn, T.locallySignedCert, { earlyRenewalHours: early, certPem: "PEM" });
  const param = (urn: string, from: string) => res(urn, "aws:ssm/parameter:Parameter", { type: "String" }, { value: [from] });

  test("a certificate written to SSM and renewed too late for the timer is reported at the certificate", () => {
    const g = makeGraph([lt("7"), cert("c1", 20), param("p1", "c1")]);
    const found = certRefreshWindowProblems(g);
    expect(found).toHaveLength(1);
    expect(found[0].urn).toBe("c1");
  });

  test("a SecureString merely rendered beside a certificate does not make it refreshed", () => {
    const secure = { ...param("p1", "c1"), props: { type: "SecureString" } };
    expect(certRefreshWindowProblems(makeGraph([lt("7"), cert("c1", 20), secure]))).toEqual([]);
  });

  test("a certificate no node refreshes (no SSM parameter, e.g. the exported admin kubeconfig's) is left alone", () => {
    expect(certRefreshWindowProblems(makeGraph([lt("7"), cert("c1", 20)]))).toEqual([]);
  });

  test("the longest delay of all launch templates counts; no tagged template, no rule", () => {
    const g = makeGraph([lt("7"), { ...lt("9"), urn: "lt2" }, cert("c1", 30), param("p1", "c1")]);
    expect(refreshHours(g)).toBe(9);
    expect(certRefreshWindowProblems(g)).toHaveLength(1);
    const untagged = makeGraph([lt(), cert("c1", 1), param("p1", "c1")]);
    expect(refreshHours(untagged)).toBeUndefined();
    expect(certRefreshWindowProblems(untagged)).toEqual([]);
  });

  test("only positive, finite delays on launch templates count: not unknown, zero, negative, text or infinity, nor the tag elsewhere", () => {
    const tagged = (urn: string, hours: string, type: string = T.launchTemplate) => ({ ...lt(hours), urn, type });
    const bad = [
      tagged("u", UNKNOWN_VALUE),
      tagged("z", "0"),
      tagged("n", "-3"),
      tagged("t", "abc"),
      tagged("e", ""),
      tagged("i", "Infinity"),
    ];
    expect(refreshHours(makeGraph([lt("7"), ...bad, tagged("asg", "50", T.asg)]))).toBe(7);
    for (const b of bad) expect({ tag: b.urn, hours: refreshHours(makeGraph([b])) }).toEqual({ tag: b.urn, hours: undefined });
  });

  test("a certificate counts only when a String parameter's value depends on it", () => {
    const key = res("key1", "tls:index/privateKey:PrivateKey", { algorithm: "ECDSA" });
    // A parameter holding the certificate and, through its value, also depending on a key.
    const both = param("p1", "c1");
    both.propertyDependencies.value.push("key1");
    expect(certRefreshWindowProblems(makeGraph([lt("7"), cert("c1", 20), key, both])).map((f) => f.urn)).toEqual(["c1"]);
    // The key (and a self-signed CA the parameter also depends on) is a source but not a certificate nodes refresh.
    const ca = res("ca", "tls:index/selfSignedCert:SelfSignedCert", { earlyRenewalHours: 0 });
    both.propertyDependencies.value.push("ca");
    expect(refreshedCertificates(makeGraph([cert("c1", 20), key, ca, both, cert("c2", 20)])).map((r) => r.urn)).toEqual(["c1"]);
    // Another resource type depending on the certificate through a `value` is not a parameter nodes read.
    const object = res("obj", "aws:s3/bucketObjectv2:BucketObjectv2", { type: "String" }, { value: ["c1"] });
    expect(certRefreshWindowProblems(makeGraph([lt("7"), cert("c1", 20), object]))).toEqual([]);
    // A String parameter with no dependencies names no certificate.
    const plain = res("p2", "aws:ssm/parameter:Parameter", { type: "String" });
    expect(certRefreshWindowProblems(makeGraph([lt("7"), cert("c1", 20), plain]))).toEqual([]);
  });
});
