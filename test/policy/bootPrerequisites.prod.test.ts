import prodConfig from "../../policy/prod.json";
import type { PolicyPackConfigFile } from "../../policy/runner";
import { describePlannedStack } from "./bootPrerequisites.planned";

describePlannedStack("prod", prodConfig as PolicyPackConfigFile);
