/** Shared inputs for the bootstrap renderer tests: a 3-member prod etcd cluster. */
import { spawnSync } from "node:child_process";
import { EtcdMemberOptions, EtcdMemberSpec, EtcdPeer } from "../../bootstrap/etcd";

export const MEMBERS: EtcdPeer[] = [0, 1, 2].map((i) => ({
  name: `etcd-${i}`,
  ip: `10.0.${i * 32}.10`,
  dnsName: `etcd-${i}.prod.kubestead.internal`,
}));

export function memberSpec(i: number, over: Partial<EtcdMemberSpec> = {}): EtcdMemberSpec {
  return { ...MEMBERS[i], members: MEMBERS, clusterToken: "prod-etcd", snapshotCount: 10000, ...over };
}

/** Fake but well-formed PEM (realistic length so size checks mean something). */
export function fakeCert(seed: string): string {
  const body = Buffer.from(seed.repeat(Math.ceil(480 / seed.length)).slice(0, 480)).toString("base64");
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

export function memberOptions(over: Partial<EtcdMemberOptions> = {}): EtcdMemberOptions {
  return {
    cluster: "prod",
    region: "eu-west-1",
    pki: { caCert: fakeCert("ca"), serverCert: fakeCert("server"), peerCert: fakeCert("peer"), backupCert: fakeCert("backup") },
    backup: { bucket: "prod-etcd-backups", intervalMinutes: 60 },
    release: { version: "3.5.21", sha256: "a".repeat(64) },
    volumeId: "vol-0123456789abcdef0",
    eniId: "eni-0123456789abcdef0",
    ...over,
  };
}

/** shellcheck's findings for a bash script ("" when clean). */
export function shellcheck(script: string): string {
  const r = spawnSync("shellcheck", ["--shell=bash", "--format=gcc", "-"], { input: script, encoding: "utf8" });
  if (r.error) throw r.error;
  return r.status === 0 ? "" : `${r.stdout}${r.stderr}` || `shellcheck exited ${r.status}`;
}
