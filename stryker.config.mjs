// Mutation testing (`npm run mutate`; README "Mutation testing"). Every run is incremental against
// the checked-in reports/stryker-incremental.json: only mutants in changed code, or covered by
// changed tests, run again (`npm run mutate -- --force` runs all of them). Survivors that no test
// can kill are listed, each with its reason, in test/mutation/equivalent-mutants.md.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "jest",
  // The unit tests of the mutated files only: see jest.mutate.config.js.
  jest: { projectType: "custom", configFile: "jest.mutate.config.js", enableFindRelatedTests: true },
  coverageAnalysis: "perTest",
  // Mutants that do not type-check are discarded before any test runs. The checker compiles the
  // mutated files and what they import (tsconfig.mutate.json), not the whole project: the provider
  // SDKs' types the components and tests load would make each check several times slower.
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.mutate.json",
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  // 2 shared cores: one test runner next to the checker.
  concurrency: 1,
  timeoutMS: 10000,
  thresholds: { high: 95, low: 90, break: 90 },
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  ignorePatterns: [".kubestead", "coverage", "bin", "reports/mutation"],
  mutate: [
    "policy/rules/**/*.ts",
    "lib/capacity.ts",
    "lib/iam.ts",
    "lib/iamNames.ts",
    "lib/securityRules.ts",
    "lib/cidr.ts",
    "lib/cis/*.ts",
    // The renderers that carry the CIS-relevant flags.
    "bootstrap/controlPlane/apiserver.ts",
    "bootstrap/controlPlane/controllerManager.ts",
    "bootstrap/controlPlane/scheduler.ts",
    "bootstrap/node/kubelet.ts",
    "lib/config/**/*.ts",
  ],
};
