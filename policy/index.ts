/** The kubestead-ha policy pack. Constructing PolicyPack starts the analyzer's gRPC server: nothing may import this file. */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("kubestead-ha", { policies, enforcementLevel: "advisory" });
