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
