/** Names and patterns shared by the config sections. */
import type { TaintEffect } from "./types";

export const NAMESPACE = "kubestead";

export const SEMVER = /^\d+\.\d+\.\d+$/;
export const TAINT_EFFECTS: readonly TaintEffect[] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
