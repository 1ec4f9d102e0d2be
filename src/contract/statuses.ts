import { TrackingStatus } from '../tracking-status';

/** Every stored status value, in lifecycle order. */
export const TRACKING_STATUSES: readonly string[] = Object.values(TrackingStatus);

/** Input aliases kept so seed clients keep working, and what each is stored as. */
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

/** The stored form of an input status (aliases resolved). */
export function normalizeStatus(input: string): string {
  return STATUS_ALIASES[input] ?? input;
}
