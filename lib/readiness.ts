/**
 * The readiness gate's script: poll the apiserver's /readyz through the API load balancer,
 * verifying its certificate against the cluster CA, until it answers 200 or time runs out.
 * Runs where `pulumi up` runs (a runner inside the VPC or on its VPN for an internal endpoint).
 */
export function readinessGateScript(): string {
  return String.raw`set -eu
ca=$(mktemp)
trap 'rm -f "$ca"' EXIT
printf '%s\n' "$KUBESTEAD_CA_PEM" > "$ca"
deadline=$(( $(date +%s) + KUBESTEAD_TIMEOUT_SECONDS ))
until curl -fsS --max-time 5 --cacert "$ca" "$KUBESTEAD_API/readyz" >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "the apiserver at $KUBESTEAD_API did not answer /readyz within $KUBESTEAD_TIMEOUT_SECONDS s" >&2
    exit 1
  fi
  sleep 10
done
echo "apiserver ready at $KUBESTEAD_API"
`;
}
