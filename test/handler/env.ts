/**
 * Environment for the handler under test. Imported first by every handler test
 * file, because the handler reads its environment when its modules load.
 */
export const TEST_ENV = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'tracking-test',
  HISTORY_INDEX_NAME: 'history',
  CONFIG_PARAMETER_NAME: '/logistics-tracking/test/config',
  FLAGS_PARAMETER_NAME: '/logistics-tracking/test/flags',
  // Every request asks SSM, so each test's SSM mock decides; caching has its own tests.
  CONFIG_CACHE_TTL_SECONDS: '0',
  EVENT_TTL_SECONDS: '0',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
} as const;

Object.assign(process.env, TEST_ENV);
