import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * The kubelet bootstrap token <id>.<secret> ([a-z0-9]{6}.[a-z0-9]{16}): kept secret, stored only
 * in state, in SSM (inside the bootstrap kubeconfigs) and in its kube-system Secret. Rotate it by
 * replacing this component's resources (`pulumi up --replace`).
 */
export class BootstrapToken extends pulumi.ComponentResource {
  public readonly id: pulumi.Output<string>;
  public readonly secret: pulumi.Output<string>;
  public readonly token: pulumi.Output<string>;

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:BootstrapToken", name, {}, opts);
    const chars = { length: 6, upper: false, special: false, lower: true, numeric: true };
    const id = new random.RandomString(`${name}-id`, chars, { parent: this });
    const secret = new random.RandomString(`${name}-secret`, { ...chars, length: 16 }, { parent: this });
    this.id = id.result;
    this.secret = pulumi.secret(secret.result);
    this.token = pulumi.secret(pulumi.interpolate`${id.result}.${secret.result}`);
    this.registerOutputs({});
  }
}
