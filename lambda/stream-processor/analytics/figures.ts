import type { DeliveredShipment } from './delivered-shipment';
import type { DeliveryPunctuality, DeliveryRecordAttributes } from '../../../src/contract/analytics';

/** The figures of one delivery, as the delivery record stores them and the metrics count them. */
export interface DeliveryFigures {
  readonly transitSeconds: number;
  readonly attempts: number;
  readonly punctuality: DeliveryPunctuality;
  /** The ETA it was measured against (as the event gave it). */
  readonly eta?: string;
}

/**
 * Transit time (first event to delivery, in seconds, to the ms), attempts, and
 * whether the delivery kept `eta` — the last ETA the shipment carried up to its
 * delivery. Delivered at the ETA's very instant counts as on time. An ETA that
 * is not a time (the API refuses those: RFC 3339 with an offset) counts as none.
 */
export function deliveryFigures(shipment: DeliveredShipment, eta: string | undefined): DeliveryFigures {
  const deliveredMs = Date.parse(shipment.deliveredAt);
  const etaMs = eta === undefined ? NaN : Date.parse(eta);
  let punctuality: DeliveryPunctuality = 'without_eta';
  if (Number.isFinite(etaMs)) punctuality = deliveredMs <= etaMs ? 'on_time' : 'late';
  return {
    transitSeconds: (deliveredMs - Date.parse(shipment.firstSeenAt)) / 1000,
    attempts: shipment.attempts,
    punctuality,
    ...(punctuality !== 'without_eta' ? { eta } : {}),
  };
}

/** The attributes of the delivery record of `shipment` (its key aside). */
export function deliveryRecordAttributes(shipment: DeliveredShipment, figures: DeliveryFigures, countedAt: Date): DeliveryRecordAttributes {
  return {
    tracking_id: shipment.trackingId,
    first_seen_at: shipment.firstSeenAt,
    delivered_at: shipment.deliveredAt,
    transit_seconds: figures.transitSeconds,
    delivery_attempts: figures.attempts,
    ...(figures.eta !== undefined ? { eta: figures.eta } : {}),
    punctuality: figures.punctuality,
    state_version: shipment.version,
    counted_at: countedAt.toISOString(),
    ...(shipment.expiresAt !== undefined ? { expires_at: shipment.expiresAt } : {}),
  };
}
