/** The boot-prerequisites rule on small hand-built graphs: what the boot reads, what counts as a prerequisite. */
import { stringify } from "yaml";
import { SECRETS_MANIFEST_PATH } from "../../bootstrap/types";
import { BOOT_T, bootParameters, bootPrerequisiteProblems, prerequisitesOf } from "../../policy/rules/bootPrerequisites";
import { GraphResource, T, makeGraph } from "../../policy/rules/graph";
import { UNKNOWN, asgTags, bootUserData, tags } from "../helpers/policyFixtures";

const res = (
  urn: string,
  type: string,
  props: Record<string, unknown>,
  dependencies: string[] = [],
  propertyDependencies: Record<string, string[]> = {},
): GraphResource => ({ urn, type, name: urn, props, protect: false, dependencies, propertyDependencies });

const b64 = (text: string) => Buffer.from(text).toString("base64");
const cloudConfig = (doc: unknown) => `#cloud-config\n${stringify(doc)}`;
const manifest = (content: unknown) => ({
  write_files: [
    { path: "/etc/other", content: "x" },
    { path: SECRETS_MANIFEST_PATH, content },
  ],
});
const later = "so an instance can boot before it exists: add it to the group's dependsOn.";

describe("bootParameters on hand-written user data", () => {
  test.each([
    ["a cloud-config without write_files", b64("#cloud-config\nruncmd: [true]\n")],
    [
      "a cloud-config without the secrets manifest",
      b64(cloudConfig({ write_files: [{ path: "/etc/other", content: "/p/a\t/x\t0600\n" }] })),
    ],
    ["a manifest that is not a cloud-config", b64(stringify(manifest("/p/a\t/x\t0600\n")))],
    ["a shell script that is no YAML", b64("#!/bin/sh\na: b: c\n")],
    ["empty user data", ""],
  ])("%s reads nothing", (_what, userData) => {
    expect(bootParameters(userData)).toStrictEqual({ parameters: [], unknown: false });
  });

  test("names are the manifest's first column, trimmed, without blank lines or repeats", () => {
    const content = " /p/a \t/etc/x/0\t0600\r\n   \n/p/b\t/etc/x/1\t0600\n/p/a\t/etc/x/2\t0600\n";
    expect(bootParameters(b64(cloudConfig(manifest(content))))).toStrictEqual({ parameters: ["/p/a", "/p/b"], unknown: false });
  });

  test.each([
    [
      "a cloud-config that does not parse",
      b64("#cloud-config\na: b: c\n"),
      "Nested mappings are not allowed in compact mappings at line 2, column 4:\n\na: b: c\n   ^\n",
    ],
    [
      "a manifest without content",
      b64(cloudConfig({ write_files: [{ path: SECRETS_MANIFEST_PATH }] })),
      `${SECRETS_MANIFEST_PATH} has no plain-text content`,
    ],
    ["a manifest whose content is no string", b64(cloudConfig(manifest(42))), `${SECRETS_MANIFEST_PATH} has no plain-text content`],
  ])("%s is an error", (_what, userData, error) => {
    expect(bootParameters(userData)).toStrictEqual({ parameters: [], unknown: false, error });
  });
});

describe("prerequisitesOf", () => {
  test("dependencies and parents outside the graph are prerequisites, and nothing more", () => {
    const g = makeGraph([res("asg", T.asg, {}, ["lt", "gone"]), res("lt", T.launchTemplate, {}, [], { iamInstanceProfile: ["profile"] })]);
    const parents = new Map([
      ["asg", "pool"],
      ["lt", "asg"],
    ]);
    expect(prerequisitesOf(g, g.byUrn.get("asg")!, parents)).toEqual(new Set(["lt", "gone", "pool", "profile"]));
  });
});

describe("bootPrerequisiteProblems on small graphs", () => {
  const lt = (props: Record<string, unknown>) => res("lt", T.launchTemplate, props);
  const asg = (dependencies: string[], role = "controlplane") => res("asg", T.asg, { tags: asgTags(tags(role)) }, dependencies);
  const problems = (...rs: GraphResource[]) => bootPrerequisiteProblems(makeGraph(rs));
  const messages = (...rs: GraphResource[]) => problems(...rs).map((f) => f.message);

  test("a launch template whose user data cannot be read is reported at the group, with the error", () => {
    expect(problems(lt({ userData: b64("#cloud-config\na: b: c\n") }), asg(["lt"]))).toEqual([
      {
        urn: "asg",
        message:
          "auto scaling group asg: the user data of launch template lt cannot be read (Nested mappings are not allowed in compact mappings at line 2, column 4:\n\na: b: c\n   ^\n), so the SSM parameters its boot fetches are unknown to the policy; render it with bootstrap/cloudInit.ts.",
      },
    ]);
  });

  test("only SSM parameters create what the boot reads, not other resources of that name", () => {
    const secret = res("secret", "aws:secretsmanager/secret:Secret", { name: "/p/a" });
    const missing =
      "auto scaling group asg boots nodes that read SSM parameter /p/a (secrets manifest of launch template lt), but no resource in the stack creates it: create it in this stack (components/nodeCommon.ts secureParameter) or drop it from the manifest.";
    expect(messages(lt({ userData: bootUserData(["/p/a"]) }), secret, asg(["lt", "secret"]))).toEqual([missing]);
    const param = res("param", BOOT_T.parameter, { name: "/p/a" });
    expect(messages(lt({ userData: bootUserData(["/p/a"]) }), secret, param, asg(["lt"]))).toEqual([
      `auto scaling group asg does not depend on SSM parameter /p/a (param), which its boot reads, ${later}`,
    ]);
  });

  describe("the instance profile and its role", () => {
    const profile = (role: string) => res("profile", BOOT_T.instanceProfile, { arn: "arn:p", name: "p-name", id: "p-id", role });
    const role = (props: Record<string, unknown> = { name: "r-name", id: "r-id", arn: "arn:r" }) => res("role", BOOT_T.role, props);

    test.each([
      ["the profile's ARN", { arn: "arn:p" }, "the role's name", "r-name"],
      ["the profile's name", { name: "p-name" }, "the role's ID", "r-id"],
      ["the profile's ID", { name: "p-id" }, "the role's ARN", "arn:r"],
    ])("a launch template naming %s, whose profile names %s, needs both", (_p, ref, _r, roleRef) => {
      expect(messages(lt({ iamInstanceProfile: ref }), profile(roleRef), role(), asg(["lt"]))).toEqual([
        `auto scaling group asg does not depend on instance profile profile of launch template lt, ${later}`,
        `auto scaling group asg does not depend on IAM role role of its instance profile, ${later}`,
      ]);
    });

    test.each([
      ["names the role", { name: "r-name" }, { role: "r-name" }, {}, true],
      ["depends on the role through its unknown role", { name: "r-name" }, { role: UNKNOWN }, { role: ["role"] }, true],
      ["has no role, on a role without ID or ARN", { name: "r-name" }, {}, {}, false],
      ["has an empty role, on a role with an empty ID", { name: "r-name", id: "" }, { role: "" }, {}, false],
      [
        "has an unknown role, on a role with an unknown name, and no property dependency",
        { name: UNKNOWN, id: "r-name" },
        { role: UNKNOWN },
        {},
        false,
      ],
    ])("a role policy that %s is on it: %s", (_what, roleProps, policyProps, propertyDependencies, on) => {
      const policy = res("pol", BOOT_T.rolePolicy, policyProps, [], propertyDependencies);
      const found = messages(
        lt({ iamInstanceProfile: { name: "p-name" } }),
        profile("r-name"),
        role(roleProps),
        policy,
        asg(["lt", "profile", "role"]),
      );
      expect(found).toEqual(on ? [`auto scaling group asg does not depend on role policy pol on IAM role role, ${later}`] : []);
    });
  });

  test.each([
    [
      "an api. DNS record is",
      res("rec", BOOT_T.record, { name: "api.kc.internal" }),
      ["the API endpoint's DNS record api.kc.internal (rec)"],
    ],
    ["a DNS record without a name is not", res("rec", BOOT_T.record, {}), []],
    ["a zone named api. is not", res("zone", "aws:route53/zone:Zone", { name: "api.kc.internal" }), []],
  ])("for a worker group, %s the API endpoint", (_what, r, needed) => {
    expect(messages(r, asg([], "worker"))).toEqual(
      needed.map((what) => `auto scaling group asg does not depend on ${what}, through which its nodes join, ${later}`),
    );
  });
});
