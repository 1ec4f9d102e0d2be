/**
 * Environment for the stall sweep under test. Imported first by every test file
 * here, because the sweep reads its settings when its modules load.
 */
export const TEST_ENV = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'tracking-test',
  HISTORY_INDEX_NAME: 'history',
  STATUS_INDEX_NAME: 'by-status',
  STATUS_INDEX_SHARDS: '8',
  EVENT_TTL_SECONDS: '0',
  STALL_THRESHOLDS: JSON.stringify({ in_transit: 5 * 86_400 }),
  EXPIRE_AFTER_SECONDS: String(30 * 86_400),
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
} as const;

Object.assign(process.env, TEST_ENV);
