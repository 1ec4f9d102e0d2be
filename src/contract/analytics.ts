/**
 * Shipment analytics: the CloudWatch metrics the stream processor emits (embedded
 * metric format, through Powertools) and the dashboard graphs, and the delivery
 * record item that makes a delivery count once. One list of names for both sides:
 * a metric renamed here is renamed on the dashboard too.
 */

/**
 * Where the stream processor's metrics go: the construct sets these as the
 * function's POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME, and
 * Powertools adds the service name to every metric as the `service` dimension.
 */
export const PROCESSOR_METRICS = {
  namespace: 'LogisticsTracking',
  serviceName: 'logistics-tracking-notifications',
  /** The dimension Powertools gives every metric, valued `serviceName`. */
  serviceDimension: 'service',
} as const;

/** Metric names of the shipment figures (as opposed to the processor's own health counts). */
export const SHIPMENT_METRIC = {
  /** Seconds from a shipment's first event to its (earliest) delivered event; once per delivered shipment. */
  transitTime: 'TransitTime',
  /** Failed delivery attempts before the delivery (distinct attempt_failed events); once per delivered shipment. */
  deliveryAttempts: 'DeliveryAttempts',
  /** A delivery at or before the last ETA the shipment carried. */
  deliveredOnTime: 'DeliveredOnTime',
  /** A delivery after the last ETA the shipment carried. */
  deliveredLate: 'DeliveredLate',
  /** A delivery of a shipment that never carried an ETA. */
  deliveredWithoutEta: 'DeliveredWithoutEta',
  /** A status change to `exception`. */
  shipmentExceptions: 'ShipmentExceptions',
  /** A published `Tracking Shipment Stalled` event, with the {@link STATUS_DIMENSION} of the status it is stuck in. */
  shipmentsStalled: 'ShipmentsStalled',
} as const;

/** Dimension of `ShipmentsStalled`: the status the shipment is stuck in. */
export const STATUS_DIMENSION = 'Status';

/** Whether a delivery kept the last ETA the shipment carried. */
export type DeliveryPunctuality = 'on_time' | 'late' | 'without_eta';

/**
 * The delivery record item (`pk = TRACK#<tracking_id>`, `sk = DELIVERY`): the
 * figures of a shipment's delivery, written once, conditionally, when the stream
 * processor counts it. Its existence is what makes a repeated stream record (or
 * a second change to `delivered`) count nothing twice.
 */
export interface DeliveryRecordAttributes {
  readonly tracking_id: string;
  /** The shipment's first event time (state `first_seen_at`). */
  readonly first_seen_at: string;
  /** Its earliest delivered event time (state `delivered_at`). */
  readonly delivered_at: string;
  readonly transit_seconds: number;
  readonly delivery_attempts: number;
  /** The last ETA the shipment carried up to its delivery, as the event gave it; absent without one. */
  readonly eta?: string;
  readonly punctuality: DeliveryPunctuality;
  /** The state item's version whose write counted the delivery. */
  readonly state_version: number;
  /** When the processor counted it (UTC ISO-8601 with ms). */
  readonly counted_at: string;
  /** The state item's `expires_at` when counted, so that retention removes the record with the shipment. */
  readonly expires_at?: number;
}
