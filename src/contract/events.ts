/**
 * The status-change event the stream processor publishes to EventBridge, and
 * that `onStatusChanged` rules match.
 */
export const STATUS_CHANGED_EVENT = {
  source: 'logistics.tracking',
  detailType: 'Tracking Status Changed',
} as const;

/** `detail` of a `Tracking Status Changed` event (snake_case, like the HTTP API). */
export interface StatusChangedDetail {
  readonly tracking_id: string;
  /** The status before this change; null for a shipment's first status. */
  readonly previous_status: string | null;
  readonly status: string;
  /** event_time of the event that caused the change (UTC ISO-8601 with ms). */
  readonly event_time: string;
  readonly location: { readonly lat: number; readonly lng: number };
  readonly event_id: string;
  /** The state item's version after the change; consumers can drop stale or repeated events with it. */
  readonly version: number;
}

/**
 * Published once per stall: the scheduled sweep found a shipment that has kept
 * its (non-terminal) status longer than that status's threshold and marked its
 * state item (`stalled_sk`); the stream processor publishes the marking. A
 * shipment that moves and stalls again is published again.
 */
export const SHIPMENT_STALLED_EVENT = {
  source: STATUS_CHANGED_EVENT.source,
  detailType: 'Tracking Shipment Stalled',
} as const;

/** `detail` of a `Tracking Shipment Stalled` event. */
export interface ShipmentStalledDetail {
  readonly tracking_id: string;
  /** The status the shipment is stuck in. */
  readonly status: string;
  /** Since when it has had that status (UTC ISO-8601 with ms): the stall is (tracking_id, status, status_since). */
  readonly status_since: string;
  /** event_time of its newest event. */
  readonly updated_at: string;
  /** The threshold of `status` the sweep applied, in seconds. */
  readonly threshold_seconds: number;
  /** When the sweep found it. */
  readonly stalled_at: string;
  readonly location: { readonly lat: number; readonly lng: number };
  /** The state item's version after the marking. */
  readonly version: number;
}

/**
 * Published when a shipment's state item is removed: by `DELETE
 * /shipments/{tracking_id}` (reason `request`, after every other item of the
 * shipment is gone) or by retention (`retention`, the table's TTL). Never a
 * status change.
 */
export const SHIPMENT_DELETED_EVENT = {
  source: STATUS_CHANGED_EVENT.source,
  detailType: 'Tracking Shipment Deleted',
} as const;

/** `detail` of a `Tracking Shipment Deleted` event. */
export interface ShipmentDeletedDetail {
  readonly tracking_id: string;
  /** The status it had when it was deleted. */
  readonly status: string;
  readonly reason: 'request' | 'retention';
  /** The removed state item's version. */
  readonly version: number;
}
