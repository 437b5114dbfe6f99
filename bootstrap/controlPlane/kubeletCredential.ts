/**
 * A control-plane kubelet cannot TLS-bootstrap through an API server that only comes up once the
 * kubelet has started it as a static pod. So, as kubeadm does on control-plane nodes, the boot
 * script signs the kubelet's client certificate locally with the cluster CA it holds anyway
 * (the controller-manager signs with it), for the node's own name only.
 */
import { CERT, KEY } from "./paths";

export const KUBELET_CLIENT_DIR = "/var/lib/kubelet/pki";

/** Bash for the boot script (uses its helpers); must run after the node name is set. */
export function renderControlPlaneKubeletCredentialStep(args: { cluster: string; validityDays: number }): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.cluster)) {
    throw new Error(`control-plane kubelet credential: cluster must be a DNS label (got ${JSON.stringify(args.cluster)})`);
  }
  if (!Number.isInteger(args.validityDays) || args.validityDays < 1 || args.validityDays > 3650) {
    throw new Error(`control-plane kubelet credential: validityDays must be 1..3650 (got ${args.validityDays})`);
  }
  const dir = KUBELET_CLIENT_DIR;
  return String.raw`# Kubelet client credential signed locally (the API server is one of this kubelet's static pods).
node_name=$(imds local-hostname)
hostnamectl set-hostname "$node_name"
if [ ! -s /etc/kubernetes/kubelet.conf ]; then
  install -d -m 0700 ${dir}
  openssl ecparam -name prime256v1 -genkey -noout -out ${dir}/kubelet-client.key
  chmod 0600 ${dir}/kubelet-client.key
  openssl req -new -key ${dir}/kubelet-client.key -subj "/O=system:nodes/CN=system:node:$node_name" -out ${dir}/kubelet-client.csr
  printf 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' > ${dir}/kubelet-client.ext
  openssl x509 -req -in ${dir}/kubelet-client.csr -CA ${CERT.ca} -CAkey ${KEY.ca} -CAcreateserial \
    -days ${args.validityDays} -sha256 -extfile ${dir}/kubelet-client.ext -out ${dir}/kubelet-client.crt
  # The kubelet's certificate store rotates through a link: kubelet-client-current.pem must point at a
  # kubelet-client-<time>.pem, or renewing it fails and the node loses its credential at expiry
  # (control-plane kubelets have no bootstrap token to fall back on).
  pem=${dir}/kubelet-client-$(date -u +%Y-%m-%d-%H-%M-%S).pem
  (umask 077 && cat ${dir}/kubelet-client.crt ${dir}/kubelet-client.key > "$pem")
  ln -sfn "$pem" ${dir}/kubelet-client-current.pem
  rm -f ${dir}/kubelet-client.csr ${dir}/kubelet-client.ext ${dir}/kubelet-client.crt ${dir}/kubelet-client.key
  umask 077
  cat > /etc/kubernetes/kubelet.conf <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: ${args.cluster}
  cluster:
    certificate-authority: ${CERT.ca}
    server: https://127.0.0.1:6443
users:
- name: system:node:$node_name
  user:
    client-certificate: ${dir}/kubelet-client-current.pem
    client-key: ${dir}/kubelet-client-current.pem
contexts:
- name: default
  context:
    cluster: ${args.cluster}
    user: system:node:$node_name
current-context: default
KUBECONFIG
fi
`;
}
