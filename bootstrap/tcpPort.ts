/** A TCP port a listener can bind or a client can dial: an integer from 1 to 65535. */
export function isTcpPort(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
}
