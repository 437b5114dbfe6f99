/**
 * containerd's config.toml and systemd unit. The config is schema version 2: containerd 1.6 and
 * 1.7 read it natively and 2.x migrates it in memory at start, so one file serves every release
 * we pin. Mirrors are not in config.toml: with `config_path` set, containerd refuses the old
 * `registry.mirrors` tables, so each mirrored registry gets a hosts.toml under certs.d instead.
 * https://github.com/containerd/containerd/blob/main/docs/hosts.md
 */
import { stringify } from "smol-toml";
import { renderUnit } from "../systemd";
import type { NodeFile } from "../types";
import { BIN, CNI_BIN_DIR, CNI_CONF_DIR, CONTAINERD_CERTS_DIR } from "./paths";

const CRI = "io.containerd.grpc.v1.cri";

export interface ContainerdConfigArgs {
  /** Full sandbox image reference, e.g. registry.k8s.io/pause:3.10. */
  pauseImage: string;
}

export function renderContainerdConfig(a: ContainerdConfigArgs): string {
  // A tag or digest is required: an untagged pause image would float with "latest".
  if (!/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$/.test(a.pauseImage)) {
    throw new Error(
      `containerd pauseImage must be a registry/repository:tag reference (got ${JSON.stringify(a.pauseImage)}): use registry.k8s.io/pause:<kubernetes.pauseVersion>`,
    );
  }
  const config = {
    version: 2,
    plugins: {
      [CRI]: {
        sandbox_image: a.pauseImage,
        containerd: {
          snapshotter: "overlayfs",
          default_runtime_name: "runc",
          runtimes: {
            runc: {
              runtime_type: "io.containerd.runc.v2",
              // The kubelet runs with cgroupDriver systemd; both must agree or pods flap.
              options: { SystemdCgroup: true },
            },
          },
        },
        cni: { bin_dir: CNI_BIN_DIR, conf_dir: CNI_CONF_DIR, max_conf_num: 1 },
        registry: { config_path: CONTAINERD_CERTS_DIR },
      },
    },
  };
  return `${stringify(config)}\n`;
}

/** Hosts the registry serves from when no mirror answers (docker.io's API host differs). */
function upstreamServer(host: string): string {
  return host === "docker.io" ? "https://registry-1.docker.io" : `https://${host}`;
}

const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$/;

/**
 * One /etc/containerd/certs.d/<registry>/hosts.toml per mirrored registry: containerd tries the
 * mirrors in order for pulls and falls back to the registry itself.
 */
export function renderRegistryHosts(mirrors: Record<string, string[]>): NodeFile[] {
  const problems: string[] = [];
  for (const [registry, urls] of Object.entries(mirrors)) {
    if (!HOST.test(registry)) problems.push(`registry ${JSON.stringify(registry)} must be a host[:port] like docker.io`);
    if (urls.length === 0) problems.push(`mirrors of ${registry} must list at least one https URL`);
    for (const u of urls) {
      if (!/^https:\/\/[^\s"]+$/.test(u)) problems.push(`mirror ${JSON.stringify(u)} of ${registry} must be an https:// URL`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`containerd registryMirrors: ${problems.join("; ")}: fix the mirror map`);
  }
  return Object.keys(mirrors)
    .sort()
    .map((registry) => {
      const host: Record<string, { capabilities: string[] }> = {};
      // Mirrors may only pull and resolve; pushes go to the registry itself.
      for (const u of mirrors[registry]) host[u] = { capabilities: ["pull", "resolve"] };
      return {
        path: `${CONTAINERD_CERTS_DIR}/${registry}/hosts.toml`,
        content: `${stringify({ server: upstreamServer(registry), host })}\n`,
        mode: "0644",
      };
    });
}

/**
 * containerd.service, corrected from the seed: the release tarball installs to /usr/local/bin;
 * no `Before=docker.service` (there is no Docker); no LimitNOFILE, because containers inherit it
 * and an unlimited soft limit breaks software that loops over every descriptor (upstream dropped
 * it from its own unit for that reason).
 */
export function renderContainerdService(): string {
  return renderUnit({
    Unit: {
      Description: "containerd container runtime",
      Documentation: "https://containerd.io",
      After: ["network.target", "local-fs.target", "dbus.service"],
    },
    Service: {
      ExecStartPre: "-/sbin/modprobe overlay",
      ExecStart: BIN.containerd,
      Type: "notify",
      // containerd creates the container cgroups below its own; systemd must let it.
      Delegate: "yes",
      // Restarting containerd must not kill the running containers' shims.
      KillMode: "process",
      Restart: "always",
      RestartSec: "5",
      LimitNPROC: "infinity",
      LimitCORE: "infinity",
      TasksMax: "infinity",
      // Under memory pressure the OOM killer takes pods, not the runtime that supervises them.
      OOMScoreAdjust: "-999",
    },
    Install: { WantedBy: "multi-user.target" },
  });
}
