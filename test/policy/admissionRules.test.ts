/**
 * pod-security-admission and always-pull-images on hand-built control-plane user data: how the
 * user data, the stored files and the apiserver manifest are read, each problem's exact message,
 * and the enforce level / exemptions each rule accepts. accessPolicies.test.ts has the rendered
 * defaults and the whole-plan cases.
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { BOOT_SCRIPT_PATH } from "../../bootstrap/bootScript";
import { CONFIG, MANIFEST } from "../../bootstrap/controlPlane/paths";
import { alwaysPullImagesProblems, NodeFiles, podSecurityProblems, userDataFiles, withStoredFiles } from "../../policy/rules/admission";
import { bootUserData, UNKNOWN } from "../helpers/policyFixtures";

const NONE =
  "so Pod Security Admission runs with its built-in defaults, which enforce privileged (nothing); render it with bootstrap/controlPlane/admissionConfig.ts";
const NO_ALWAYS_PULL =
  "the apiserver does not enable the AlwaysPullImages admission plugin (CIS 1.2.11): a pod on a node can run any private image another namespace's credentials pulled there; set kubestead:controlPlane.alwaysPullImages to true.";
const enforces = (level: string) =>
  `Pod Security Admission enforces "${level}" by default, which admits privileged, host-network and hostPath pods in every namespace: enforce at least baseline (kubestead:controlPlane.podSecurity.enforce).`;

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const sha = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** A kube-apiserver static pod with these flags. */
const apiServerPod = (flags: string[]) =>
  stringify({ apiVersion: "v1", kind: "Pod", spec: { containers: [{ name: "kube-apiserver", command: ["kube-apiserver", ...flags] }] } });
/** Control-plane user data writing the apiserver manifest with these flags, and these files. */
const controlPlane = (flags: string[], files: { path: string; content: string }[] = []) =>
  bootUserData([], [{ path: MANIFEST.apiServer, content: apiServerPod(flags) }, ...files]);
const CONFIG_FLAG = `--admission-control-config-file=${CONFIG.admission}`;
/** An AdmissionConfiguration whose PodSecurity plugin has this entry (`configuration` or `path`). */
const admissionConfig = (plugin: Record<string, unknown>) =>
  stringify({ apiVersion: "apiserver.config.k8s.io/v1", kind: "AdmissionConfiguration", plugins: [{ name: "PodSecurity", ...plugin }] });
/** The problems of an apiserver whose PodSecurity configuration (inline) is `configuration`. */
const psa = (configuration: Record<string, unknown>, allowed: string[] = ["kube-system"]) =>
  podSecurityProblems(controlPlane([CONFIG_FLAG], [{ path: CONFIG.admission, content: admissionConfig({ configuration }) }]), allowed);

describe("user data", () => {
  test("a cloud-config's files are its write_files entries that have a path and a content, base64 with or without gzip", () => {
    const doc = "#cloud-config\nwrite_files:\n  - path: /a\n    content: x\n  - path: /b\n  - content: y\n";
    expect(userDataFiles(base64(doc))).toEqual({ files: new Map([["/a", "x"]]), unknown: false });
    expect(userDataFiles(bootUserData([], [{ path: "/a", content: "x" }])).files.get("/a")).toBe("x");
  });

  test("unknown user data is unknown to both rules", () => {
    expect(userDataFiles(UNKNOWN)).toEqual({ files: new Map(), unknown: true });
    expect([podSecurityProblems(UNKNOWN, []), alwaysPullImagesProblems(UNKNOWN)]).toEqual([[], []]);
  });

  test.each<[string, unknown, string]>([
    ["absent", undefined, "it has no user data"],
    ["not a string", 42, "it has no user data"],
    ["empty", "", "it has no user data"],
    ["a shell script", base64("#!/bin/bash\necho hi\n"), "its user data is not a cloud-config"],
    [
      "a cloud-config that is not YAML",
      base64("#cloud-config\nwrite_files: [\n"),
      "its user data cannot be read (Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1:\n\nwrite_files: [\n\n^\n)",
    ],
  ])("user data that is %s is an error both rules report", (_what, userData, error) => {
    expect(userDataFiles(userData)).toEqual({ files: new Map(), unknown: false, error });
    const problem = `${error}, so the apiserver's admission settings are unknown to the policy`;
    expect(podSecurityProblems(userData, ["kube-system"])).toEqual([problem]);
    expect(alwaysPullImagesProblems(userData)).toEqual([problem]);
  });

  test("an apiserver manifest that is not a Pod cannot be read", () => {
    const userData = bootUserData([], [{ path: MANIFEST.apiServer, content: "apiVersion: v1\nkind: ConfigMap\n" }]);
    const problem = `${MANIFEST.apiServer} cannot be read (not a Pod manifest (kind "ConfigMap"))`;
    expect(podSecurityProblems(userData, ["kube-system"])).toEqual([problem]);
    expect(alwaysPullImagesProblems(userData)).toEqual([problem]);
  });
});

describe("stored files", () => {
  const PATH = MANIFEST.apiServer;
  const CONTENT = apiServerPod(["--enable-admission-plugins=AlwaysPullImages"]);
  const install = (line: string): NodeFiles => ({ files: new Map([[BOOT_SCRIPT_PATH, `#!/usr/bin/env bash\n${line}\n`]]), unknown: false });
  const installs = install(`install_stored 'kube-apiserver.yaml' '${sha(CONTENT)}' '${PATH}' '0600'`);

  test("the stored object for the installed path is used, not another one", () => {
    const r = withStoredFiles(installs, [
      { path: "/etc/other.yaml", content: "other" },
      { path: PATH, content: CONTENT },
    ]);
    expect(r).toEqual({ files: new Map([...installs.files, [PATH, CONTENT]]), unknown: false });
  });

  test("a stored object whose content is unknown makes the node's files unknown", () => {
    expect(withStoredFiles(installs, [{ path: PATH, content: UNKNOWN }])).toEqual({ files: installs.files, unknown: true });
  });

  test.each<[string, string]>([
    ["", `its boot installs ${PATH} from the add-on store (kube-apiserver.yaml), but no stored object carries it`],
    ["# changed\n", `the stored ${PATH} does not match the sha256 its user data pins, so the node would refuse it`],
  ])("a stored object missing or not matching its pin (%j appended) is an error, not unknown", (appended, error) => {
    const stored = appended ? [{ path: PATH, content: CONTENT + appended }] : [];
    expect(withStoredFiles(installs, stored)).toEqual({ files: installs.files, unknown: false, error });
  });

  test.each([
    ["indented", `  install_stored 'kube-apiserver.yaml' '${sha(CONTENT)}' '${PATH}' '0600'`],
    ["followed by more", `install_stored 'kube-apiserver.yaml' '${sha(CONTENT)}' '${PATH}' '0600' || exit 1`],
  ])("an install_stored line that is %s is not an install", (_what, line) => {
    const nf = install(line);
    expect(withStoredFiles(nf, [])).toEqual({ files: nf.files, unknown: false });
  });

  test("a node without a boot script keeps its own files; unknown or unreadable files pass through", () => {
    const own: NodeFiles = { files: new Map([["/a", "install_stored"]]), unknown: false };
    expect(withStoredFiles(own, [])).toEqual(own);
    const unknown: NodeFiles = { files: new Map(), unknown: true };
    const error: NodeFiles = { files: new Map(), unknown: false, error: "it has no user data" };
    expect([withStoredFiles(unknown, []), withStoredFiles(error, [])]).toEqual([unknown, error]);
  });
});

describe("pod-security-admission", () => {
  test.each<[string, string[], { path: string; content: string }[], string]>([
    ["no config file flag", [], [], `the apiserver has no --admission-control-config-file, ${NONE}`],
    ["a config file not in the user data", [CONFIG_FLAG], [], `the admission config ${CONFIG.admission} is not in the user data, ${NONE}`],
    [
      "a config file that is not YAML",
      [CONFIG_FLAG],
      [{ path: CONFIG.admission, content: "plugins: [PodSecurity\n" }],
      `the admission config ${CONFIG.admission} cannot be read (Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:\n\nplugins: [PodSecurity\n\n^\n)`,
    ],
    [
      "a PodSecurity plugin whose configuration file is not in the user data",
      [CONFIG_FLAG],
      [{ path: CONFIG.admission, content: admissionConfig({ path: "/etc/kubernetes/pod-security.yaml" }) }],
      `the PodSecurity configuration in ${CONFIG.admission} has no content the policy can read, ${NONE}`,
    ],
    [
      "PodSecurity disabled",
      ["--disable-admission-plugins=NamespaceLifecycle,PodSecurity", CONFIG_FLAG],
      [{ path: CONFIG.admission, content: admissionConfig({ configuration: { defaults: { enforce: "restricted" } } }) }],
      "the apiserver disables the PodSecurity admission plugin (--disable-admission-plugins): remove it from that flag.",
    ],
  ])("an apiserver with %s is reported", (_what, flags, files, problem) => {
    expect(podSecurityProblems(controlPlane(flags, files), ["kube-system"])).toEqual([problem]);
  });

  test("a PodSecurity configuration in its own file is read from there", () => {
    const path = "/etc/kubernetes/pod-security.yaml";
    const userData = (enforce: string) =>
      controlPlane(
        ["--disable-admission-plugins=AlwaysPullImages", CONFIG_FLAG],
        [
          { path: CONFIG.admission, content: admissionConfig({ path }) },
          { path, content: stringify({ defaults: { enforce } }) },
        ],
      );
    expect(podSecurityProblems(userData("baseline"), ["kube-system"])).toEqual([]);
    expect(podSecurityProblems(userData("privileged"), ["kube-system"])).toEqual([enforces("privileged")]);
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ["no default level enforces privileged", {}, [enforces("privileged")]],
    ["privileged", { defaults: { enforce: "privileged" } }, [enforces("privileged")]],
    ["an unknown level", { defaults: { enforce: "strict" } }, [enforces("strict")]],
    ["baseline", { defaults: { enforce: "baseline" } }, []],
    ["restricted", { defaults: { enforce: "restricted" } }, []],
  ])("enforcing %s by default", (_what, configuration, problems) => {
    expect(psa(configuration)).toEqual(problems);
  });

  test.each<[string, unknown[], string[], string[]]>([
    ["only allowed namespaces pass", ["kube-system", "tools"], ["kube-system", "tools"], []],
    [
      "namespaces beyond the allowed ones are listed",
      ["kube-system", "monitoring", "ci", 7],
      ["kube-system", "tools"],
      [
        "Pod Security Admission exempts namespace(s) monitoring, ci beyond the allowed kube-system, tools: pods there run unchecked; drop them from kubestead:controlPlane.podSecurity.exemptNamespaces or add them to allowedExemptNamespaces in the policy config.",
      ],
    ],
    [
      "no namespace is allowed",
      ["kube-system"],
      [],
      [
        "Pod Security Admission exempts namespace(s) kube-system beyond the allowed none: pods there run unchecked; drop them from kubestead:controlPlane.podSecurity.exemptNamespaces or add them to allowedExemptNamespaces in the policy config.",
      ],
    ],
  ])("namespace exemptions: %s", (_what, namespaces, allowed, problems) => {
    expect(psa({ defaults: { enforce: "baseline" }, exemptions: { namespaces } }, allowed)).toEqual(problems);
  });

  test("every exempt user and runtime class is reported, users first", () => {
    expect(
      psa({ defaults: { enforce: "restricted" }, exemptions: { runtimeClasses: ["kata"], usernames: ["ci-bot", "deployer"] } }),
    ).toEqual([
      "Pod Security Admission exempts usernames ci-bot, deployer: any pod they create, or that uses them, skips the check in every namespace; remove the exemption.",
      "Pod Security Admission exempts runtimeClasses kata: any pod they create, or that uses them, skips the check in every namespace; remove the exemption.",
    ]);
  });
});

describe("always-pull-images", () => {
  test.each<[string, string[], string[]]>([
    ["enabled", ["--enable-admission-plugins=NodeRestriction,AlwaysPullImages"], []],
    [
      "enabled while another plugin is disabled",
      ["--enable-admission-plugins=AlwaysPullImages", "--disable-admission-plugins=PodSecurity"],
      [],
    ],
    [
      "enabled and disabled",
      ["--enable-admission-plugins=AlwaysPullImages", "--disable-admission-plugins=NodeRestriction,AlwaysPullImages"],
      [NO_ALWAYS_PULL],
    ],
    ["not enabled", ["--enable-admission-plugins=NodeRestriction"], [NO_ALWAYS_PULL]],
  ])("AlwaysPullImages %s", (_what, flags, problems) => {
    expect(alwaysPullImagesProblems(controlPlane(flags))).toEqual(problems);
  });
});
