/**
 * The price table of `npx projen bench:cost`: AWS list prices in us-east-1, on
 * demand, first pricing tier, free tiers left out (they are per account, not per
 * update). Each entry names the page it comes from.
 *
 * Compiled on the date below from those pages as the maintainers know them
 * (the benchmark runs offline and fetches nothing). DynamoDB's on-demand prices
 * are the ones after the November 2024 reduction (−50 %). Prices change: check
 * the pages before quoting a figure, and change the entry and the date together.
 */

export interface Price {
  /** US dollars per `per` units of `unit`. */
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  readonly source: string;
  readonly note?: string;
}

export const PRICES_AS_OF = '2026-12-01';
export const PRICES_REGION = 'us-east-1';

export const PRICES = {
  apiGatewayRest: {
    usd: 3.5,
    per: 1e6,
    unit: 'REST API requests',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    note: 'first 333 million requests a month; $2.80 up to 667 M more',
  },
  apiGatewayHttp: {
    usd: 1.0,
    per: 1e6,
    unit: 'HTTP API requests (512 KB units)',
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    note: 'first 300 million a month; the construct has no HTTP API flavour today (reference only)',
  },
  lambdaRequests: { usd: 0.2, per: 1e6, unit: 'Lambda invocations', source: 'https://aws.amazon.com/lambda/pricing/' },
  lambdaArm64GbSecond: {
    usd: 0.0000133334,
    per: 1,
    unit: 'GB-second, arm64',
    source: 'https://aws.amazon.com/lambda/pricing/',
    note: 'first 7.5 billion GB-s a month',
  },
  lambdaX86GbSecond: {
    usd: 0.0000166667,
    per: 1,
    unit: 'GB-second, x86_64',
    source: 'https://aws.amazon.com/lambda/pricing/',
    note: 'first 6 billion GB-s a month',
  },
  dynamoDbWrite: {
    usd: 0.625,
    per: 1e6,
    unit: 'on-demand write request units',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    note: 'after the 1 November 2024 reduction; reading the stream from Lambda is free',
  },
  dynamoDbRead: {
    usd: 0.125,
    per: 1e6,
    unit: 'on-demand read request units',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    note: 'after the 1 November 2024 reduction',
  },
  logsIngestion: {
    usd: 0.5,
    per: 2 ** 30,
    unit: 'bytes ingested into CloudWatch Logs (Standard)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    note: 'also the first tier of Lambda\'s vended logs; storage ($0.03/GB-month) is not per update',
  },
  eventBridgeCustomEvents: {
    usd: 1.0, per: 1e6, unit: 'custom events published (64 KB units)', source: 'https://aws.amazon.com/eventbridge/pricing/',
  },
  sqsRequests: { usd: 0.4, per: 1e6, unit: 'SQS standard requests (64 KB units)', source: 'https://aws.amazon.com/sqs/pricing/' },
  xrayTracesRecorded: { usd: 5.0, per: 1e6, unit: 'X-Ray traces recorded', source: 'https://aws.amazon.com/xray/pricing/' },
  wafRequests: {
    usd: 0.6,
    per: 1e6,
    unit: 'requests inspected by an AWS WAF web ACL',
    source: 'https://aws.amazon.com/waf/pricing/',
    note: 'plus $5 per web ACL and $1 per rule a month, not per update',
  },
} as const satisfies Record<string, Price>;

/** Dollars for `quantity` units of `price`. */
export function dollars(price: Price, quantity: number): number {
  return (price.usd * quantity) / price.per;
}
