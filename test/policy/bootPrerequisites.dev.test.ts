import devConfig from "../../policy/dev.json";
import type { PolicyPackConfigFile } from "../../policy/runner";
import { describePlannedStack } from "./bootPrerequisites.planned";

describePlannedStack("dev", devConfig as PolicyPackConfigFile);
