/** Runs tools/bench/child.ts in a fresh node process (with tsx's loader) and reads its one JSON line. */
import { spawn } from "node:child_process";
import * as path from "node:path";
import type { Sample } from "./stats";

const ROOT = path.resolve(__dirname, "../..");
const CHILD = path.join(__dirname, "child.ts");

export class ChildFailed extends Error {
  constructor(
    readonly argv: string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`bench child \`${argv.join(" ")}\` failed (exit ${code})`);
  }
}

/** Parses the child's stdout: the last line must be a Sample. */
export function parseSample(stdout: string): Sample | undefined {
  const last = stdout.trim().split("\n").pop() ?? "";
  try {
    const s = JSON.parse(last) as Partial<Sample>;
    if (typeof s.ms === "number" && typeof s.cpuMs === "number" && typeof s.maxRssKiB === "number" && typeof s.resources === "number") {
      return s as Sample;
    }
  } catch {
    /* not JSON: reported by the caller */
  }
  return undefined;
}

export function runChild(args: string[]): Promise<Sample> {
  // `node --import tsx` (not the tsx CLI) so the measured process is node itself, with no tsx
  // parent process in between; the cwd lets `--import tsx` resolve from the project.
  const argv = [process.execPath, "--import", "tsx", CHILD, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const sample = code === 0 ? parseSample(out) : undefined;
      if (sample) resolve(sample);
      else reject(new ChildFailed(argv.slice(2), code, err || `no result line on stdout:\n${out}`));
    });
  });
}
