/**
 * A stand-in `aws` CLI for node scripts under test, answering the calls etcd's scripts make the
 * way the real CLI does (exit 254 and the service's error code on stderr):
 *
 *  - `ssm get-parameter --name N`: the value of $AWS_STANDIN_DIR/ssm/N, ParameterNotFound when
 *    there is no such file, ThrottlingException while $AWS_STANDIN_DIR/ssm-down exists;
 *  - `ssm put-parameter --name N --value V [--overwrite]`: writes the file, ParameterAlreadyExists
 *    when it exists and --overwrite is absent;
 *  - anything else (`cloudwatch put-metric-data`, `s3 cp`, `autoscaling …`) succeeds, and fails
 *    while $AWS_STANDIN_DIR/<service>-down exists.
 *
 * Every call is appended to $AWS_STANDIN_DIR/calls, one line each.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

// Plain strings joined, not a template: the bash needs `${`.
export const STANDIN_AWS = [
  "#!/usr/bin/env bash",
  'd="$AWS_STANDIN_DIR"',
  'printf \'aws %s\\n\' "$*" >>"$d/calls"',
  'service=$1 op=$2 name="" value="" overwrite=""',
  "shift 2",
  "while [ $# -gt 0 ]; do",
  '  case "$1" in',
  "    --name) name=$2; shift 2 ;;",
  "    --value) value=$2; shift 2 ;;",
  "    --overwrite) overwrite=1; shift ;;",
  "    *) shift ;;",
  "  esac",
  "done",
  'if [ -e "$d/$service-down" ]; then echo "An error occurred (ThrottlingException) when calling the $op operation: Rate exceeded" >&2; exit 254; fi',
  'if [ "$service" != ssm ]; then exit 0; fi',
  'file="$d/ssm$name"',
  'case "$op" in',
  "  get-parameter)",
  '    if [ ! -f "$file" ]; then echo "An error occurred (ParameterNotFound) when calling the GetParameter operation: " >&2; exit 254; fi',
  '    cat "$file"; echo ;;',
  "  put-parameter)",
  '    if [ -f "$file" ] && [ -z "$overwrite" ]; then',
  '      echo "An error occurred (ParameterAlreadyExists) when calling the PutParameter operation: The parameter already exists. To overwrite this value, set the overwrite option in the request to true." >&2',
  "      exit 254",
  "    fi",
  '    mkdir -p "$(dirname "$file")"',
  '    printf \'%s\' "$value" >"$file"',
  '    echo \'{"Version": 1, "Tier": "Standard"}\' ;;',
  '  *) echo "stand-in aws: ssm $op is not modelled" >&2; exit 2 ;;',
  "esac",
  "",
].join("\n");

/** Writes the stand-in as `aws` into `binDir` (put it first on PATH) and creates `dir`. */
export function installStandInAws(binDir: string, dir: string): void {
  mkdirSync(binDir, { recursive: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(binDir, "aws"), STANDIN_AWS);
  chmodSync(join(binDir, "aws"), 0o755);
}

export function ssmValue(dir: string, name: string): string | undefined {
  const file = join(dir, `ssm${name}`);
  return existsSync(file) ? readFileSync(file, "utf8") : undefined;
}

export function setSsmValue(dir: string, name: string, value: string): void {
  const file = join(dir, `ssm${name}`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, value);
}

/** The calls made so far, one per line. */
export function awsCalls(dir: string): string[] {
  const file = join(dir, "calls");
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}
