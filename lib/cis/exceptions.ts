/**
 * CIS Kubernetes Benchmark v1.12 recommendations kubestead's control plane deliberately does not
 * follow as written. The README quotes these reasons; evaluateControlPlane reports each as
 * "excepted" only while its compensating control (if any) holds.
 */
import { parse } from "yaml";
import type { CheckOutcome, CisContext, CisException } from "./types";

/** Health endpoints unauthenticated clients (kubelet probes, the NLB) must reach. */
export const HEALTH_PATHS = ["/healthz", "/livez", "/readyz"];

/**
 * Anonymous requests are limited to HEALTH_PATHS by the AuthenticationConfiguration, and
 * --anonymous-auth is not set (it may not be combined with that config).
 */
export function anonymousLimitedToHealth(flags: Map<string, string>, ctx: CisContext): CheckOutcome {
  if (flags.get("anonymous-auth") === "true")
    return { pass: false, detail: "--anonymous-auth=true enables anonymous access on every path" };
  const path = flags.get("authentication-config");
  if (!path) return { pass: false, detail: "--authentication-config is not set, so anonymous access (default on) covers every path" };
  const text = ctx.files[path];
  if (text === undefined) return { pass: false, detail: `${path} was not provided to the check` };
  const doc = parse(text) as { anonymous?: { enabled?: boolean; conditions?: { path?: string }[] } };
  const anon = doc?.anonymous;
  if (!anon)
    return { pass: false, detail: `${path} has no anonymous section: anonymous access falls back to the flag default (on, every path)` };
  if (anon.enabled === false) return { pass: true, detail: "anonymous authentication disabled in the authentication config" };
  const paths = (anon.conditions ?? []).map((c) => c.path ?? "");
  if (paths.length === 0) return { pass: false, detail: "anonymous enabled with no conditions: every path is open to system:anonymous" };
  const extra = paths.filter((p) => !HEALTH_PATHS.includes(p));
  return extra.length === 0
    ? { pass: true, detail: `anonymous limited to ${paths.join(", ")}` }
    : { pass: false, detail: `anonymous also allowed on ${extra.join(", ")}` };
}

export const CIS_EXCEPTIONS: CisException[] = [
  {
    id: "1.2.1",
    reason:
      "--anonymous-auth is not set to false. The kubelet's liveness/readiness/startup probes and the NLB health check " +
      "cannot authenticate, so turning anonymous off entirely makes the kubelet restart healthy apiservers. Instead, " +
      "an AuthenticationConfiguration (--authentication-config) enables the anonymous authenticator only for " +
      "/healthz, /livez and /readyz (KEP-4633, beta in 1.32, GA in 1.34): every other unauthenticated request gets 401 " +
      "before authorization, even if RBAC mistakenly grants system:anonymous something. The flag cannot be combined " +
      "with that config (the apiserver refuses to start), so the v1.12 audit, which looks for the flag, reports it.",
    compensating: anonymousLimitedToHealth,
  },
];

/**
 * Not an exception: 1.2.11 (AlwaysPullImages) is on by default and passes. A stack that sets
 * kubestead:controlPlane.alwaysPullImages=false fails 1.2.11 on purpose, so the trade it made (new
 * containers keep starting from cached images during a registry or NAT outage, at the cost of any
 * pod on a node being able to run a private image another namespace pulled there) stays visible in
 * every CIS report rather than being excused here.
 */
export const ALWAYS_PULL_IMAGES_CHECK = "1.2.11";
