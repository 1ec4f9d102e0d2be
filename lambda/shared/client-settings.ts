/**
 * Settings every AWS client of the package's functions shares: created once per
 * execution environment, explicit region, keep-alive connections reused across
 * invocations, and short timeouts — a function waiting on a dead connection
 * helps nobody (API Gateway gives up at 29 s; a stream batch is better retried).
 */
export const region = process.env.AWS_REGION;

export function requestHandler(requestTimeoutMs: number) {
  return {
    connectionTimeout: 1_000,
    requestTimeout: requestTimeoutMs,
    // Without this the SDK only logs a warning when requestTimeout passes.
    throwOnRequestTimeout: true,
    httpsAgent: { keepAlive: true },
    // Local emulators are plain HTTP.
    httpAgent: { keepAlive: true },
  };
}
