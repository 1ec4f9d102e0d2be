/**
 * The seed design on the same traffic: what its program would have written,
 * read and logged for each request the benchmark sent, as DynamoDB calls that
 * dynamo-units.ts prices exactly like the construct's recorded ones.
 *
 * The seed (docs/architecture.md#the-seed) stored one item per update, keyed by
 * `tracking_id` and the receive `timestamp`, with the request's fields as sent;
 * a global secondary index on the raw `status` (sort key `timestamp`) projected
 * ALL. So every accepted `POST /track` — a retry and a duplicate too: it had no
 * idempotency key, so a resend was stored again — is one unconditional PutItem
 * of a new item plus its index entry. `GET /status` was one Query of the
 * shipment's newest items (`limit`, the SDK's default eventually consistent read).
 * It had no `GET /shipments` and no batch route: a listing by status is modelled
 * as one Query of its status index for the same page size, and batches are not
 * modelled (the summary compares a batched update with the seed's single one).
 *
 * Its Lambda function logged the whole API Gateway event of each request (one
 * line), besides Lambda's own START/END/REPORT lines. It had no access logs, no
 * X-Ray, no stream processor and no events.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { SentRequest } from './driver';
import type { DynamoCall } from './recorder';
import type { Item, TableDefinition } from './units';
import { buildProxyEvent } from '../../local/gateway/proxy-event';

export const SEED_TABLE: TableDefinition = {
  partitionKey: 'tracking_id',
  sortKey: 'timestamp',
  indexes: [{ name: 'status-index', kind: 'GSI', partitionKey: 'status', sortKey: 'timestamp', projection: 'ALL' }],
};

/** Page size of GET /status and GET /shipments when the request sets none (the contract's default). */
const DEFAULT_LIMIT = 10;

/** The seed's item for one update received at `receivedAtMs`. */
export function seedItem(body: Readonly<Record<string, unknown>>, receivedAtMs: number): Item {
  return marshall({ ...body, timestamp: new Date(receivedAtMs).toISOString() }, { removeUndefinedValues: true }) as Item;
}

/** Per request sent (same order), the seed's DynamoDB calls; undefined for a request the seed had no route for. */
export function seedCalls(sent: readonly SentRequest[]): (DynamoCall[] | undefined)[] {
  const byShipment = new Map<string, Item[]>();
  const byStatus = new Map<string, Item[]>();
  return sent.map((request) => {
    const { planned } = request;
    const limit = Number(planned.query?.limit ?? DEFAULT_LIMIT);
    if (planned.path === '/track' && request.status === 200) {
      const item = seedItem(planned.body!, request.sentAtMs);
      const trackingId = String(planned.body!.tracking_id);
      const status = String(planned.body!.status);
      byShipment.set(trackingId, [...(byShipment.get(trackingId) ?? []), item]);
      byStatus.set(status, [...(byStatus.get(status) ?? []), item]);
      return [{ operation: 'PutItem', ok: true, after: item }];
    }
    if (planned.path === '/status') {
      const items = byShipment.get(String(planned.query?.tracking_id)) ?? [];
      return [{ operation: 'Query', ok: true, read: items.slice(-limit), consistent: false }];
    }
    if (planned.path === '/shipments') {
      const items = byStatus.get(String(planned.query?.status)) ?? [];
      return [{ operation: 'Query', indexName: 'status-index', ok: true, read: items.slice(-limit), consistent: false }];
    }
    return undefined;
  });
}

/**
 * The line the seed's function wrote for a request: Python's logging format in
 * Lambda (`[INFO]`, time, request id) and the whole API Gateway proxy event as
 * JSON, built from the headers and body the benchmark sent, as the REST API's
 * proxy integration would deliver them.
 */
export function seedRequestLogLine(request: SentRequest, stage: string): string {
  const host = 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com';
  const rawHeaders = request.rawHeaders.map((value, i) => (i % 2 === 1 && request.rawHeaders[i - 1].toLowerCase() === 'host' ? host : value));
  const query = request.planned.query ? new URLSearchParams(request.planned.query as Record<string, string>).toString() : '';
  const event = buildProxyEvent({
    method: request.planned.method,
    path: request.planned.path,
    stage,
    stageVariables: {},
    resourcePath: request.planned.path,
    resourceId: 'abc123',
    pathParameters: null,
    rawQuery: query,
    rawHeaders,
    body: Buffer.from(request.bodyText),
    binaryMediaTypes: [],
    sourceIp: '203.0.113.42',
    requestId: request.requestId,
    requestTimeEpoch: request.sentAtMs,
    apiId: 'a1b2c3d4e5',
    accountId: '123456789012',
    accessKeyId: 'ASIA3XFRBF53EXAMPLE7',
    localPort: 443,
  });
  return `[INFO]\t${new Date(request.sentAtMs).toISOString()}\t${request.requestId}\tReceived event: ${JSON.stringify(event)}`;
}
