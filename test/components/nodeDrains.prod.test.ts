import prodConfig from "../../policy/prod.json";
import type { PolicyPackConfigFile } from "../../policy/runner";
import { describePlannedDrains } from "./nodeDrainsPlanned";

describePlannedDrains("prod", prodConfig as PolicyPackConfigFile, { controlPlaneNodes: 3, pools: ["general", "system"] });
