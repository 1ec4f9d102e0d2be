/**
 * The API's routes. The construct creates exactly these methods (plus an `ANY`
 * fallback per path so the handler can answer 404 and 405 in the contract's
 * JSON shape), and the handler routes on the same table.
 */
export interface RouteDefinition {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  /** Query string parameters API Gateway requires before invoking the handler. */
  readonly requiredQueryParameters: readonly string[];
  /** Which request model documents the body (SDK and OpenAPI exports), if any; the handler validates it. */
  readonly bodyModel?: 'TrackingUpdate' | 'TrackingBatch';
  /**
   * The grant that lets a principal call this route: `grantIngest`,
   * `grantRead` or `grantErase`. Required, so a new route cannot be added without choosing.
   */
  readonly grant: 'ingest' | 'read' | 'erase';
}

export const ROUTES = {
  track: { method: 'POST', path: '/track', requiredQueryParameters: [], bodyModel: 'TrackingUpdate', grant: 'ingest' },
  status: { method: 'GET', path: '/status', requiredQueryParameters: ['tracking_id'], grant: 'read' },
  /** Bulk ingest; answered 404 while the `batch_processing` flag is off. */
  trackBatch: { method: 'POST', path: '/track/batch', requiredQueryParameters: [], bodyModel: 'TrackingBatch', grant: 'ingest' },
  /**
   * Shipments whose current status is `status`, those that took it most recently
   * first; `updated_before` / `updated_after` bound when they took it.
   */
  shipments: { method: 'GET', path: '/shipments', requiredQueryParameters: ['status'], grant: 'read' },
  /** Erasure: every item of one shipment, events and state. */
  eraseShipment: { method: 'DELETE', path: '/shipments/{tracking_id}', requiredQueryParameters: [], grant: 'erase' },
} as const satisfies Record<string, RouteDefinition>;
