/** CIS 1.2.11 follows controlPlane.alwaysPullImages: passes by default, fails (not excepted) when turned off. */
import { controlPlaneFiles } from "../../../bootstrap/controlPlane/files";
import { cisContextFromFiles, evaluateControlPlane } from "../../../lib/cis/controlPlane";
import { ALWAYS_PULL_IMAGES_CHECK, CIS_EXCEPTIONS } from "../../../lib/cis/exceptions";
import { spec } from "../../bootstrap/controlPlane/fixture";

const result = (alwaysPullImages?: boolean) => {
  const out = controlPlaneFiles(spec({ alwaysPullImages }));
  return evaluateControlPlane(out.manifests, cisContextFromFiles(out.files)).find((r) => r.id === ALWAYS_PULL_IMAGES_CHECK);
};

test("1.2.11 passes with the default, and is no longer an exception", () => {
  expect(result()?.status).toBe("pass");
  expect(CIS_EXCEPTIONS.map((e) => e.id)).not.toContain(ALWAYS_PULL_IMAGES_CHECK);
});

test("1.2.11 fails, visibly, when a stack turns the plugin off", () => {
  expect(result(false)).toMatchObject({ status: "fail", title: "API server: AlwaysPullImages admission plugin is enabled" });
});
