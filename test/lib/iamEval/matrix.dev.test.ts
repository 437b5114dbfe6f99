import devConfig from "../../../policy/dev.json";
import type { PolicyPackConfigFile } from "../../../policy/runner";
import { describePlannedMatrix } from "./plannedMatrix";

describePlannedMatrix("dev", devConfig as PolicyPackConfigFile, "advisory");
