/**
 * What the construct hands the handler at deploy time, and the shape of the two
 * JSON documents it keeps in SSM Parameter Store. The handler reads both
 * documents at run time (cached), so they can be changed without a deployment.
 */

/** Environment variable names the construct sets on the functions (the stream processor gets the ones it reads). */
export const ENV = {
  TABLE_NAME: 'TABLE_NAME',
  HISTORY_INDEX_NAME: 'HISTORY_INDEX_NAME',
  STATUS_INDEX_NAME: 'STATUS_INDEX_NAME',
  STATUS_INDEX_SHARDS: 'STATUS_INDEX_SHARDS',
  CONFIG_PARAMETER_NAME: 'CONFIG_PARAMETER_NAME',
  FLAGS_PARAMETER_NAME: 'FLAGS_PARAMETER_NAME',
  CONFIG_CACHE_TTL_SECONDS: 'CONFIG_CACHE_TTL_SECONDS',
  /** JSON of {@link ApiConfigDocument}: the deploy-time config, used until SSM answers. */
  DEFAULT_CONFIG: 'DEFAULT_CONFIG',
  /** JSON of {@link FeatureFlagsDocument}: the deploy-time flags, used until SSM answers. */
  DEFAULT_FLAGS: 'DEFAULT_FLAGS',
  /** Seconds an event item lives (DynamoDB TTL); `0` keeps events forever. */
  EVENT_TTL_SECONDS: 'EVENT_TTL_SECONDS',
  /**
   * Key of the HMAC that makes paging cursors tamper-evident. The construct sets
   * the stack id, whose random suffix CloudFormation picks at stack creation: API
   * clients never see it, and it stays the same across deployments, so cursors
   * survive them. It guards cursor integrity, not a secret from operators.
   */
  CURSOR_KEY: 'CURSOR_KEY',
  /** Name of the EventBridge bus status changes are published to (stream processor). */
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  /** URL of the SQS queue that receives records the stream processor could not publish. */
  DEAD_LETTER_QUEUE_URL: 'DEAD_LETTER_QUEUE_URL',
  /** JSON of {@link StallThresholdsDocument}: when each status counts as stalled (sweep). */
  STALL_THRESHOLDS: 'STALL_THRESHOLDS',
  /** Seconds without news after which the sweep expires a shipment; `0` never does (sweep). */
  EXPIRE_AFTER_SECONDS: 'EXPIRE_AFTER_SECONDS',
} as const;

/**
 * Seconds a shipment may keep each non-terminal status before the sweep reports
 * it stalled (the `stalledShipments.thresholds` prop). Terminal statuses never stall.
 */
export type StallThresholdsDocument = Readonly<Record<string, number>>;

const DAY_SECONDS = 24 * 60 * 60;

/**
 * The default thresholds: what a shipment normally spends in each status, with
 * room to spare. A parcel out for delivery that is not delivered the same day has
 * stalled; one at a pickup point waits up to a week.
 */
export const DEFAULT_STALL_THRESHOLDS: StallThresholdsDocument = {
  pending: 2 * DAY_SECONDS,
  info_received: 2 * DAY_SECONDS,
  in_transit: 5 * DAY_SECONDS,
  out_for_delivery: 1 * DAY_SECONDS,
  available_for_pickup: 7 * DAY_SECONDS,
  attempt_failed: 2 * DAY_SECONDS,
  exception: 3 * DAY_SECONDS,
};

/**
 * Default time without news after which a shipment expires: 30 days, the
 * convention of tracking services. Expiry ends shipments that will never be
 * scanned again, so the open ones in the status index are the ones that matter.
 */
export const DEFAULT_EXPIRE_AFTER_SECONDS = 30 * DAY_SECONDS;

/** The API configuration document (SSM String parameter, JSON). */
export interface ApiConfigDocument {
  /** Largest accepted request body, in bytes (answered with 413 above it). */
  readonly max_request_bytes: number;
}

/** The feature-flag document (SSM String parameter, JSON). */
export interface FeatureFlagsDocument {
  readonly enhanced_tracking: boolean;
  readonly batch_processing: boolean;
  readonly real_time_notifications: boolean;
}

/** The flags a deployment starts with unless its props say otherwise (the construct's defaults). */
export const DEFAULT_FEATURE_FLAGS: FeatureFlagsDocument = {
  enhanced_tracking: true,
  batch_processing: false,
  real_time_notifications: true,
};

/** Default largest request body. */
export const DEFAULT_MAX_REQUEST_BYTES = 32 * 1024;

/**
 * Default seconds the functions cache both documents (the construct's
 * `configCacheTtl` default), and what they use when CONFIG_CACHE_TTL_SECONDS is unset.
 */
export const DEFAULT_CONFIG_CACHE_TTL_SECONDS = 60;

/**
 * Largest `maxRequestBytes` the construct accepts: a DynamoDB item holds at most
 * 400 KB, and the stored event carries the request plus keys and bookkeeping.
 */
export const MAX_MAX_REQUEST_BYTES = 350 * 1024;

/** Smallest `maxRequestBytes`: a complete update with an id and a location fits in it. */
export const MIN_MAX_REQUEST_BYTES = 1024;
