/** Shapes shared by the CIS checks, their exceptions and their results. */
import type { Component } from "./flags";

/** Files a check may need besides the command line (encryption config, scheduler config, ...). */
export interface CisContext {
  /** Absolute node path → file content (NodeFiles and rendered secrets alike). */
  files: Record<string, string>;
}

export interface CheckOutcome {
  pass: boolean;
  /** What was found, in a sentence a reviewer can act on. */
  detail: string;
}

export interface CisCheck {
  /** Recommendation number in the CIS Kubernetes Benchmark v1.12, e.g. "1.2.15". */
  id: string;
  component: Component;
  /** Our wording of the recommendation. */
  title: string;
  /** The benchmark marks it Automated (scored) rather than Manual. */
  automated: boolean;
  check(flags: Map<string, string>, ctx: CisContext): CheckOutcome;
}

/** A recommendation we deliberately do not follow as written, with the reason the README quotes. */
export interface CisException {
  id: string;
  reason: string;
  /** Proves the compensating control is in place; a failing one turns the exception into a failure. */
  compensating?: (flags: Map<string, string>, ctx: CisContext) => CheckOutcome;
}

export type CisStatus = "pass" | "fail" | "excepted";

export interface CisResult {
  id: string;
  component: Component;
  title: string;
  status: CisStatus;
  detail: string;
  /** The exception's reason when status is "excepted". */
  reason?: string;
}
