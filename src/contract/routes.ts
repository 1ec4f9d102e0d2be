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
  /** Which request model API Gateway validates the body against, if any. */
  readonly bodyModel?: 'TrackingUpdate' | 'TrackingBatch';
}

export const ROUTES = {
  track: { method: 'POST', path: '/track', requiredQueryParameters: [], bodyModel: 'TrackingUpdate' },
  status: { method: 'GET', path: '/status', requiredQueryParameters: ['tracking_id'] },
  /** Bulk ingest; answered 404 while the `batch_processing` flag is off. */
  trackBatch: { method: 'POST', path: '/track/batch', requiredQueryParameters: [], bodyModel: 'TrackingBatch' },
  /** Shipments whose current status is `status`, most recently updated first. */
  shipments: { method: 'GET', path: '/shipments', requiredQueryParameters: ['status'] },
} as const satisfies Record<string, RouteDefinition>;
