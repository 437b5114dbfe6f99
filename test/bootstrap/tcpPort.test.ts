import { isTcpPort } from "../../bootstrap/tcpPort";

describe("isTcpPort", () => {
  test.each([1, 443, 6443, 65535])("%p is a TCP port", (n) => {
    expect(isTcpPort(n)).toBe(true);
  });

  test.each([0, -1, 65536, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "6443", undefined, null])("%p is not", (n) => {
    expect(isTcpPort(n)).toBe(false);
  });
});
