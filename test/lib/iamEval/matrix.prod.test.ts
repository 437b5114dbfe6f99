import prodConfig from "../../../policy/prod.json";
import type { PolicyPackConfigFile } from "../../../policy/runner";
import { describePlannedMatrix } from "./plannedMatrix";

describePlannedMatrix("prod", prodConfig as PolicyPackConfigFile, "mandatory");
