/**
 * What a node boots with, as plain data. Renderers return NodeFiles; the components put the
 * non-secret ones into cloud-init user data and the secret ones into SSM Parameter Store, from
 * where the boot script fetches them (see bootstrap/cloudInit.ts and bootstrap/bootScript.ts).
 */

/** A file written by cloud-init from user data. Never holds key material. */
export interface NodeFile {
  /** Absolute path on the node. */
  path: string;
  content: string;
  /** Octal permission string, e.g. "0644". */
  mode: string;
}

/** A file whose content is a secret: stored as an SSM SecureString, fetched at boot. */
export interface SecretFile {
  /** Absolute path on the node. */
  path: string;
  /** SSM parameter name, e.g. /kubestead/prod/etcd/etcd-0/server.key. */
  parameter: string;
  /** Octal permission string, e.g. "0600". */
  mode: string;
}

/** Where the boot script finds which secrets to fetch: one `parameter<TAB>path<TAB>mode` a line. */
export const SECRETS_MANIFEST_PATH = "/etc/kubestead/secrets.tsv";
