import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { bootstrapTokenWindow } from "../lib/bootstrapTokenWindow";

export interface BootstrapTokenArgs {
  /** Days a token is handed out before `pulumi up` makes a new one (pki.bootstrapTokenMaxAgeDays). */
  maxAgeDays: number;
  /** The deployment's clock (lib/clock.ts programNow()): picks the rotation window. */
  now: Date;
}

/**
 * The kubelet bootstrap token <id>.<secret> ([a-z0-9]{6}.[a-z0-9]{16}): secret in state and in
 * every plan, stored only in SSM (inside the worker bootstrap kubeconfig, and the token Secret the
 * control plane applies). Rotates by itself: the rotation window (lib/bootstrapTokenWindow.ts) is a
 * keeper of both halves, so the first `pulumi up` after the window ends makes a new token, and the
 * add-on applier deletes the old token Secret once it has applied the new one.
 */
export class BootstrapToken extends pulumi.ComponentResource {
  public readonly id: pulumi.Output<string>;
  public readonly secret: pulumi.Output<string>;
  public readonly token: pulumi.Output<string>;
  /** RFC 3339 expiry of this token (its window's end plus one window of grace): in the token Secret. */
  public readonly expiration: pulumi.Output<string>;

  constructor(name: string, args: BootstrapTokenArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:BootstrapToken", name, {}, opts);
    const window = bootstrapTokenWindow(args.now, args.maxAgeDays);
    // Both halves are RandomPassword: its result is secret by the provider's schema (a RandomString's
    // is not, and would sit in plain text in state and the plan). The id is no credential, but it
    // names the token Secret; secret costs nothing and no policy has to tell the halves apart.
    const keepers = { window: window.start, expiration: window.expiration };
    const chars = { length: 6, upper: false, special: false, lower: true, numeric: true, keepers };
    const id = new random.RandomPassword(`${name}-id`, chars, { parent: this });
    const secret = new random.RandomPassword(`${name}-secret`, { ...chars, length: 16 }, { parent: this });
    // The engine marks the results secret from additionalSecretOutputs; wrap them here as well so
    // every value derived from them is secret already in the program (and under the offline mocks).
    this.id = pulumi.secret(id.result);
    this.secret = pulumi.secret(secret.result);
    this.token = pulumi.secret(pulumi.interpolate`${id.result}.${secret.result}`);
    this.expiration = pulumi.output(window.expiration);
    this.registerOutputs({ expiration: this.expiration });
  }
}
