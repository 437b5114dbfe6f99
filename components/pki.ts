import * as ssm from "@pulumi/aws/ssm";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { PkiConfig } from "../lib/config/types";

/** A certificate authority: its certificate is public, its key a secret. */
export interface CertificateAuthority {
  certPem: pulumi.Output<string>;
  keyPem: pulumi.Output<string>;
  notAfter: pulumi.Output<string>;
}

/** An issued leaf: certificate, key (secret) and expiry. */
export interface IssuedCertificate {
  certPem: pulumi.Output<string>;
  keyPem: pulumi.Output<string>;
  notAfter: pulumi.Output<string>;
}

export type Usage = "server_auth" | "client_auth";

export interface LeafSpec {
  commonName: string;
  organization?: string;
  dnsNames?: pulumi.Input<string>[];
  ipAddresses?: pulumi.Input<string>[];
  /** serverAuth for servers, clientAuth for clients, both for etcd peers. */
  usages: Usage[];
  /** Validity and early renewal, hours, when not the PKI config's leaf values (short-lived credentials). */
  validityHours?: number;
  earlyRenewalHours?: number;
}

// ECDSA P-256 everywhere: short keys, fast handshakes, accepted by etcd, kube-apiserver (also for
// service-account tokens, ES256) and every client kubestead ships.
const KEY = { algorithm: "ECDSA", ecdsaCurve: "P256" } as const;

export function newKey(name: string, parent: pulumi.Resource, protect = false): tls.PrivateKey {
  return new tls.PrivateKey(name, KEY, { parent, protect });
}

export function issueCertificate(
  name: string,
  ca: CertificateAuthority,
  spec: LeafSpec,
  pki: PkiConfig,
  parent: pulumi.Resource,
): IssuedCertificate {
  const key = newKey(`${name}-key`, parent);
  const csr = new tls.CertRequest(
    `${name}-csr`,
    {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName: spec.commonName, organization: spec.organization },
      dnsNames: spec.dnsNames,
      ipAddresses: spec.ipAddresses,
    },
    { parent },
  );
  const cert = new tls.LocallySignedCert(
    `${name}-cert`,
    {
      certRequestPem: csr.certRequestPem,
      caCertPem: ca.certPem,
      caPrivateKeyPem: ca.keyPem,
      validityPeriodHours: spec.validityHours ?? pki.leafValidityHours,
      earlyRenewalHours: spec.earlyRenewalHours ?? pki.earlyRenewalHours,
      allowedUses: ["digital_signature", "key_encipherment", ...spec.usages],
    },
    { parent },
  );
  return { certPem: cert.certPem, keyPem: key.privateKeyPem, notAfter: cert.validityEndTime };
}

/**
 * A leaf certificate as a plain String parameter (a certificate is public) under the role's own
 * path, its value the certificate resource's output: when `pulumi up` re-issues the leaf inside its
 * early-renewal window, the parameter changes with it, and the nodes' refresh timer
 * (bootstrap/certRefresh.ts) installs it without a replacement.
 */
export function certificateParameter(
  name: string,
  parameter: string,
  certPem: pulumi.Output<string>,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): ssm.Parameter {
  return new ssm.Parameter(
    name,
    {
      name: parameter,
      type: "String",
      tier: "Standard",
      value: pulumi.unsecret(certPem),
      description: "kubestead: certificate (public)",
      tags,
    },
    { parent },
  );
}

export interface ClusterPkiArgs {
  /** Cluster name, used in the CAs' common names. */
  cluster: string;
  pki: PkiConfig;
  /**
   * Protect the roots (`kubestead:protect`, on in production): replacing a CA or the
   * service-account key re-keys every node and invalidates every token, so it must take an explicit
   * unprotect (README "Teardown"), never a stray diff.
   */
  protect: boolean;
}

/**
 * The cluster's roots of trust: the Kubernetes CA, the etcd CA, the front-proxy CA and the
 * service-account signing key. Leaves are issued next to the resources that use them
 * (issueCertificate), so each component owns its certificates.
 */
export class ClusterPki extends pulumi.ComponentResource {
  public readonly kubernetesCa: CertificateAuthority;
  public readonly etcdCa: CertificateAuthority;
  public readonly frontProxyCa: CertificateAuthority;
  /** Service-account token signing key (ES256): private PEM (secret) and public PEM. */
  public readonly serviceAccountKeyPem: pulumi.Output<string>;
  public readonly serviceAccountPublicKeyPem: pulumi.Output<string>;

  constructor(name: string, args: ClusterPkiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:ClusterPki", name, {}, opts);
    const ca = (role: string, commonName: string): CertificateAuthority => {
      const key = newKey(`${name}-${role}-ca-key`, this, args.protect);
      const cert = new tls.SelfSignedCert(
        `${name}-${role}-ca`,
        {
          privateKeyPem: key.privateKeyPem,
          subject: { commonName, organization: args.cluster },
          isCaCertificate: true,
          validityPeriodHours: args.pki.caValidityHours,
          allowedUses: ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
        },
        { parent: this, protect: args.protect },
      );
      return { certPem: cert.certPem, keyPem: key.privateKeyPem, notAfter: cert.validityEndTime };
    };
    this.kubernetesCa = ca("kubernetes", "kubernetes");
    this.etcdCa = ca("etcd", "etcd-ca");
    this.frontProxyCa = ca("front-proxy", "front-proxy-ca");
    const sa = newKey(`${name}-service-account`, this, args.protect);
    this.serviceAccountKeyPem = sa.privateKeyPem;
    this.serviceAccountPublicKeyPem = sa.publicKeyPem;
    this.registerOutputs({
      kubernetesCaCert: this.kubernetesCa.certPem,
      etcdCaCert: this.etcdCa.certPem,
      frontProxyCaCert: this.frontProxyCa.certPem,
    });
  }

  /** Not-after dates of the CAs, by name, for the plan report and stack outputs. */
  certificateExpiries(): Record<string, pulumi.Output<string>> {
    return {
      "kubernetes-ca": this.kubernetesCa.notAfter,
      "etcd-ca": this.etcdCa.notAfter,
      "front-proxy-ca": this.frontProxyCa.notAfter,
    };
  }
}
