/**
 * Which kind of API Gateway API fronts the tracking handler. Both serve the same
 * routes from the same handler, which validates every body against the
 * contract's schema and answers the contract's errors; they differ in what API
 * Gateway does before the handler and in what it costs.
 */
export enum ApiType {
  /**
   * A REST API (API Gateway v1), at $3.50 per million requests (us-east-1).
   *
   * What it adds over `HTTP`: AWS WAF (`webAclArn`), usage plans and API keys,
   * X-Ray tracing of the API itself, required query parameters checked before
   * the handler runs, and API Gateway's own errors (throttling, a refused
   * signature, a throttled handler) in the contract's `{"error": ...}` shape,
   * with `Retry-After` on 429 and 503.
   */
  REST = 'REST',

  /**
   * An HTTP API (API Gateway v2), at $1.00 per million requests (us-east-1),
   * against REST's $3.50: with it the stack costs about a third less per update
   * (`npx projen bench:cost`: $5.34 against $7.83 per million updates).
   *
   * What it gives up: no AWS WAF association (put CloudFront with a web ACL in
   * front instead), no usage plans or API keys, no X-Ray segment for the API
   * (the functions are still traced), and API Gateway's own errors keep its
   * `{"message": ...}` shape without `Retry-After` (429 when throttled, 403 for
   * a refused signature, 500 when the handler cannot be invoked). A missing
   * required query parameter is answered by the handler (400, same contract).
   */
  HTTP = 'HTTP',
}
