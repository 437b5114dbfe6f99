/** Policies that read what a node boots with follow its stored files, and only when the pinned sha256 matches. */
import { createHash } from "node:crypto";
import { BOOT_SCRIPT_PATH } from "../../bootstrap/bootScript";
import { withStoredFiles } from "../../policy/rules/admission";

const PATH = "/etc/kubernetes/manifests/kube-apiserver.yaml";
const MANIFEST = "apiVersion: v1\nkind: Pod\n";
const sha = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const node = (pinned: string) => ({
  files: new Map([[BOOT_SCRIPT_PATH, `install_stored 'kube-apiserver.yaml' '${pinned}' '${PATH}' '0600'\n`]]),
  unknown: false,
});

test("a stored file whose content matches the pinned sha256 is part of the node's files", () => {
  expect(withStoredFiles(node(sha(MANIFEST)), [{ path: PATH, content: MANIFEST }]).files.get(PATH)).toBe(MANIFEST);
});

test("a stored file that doesn't match what user data pins is an error: the node would refuse it", () => {
  const r = withStoredFiles(node(sha(MANIFEST)), [{ path: PATH, content: `${MANIFEST}# changed\n` }]);
  expect(r.error).toBe(`the stored ${PATH} does not match the sha256 its user data pins, so the node would refuse it`);
  expect(r.files.has(PATH)).toBe(false);
});

test("a boot that installs a file no stored object carries is an error", () => {
  expect(withStoredFiles(node(sha(MANIFEST)), []).error).toMatch(
    /installs \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml from the add-on store/,
  );
});
