/** Errors the commands report as a readable message with exit code 2 (never a stack trace). */
import { StackFileError } from "./offline/stackFile";

export function isConfigError(e: unknown): e is Error {
  const err = e as Error;
  return (
    e instanceof StackFileError ||
    err?.name === "ConfigError" ||
    (typeof err?.message === "string" && err.message.startsWith("invalid configuration for stack"))
  );
}
