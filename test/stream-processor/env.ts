/**
 * Environment for the stream processor under test. Imported first by every test
 * file here, because the processor reads its environment when its modules load.
 */
export const TEST_ENV = {
  AWS_REGION: 'us-east-1',
  EVENT_BUS_NAME: 'tracking-events-test',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/tracking-dlq-test',
  TABLE_NAME: 'tracking-test',
  HISTORY_INDEX_NAME: 'history',
  FLAGS_PARAMETER_NAME: '/logistics-tracking/test/flags',
  // Every invocation asks SSM, so each test's SSM mock decides the flags.
  CONFIG_CACHE_TTL_SECONDS: '0',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
} as const;

Object.assign(process.env, TEST_ENV);
// The stream processor reads the flags document only (least privilege: the construct grants just that parameter).
delete process.env.CONFIG_PARAMETER_NAME;
