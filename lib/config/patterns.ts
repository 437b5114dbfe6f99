/** Names and patterns shared by the config sections. */
import type { TaintEffect } from "./types";

export const NAMESPACE = "kubestead";

export const DNS_LABEL = /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/;
export const SEMVER = /^\d+\.\d+\.\d+$/;
export const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
export const TAINT_EFFECTS: readonly TaintEffect[] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

export const INSTANCE_TYPE = {
  re: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/,
  rule: "must be an EC2 instance type like m7i.large",
  fix: "use an instance type name such as m7i.large",
};
