import { Duration } from 'aws-cdk-lib';
import { TrackingStatus } from './tracking-status';

/**
 * How long a shipment may keep each non-terminal status before it counts as
 * stalled. Terminal statuses (delivered, returned, cancelled, expired) never
 * stall. Each threshold is between 1 minute and 365 days.
 */
export interface StallThresholds {
  /**
   * `pending`: known, nothing has happened yet.
   * @default Duration.days(2)
   */
  readonly pending?: Duration;

  /**
   * `info_received`: the carrier has the data, not the parcel.
   * @default Duration.days(2)
   */
  readonly infoReceived?: Duration;

  /**
   * `in_transit`: moving through the network.
   * @default Duration.days(5)
   */
  readonly inTransit?: Duration;

  /**
   * `out_for_delivery`: not delivered the same day.
   * @default Duration.days(1)
   */
  readonly outForDelivery?: Duration;

  /**
   * `available_for_pickup`: waiting at a pickup point or locker.
   * @default Duration.days(7)
   */
  readonly availableForPickup?: Duration;

  /**
   * `attempt_failed`: no further attempt after a failed one.
   * @default Duration.days(2)
   */
  readonly attemptFailed?: Duration;

  /**
   * `exception`: lost, damaged or held, and not resolved.
   * @default Duration.days(3)
   */
  readonly exception?: Duration;
}

/**
 * Stalled shipments: a scheduled sweep finds the shipments whose status has not
 * moved for longer than that status's threshold, with range queries of the
 * sharded status index (never a Scan), and publishes `Tracking Shipment Stalled`
 * once per stall (see `onShipmentStalled`). Optionally, it expires shipments
 * without news: it writes an `expired` event for them through the same write path
 * as any tracking update.
 */
export interface StalledShipmentsOptions {
  /**
   * Run the sweep. Without it nothing is reported stalled and nothing expires;
   * `GET /shipments?status=S&updated_before=T` still lists the same shipments.
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * When each status counts as stalled.
   * @default - the defaults of each `StallThresholds` field
   */
  readonly thresholds?: StallThresholds;

  /**
   * How often the sweep runs: a stall is reported at most this long after its
   * threshold passed. Between 1 minute and 1 day, in whole minutes.
   * @default Duration.hours(1)
   */
  readonly sweepInterval?: Duration;

  /**
   * Expire shipments that have had no news (no event newer than `expireAfter`):
   * the sweep writes an `expired` event (terminal) at their last known location.
   * On by default because a shipment nobody scans for a month will not be
   * scanned again, and expiry takes it out of the open statuses, so the stall
   * listings and sweeps stay about live shipments.
   * @default true
   */
  readonly expireShipments?: boolean;

  /**
   * How long without news before a shipment expires: at least every threshold
   * (a shipment should stall before it expires), at most 365 days.
   * @default Duration.days(30)
   */
  readonly expireAfter?: Duration;
}

/** Which stalls an `onShipmentStalled` rule matches. */
export interface ShipmentStalledRuleOptions {
  /**
   * Only stalls in these statuses.
   * @default - every stall
   */
  readonly statuses?: TrackingStatus[];

  /**
   * Description of the rule.
   * @default - 'Tracking shipment stalled', with the statuses when given
   */
  readonly description?: string;
}
