import devConfig from "../../policy/dev.json";
import type { PolicyPackConfigFile } from "../../policy/runner";
import { describePlannedDrains } from "./nodeDrainsPlanned";

describePlannedDrains("dev", devConfig as PolicyPackConfigFile, { controlPlaneNodes: 1, pools: ["general", "arm"] });
