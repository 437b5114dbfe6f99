/**
 * One cluster from the typed config: network → PKI → etcd → control plane + API LB → workers →
 * add-ons. dev and prod are this same program with different Pulumi.<stack>.yaml values.
 */
import * as pulumi from "@pulumi/pulumi";
import { Network } from "../components/network";
import { ConfigError } from "../lib/config/problems";
import { ClusterConfig } from "../lib/config/types";
import { loadClusterConfig } from "./config";

export function readConfigOrExit(): ClusterConfig {
  try {
    return loadClusterConfig();
  } catch (e) {
    // RunError: the engine prints the message alone, without a stack trace.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

export function buildCluster(c: ClusterConfig) {
  const network = new Network(`${c.name}-network`, { config: c });
  return {
    config: c,
    network,
  };
}
