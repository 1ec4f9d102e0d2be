import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE_LAYOUT } from '../contract/table';

export interface TrackingTableOptions {
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
  readonly encryptionKey?: kms.IKey;
}

/**
 * The single table (see docs/data-model.md): event items and one state item per
 * shipment under `TRACK#<id>`, history ordered by a local secondary index, current
 * statuses listed through a sparse, sharded global secondary index.
 */
export function createTrackingTable(scope: Construct, options: TrackingTableOptions): dynamodb.Table {
  const str = dynamodb.AttributeType.STRING;
  const table = new dynamodb.Table(scope, 'Table', {
    partitionKey: { name: TABLE_LAYOUT.partitionKey, type: str },
    sortKey: { name: TABLE_LAYOUT.sortKey, type: str },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: options.deletionProtection,
    removalPolicy: options.removalPolicy,
    timeToLiveAttribute: TABLE_LAYOUT.ttlAttribute,
    ...(options.encryptionKey
      ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: options.encryptionKey }
      : {}),
  });

  // An event's identity is its sort key (EVENT#<event_id>); this index orders a
  // shipment's history by `<event_time>#<event_id>` with one write per event.
  // The state item has no history_sk, so it never appears here
  // (docs/decisions/0008-events-keyed-by-event-id.md).
  table.addLocalSecondaryIndex({
    indexName: TABLE_LAYOUT.historyIndex,
    sortKey: { name: TABLE_LAYOUT.historySortKey, type: str },
    projectionType: dynamodb.ProjectionType.ALL,
  });

  // Only state items carry status_pk, so the index is sparse. Its partition key
  // is STATUS#<status>#<shard>: a raw-status key would put every write of a
  // popular status on one partition and throttle the base table
  // (docs/decisions/0009-sharded-status-index.md).
  // Its sort key is <status_since>#<tracking_id>, and it projects the keys and the
  // stall mark only: a scan that leaves the status as it is changes none of them,
  // so it writes nothing to the index (docs/decisions/0016-cost-per-update.md),
  // and the stall sweep tells a reported stall from a new one without reading
  // state items (the mark changes once per stall).
  table.addGlobalSecondaryIndex({
    indexName: TABLE_LAYOUT.statusIndex,
    partitionKey: { name: TABLE_LAYOUT.statusPartitionKey, type: str },
    sortKey: { name: TABLE_LAYOUT.statusSortKey, type: str },
    projectionType: dynamodb.ProjectionType.INCLUDE,
    nonKeyAttributes: [TABLE_LAYOUT.stalledSortKey],
  });
  return table;
}

/** Seconds an event item lives, for the handler's TTL attribute; 0 keeps events forever. */
export function eventTtlSeconds(retention: Duration | undefined): number {
  return retention ? retention.toSeconds() : 0;
}
