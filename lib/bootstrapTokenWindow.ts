/**
 * Bootstrap token rotation windows: time is cut into windows of `maxAgeDays`, counted from the Unix
 * epoch, and each window has its own token. The window is a `keepers` value of the token's random
 * resources, so a `pulumi up` inside the same window keeps the token and the first one after it
 * makes a new one: no token is handed out for longer than maxAgeDays.
 *
 * The token Secret's `expiration` is the end of the window after its own (a grace of one more
 * window). Nodes read the bootstrap kubeconfig from SSM at boot, so a new token reaches new nodes
 * the moment `pulumi up` writes it; the grace is for a cluster nobody deploys: its auto scaling
 * groups must keep joining nodes until the next `pulumi up`. A token made at any moment of its
 * window therefore lives between maxAgeDays and twice that, and a stack deployed at least every
 * maxAgeDays never sees its token expire. Once it has, kube-controller-manager's tokencleaner
 * deletes the Secret and joins fail until the next `pulumi up`.
 * https://kubernetes.io/docs/reference/access-authn-authz/bootstrap-tokens/#token-management
 */

const DAY_MS = 86_400_000;

export interface BootstrapTokenWindow {
  /** Windows since the Unix epoch. */
  index: number;
  /** RFC 3339 start of the window (inclusive): the `keepers` value. */
  start: string;
  /** RFC 3339 end of the window: the next `pulumi up` after it rotates the token. */
  end: string;
  /** RFC 3339 expiry written into the token Secret: end plus one window of grace. */
  expiration: string;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

export function bootstrapTokenWindow(now: Date, maxAgeDays: number): BootstrapTokenWindow {
  if (!Number.isInteger(maxAgeDays) || maxAgeDays < 1) {
    throw new Error(`bootstrap token maxAgeDays must be a whole number ≥ 1 (got ${maxAgeDays}): set pki.bootstrapTokenMaxAgeDays`);
  }
  const t = now.getTime();
  if (!Number.isFinite(t)) throw new Error("bootstrap token window: the clock returned an invalid date");
  const width = maxAgeDays * DAY_MS;
  const index = Math.floor(t / width);
  return {
    index,
    start: rfc3339(index * width),
    end: rfc3339((index + 1) * width),
    expiration: rfc3339((index + 2) * width),
  };
}
