import type { DeliveredShipment } from './delivered-shipment';
import { lastEtaUpTo, putDeliveryRecord, type AnalyticsTable } from './delivery-record';
import { deliveryFigures, deliveryRecordAttributes, type DeliveryFigures } from './figures';
import { emitDeliveryFigures } from '../observability';

export type DeliveryCount =
  /** This call counted the delivery: its record is written and its metrics emitted. */
  | { readonly kind: 'counted'; readonly figures: DeliveryFigures }
  /** An earlier call did; nothing was emitted. */
  | { readonly kind: 'already-counted' };

/**
 * Counts a shipment's delivery once, although the stream delivers its records at
 * least once: the figures go into a delivery record created with a condition
 * (`attribute_not_exists`), and only the call that creates it emits the metrics.
 * A repeated record, a replay from the dead-letter queue, or a second change to
 * `delivered` finds the record there and emits nothing.
 *
 * Why the record first and the metrics after: a metric line cannot be taken
 * back, a record that exists can be read. The other order (emit, then write)
 * would count twice whenever the write failed after the line went out and the
 * record was retried. This order leaves one window instead, the other way round:
 * if the function dies after the put succeeded and before the metric line is
 * written (a crash or a timeout in between — the line is written synchronously,
 * right after the put returns, see observability.ts), the retry finds the record
 * and the delivery is never counted in the metrics. So the metrics count each
 * delivery **at most once**, and the delivery records — one per delivered shipment,
 * with the same figures — are the complete account.
 *
 * Throws when DynamoDB fails (after the SDK client's own retries) or the function
 * is misconfigured; the caller dead-letters the record, and a replay counts it then.
 */
export async function countDelivery(table: AnalyticsTable, shipment: DeliveredShipment, now: () => Date = () => new Date()): Promise<DeliveryCount> {
  const eta = await lastEtaUpTo(table, shipment.partitionKey, shipment.deliveredAt);
  const figures = deliveryFigures(shipment, eta);
  const outcome = await putDeliveryRecord(table, shipment.partitionKey, deliveryRecordAttributes(shipment, figures, now()));
  if (outcome === 'already-recorded') return { kind: 'already-counted' };
  emitDeliveryFigures(shipment.trackingId, figures);
  return { kind: 'counted', figures };
}
