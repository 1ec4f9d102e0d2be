/**
 * The API's routes. The construct creates exactly these methods (plus an `ANY`
 * fallback per path so the handler can answer 404 and 405 in the contract's
 * JSON shape), and the handler routes on the same table.
 */
export interface RouteDefinition {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Query string parameters API Gateway requires before invoking the handler. */
  readonly requiredQueryParameters: readonly string[];
  /** Whether API Gateway validates the body against the tracking-update model. */
  readonly validatesBody: boolean;
}

export const ROUTES = {
  track: { method: 'POST', path: '/track', requiredQueryParameters: [], validatesBody: true },
  status: { method: 'GET', path: '/status', requiredQueryParameters: ['tracking_id'], validatesBody: false },
} as const satisfies Record<string, RouteDefinition>;
