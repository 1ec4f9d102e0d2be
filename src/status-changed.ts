import { TrackingStatus } from './tracking-status';

/** Options of `LogisticsTrackingApi.onStatusChanged`. */
export interface StatusChangedRuleOptions {
  /**
   * Only changes *to* these statuses reach the target.
   * @default - every status change
   */
  readonly statuses?: TrackingStatus[];

  /**
   * Description of the EventBridge rule.
   * @default - names the statuses
   */
  readonly description?: string;
}
