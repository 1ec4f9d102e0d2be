import type { ShipmentState } from './items';

/**
 * A shipment's current state as the API answers it: `current` of GET /status and
 * each entry of GET /shipments (which adds `tracking_id`). `timestamp` and
 * `event_id` name the event the state reflects (as in the history's updates, and
 * in the answer of POST /track); milestones appear once they happened,
 * `attempt_count` always; `status_since` is when the shipment took its status. docs/http-contract.md has the response shapes.
 */
export function currentStateView(state: ShipmentState): Record<string, unknown> {
  const view: Record<string, unknown> = {
    status: state.status,
    location: state.location,
    timestamp: state.updated_at,
    event_id: state.last_event_id,
    first_seen_at: state.first_seen_at,
    updated_at: state.updated_at,
    version: state.version,
    attempt_count: state.attempt_count,
  };
  if (state.out_for_delivery_at !== undefined) view.out_for_delivery_at = state.out_for_delivery_at;
  if (state.delivered_at !== undefined) view.delivered_at = state.delivered_at;
  if (state.status_since !== undefined) view.status_since = state.status_since;
  return view;
}
