/**
 * The normalized shipment statuses the service stores and publishes.
 *
 * `failed` is also accepted on input, as an alias, and stored as `EXCEPTION`.
 */
export enum TrackingStatus {
  /** The shipment is known but nothing has happened to it yet. */
  PENDING = 'pending',
  /** The carrier has received the shipment's data, not the parcel. */
  INFO_RECEIVED = 'info_received',
  /** The parcel is moving through the carrier's network. */
  IN_TRANSIT = 'in_transit',
  /** The parcel is on the vehicle for final delivery. */
  OUT_FOR_DELIVERY = 'out_for_delivery',
  /** The parcel waits at a pickup point or locker. */
  AVAILABLE_FOR_PICKUP = 'available_for_pickup',
  /** A delivery attempt failed; another may follow. */
  ATTEMPT_FAILED = 'attempt_failed',
  /** Delivered (terminal). */
  DELIVERED = 'delivered',
  /** Something went wrong (lost, damaged, held). The input alias `failed` maps here. */
  EXCEPTION = 'exception',
  /** Returned to the sender (terminal). */
  RETURNED = 'returned',
  /** Cancelled before delivery (terminal). */
  CANCELLED = 'cancelled',
  /** No news for too long; the carrier stopped tracking it (terminal). */
  EXPIRED = 'expired',
}

/** Every stored status value, in lifecycle order. */
export const TRACKING_STATUSES: readonly string[] = Object.values(TrackingStatus);

/** Input aliases the API accepts besides the statuses, and what each is stored as. */
export const STATUS_ALIASES: Readonly<Record<string, string>> = {
  failed: TrackingStatus.EXCEPTION,
};

/** Statuses after which a shipment does not move again. */
export const TERMINAL_STATUSES: readonly string[] = [
  TrackingStatus.DELIVERED,
  TrackingStatus.RETURNED,
  TrackingStatus.CANCELLED,
  TrackingStatus.EXPIRED,
];

/** Whether a shipment with this status has ended (delivered, returned, cancelled, expired). */
export function isTerminal(status: string): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The stored form of an input status (aliases resolved). */
export function normalizeStatus(input: string): string {
  return STATUS_ALIASES[input] ?? input;
}
