/**
 * The jest run Stryker uses (`npm run mutate`): the unit tests of the mutated files only, so one
 * mutant runs in seconds. Left out: tests that plan the whole program under mocks (test/components,
 * test/tools and the planned-stack cases below), real-kernel and real-tool tests (test/integration,
 * etcd network and scripts, the add-on applier), and the workflow checks: none of them is what
 * kills a mutant in a pure rule, and each costs seconds per mutant it covers.
 */
const base = require("./jest.config.js");

module.exports = {
  ...base,
  // Stryker asks jest for the tests related to the mutated files (findRelatedTests), and jest
  // follows imports only through files under its roots: with test/ alone, a test that reaches a
  // rule through policy/policies.ts would not count as related and its mutants would "survive"
  // with no test run. The production folders are roots too (no tests live there).
  roots: ["<rootDir>/test", "<rootDir>/policy", "<rootDir>/lib", "<rootDir>/bootstrap", "<rootDir>/components", "<rootDir>/tools"],
  testPathIgnorePatterns: [
    "/node_modules/",
    "<rootDir>/test/components/",
    "<rootDir>/test/integration/",
    "<rootDir>/test/tools/",
    "<rootDir>/test/workflows/",
    "<rootDir>/test/bootstrap/addons/",
    "<rootDir>/test/bootstrap/etcd",
    // Real openssl and etcd, about 30 s a run; the renewal window it depends on is a policy rule
    // with its own unit tests (test/policy/certRefresh.test.ts).
    "<rootDir>/test/bootstrap/certRefresh\\.",
    // Plan the whole program; the unit tests beside them cover the same code directly.
    "<rootDir>/test/lib/iamEval/matrix\\.",
    "<rootDir>/test/policy/bootPrerequisites\\.(dev|prod)\\.",
    // Every policy case through the whole pack (no knock-on findings): it would run for every
    // mutant of every rule; policies.test.ts runs the same cases against their own policy.
    "<rootDir>/test/policy/policyCasesAlone\\.",
    // The runner's and the pack's own mechanics (levels, config, proxies, the PolicyPack wiring),
    // each test with all 30 policies: not what decides a rule's mutants, and costly for each.
    "<rootDir>/test/policy/(runner|pack)\\.test",
  ],
  // Stryker runs one test runner (concurrency 1 in stryker.config.json); jest in band inside it.
  maxWorkers: 1,
};
