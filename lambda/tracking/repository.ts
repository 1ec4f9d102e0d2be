import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from './clients';
import { callOptions } from './deadline';
import { eraseShipment, type Erasure } from './erasure';
import { eventItem, oldItem, toEventRecord, toShipmentState, type EventRecord, type ShipmentState } from './items';
import {
  isHistoryPageKey, isStatusPagePositions, listByStatus, listHistory, type HistoryPageKey, type StatusShardPosition, type StatusSinceRange,
} from './pages';
import { applyToState, getStateItem, type StateChange } from './state-write';
import { settingsFromEnvironment, type TableAccess, type TrackingRepositorySettings } from './table-access';
import { eventKey, TABLE_LAYOUT } from '../../src/contract/table';
import { isConditionalCheckFailed } from '../shared/aws-errors';

/**
 * The tracking table as the routes see it: store an event once, move a shipment's
 * state, read a state, page through history and statuses. Everything else works
 * with plain records. The pieces: keys in src/contract/table.ts, items and records
 * in items.ts, the state write path in state-write.ts, paged reads in pages.ts
 * (docs/data-model.md describes the table).
 */
export class TrackingRepository {
  /** Settings from the function's environment (set by the construct). */
  public static settingsFromEnvironment(env: NodeJS.ProcessEnv): TrackingRepositorySettings {
    return settingsFromEnvironment(env);
  }

  private readonly table: TableAccess;

  constructor(client: DynamoDBDocumentClient, settings: TrackingRepositorySettings) {
    this.table = { client, settings };
  }

  /**
   * Stores an event unless (tracking_id, event_id) is already stored. On a duplicate
   * nothing is written and the *stored* event is returned — so reusing an event_id
   * with a different payload is answered as a duplicate and changes nothing.
   */
  public async putEvent(event: EventRecord): Promise<{ readonly event: EventRecord; readonly duplicate: boolean }> {
    const { client, settings } = this.table;
    try {
      await client.send(new PutCommand({
        TableName: settings.tableName,
        Item: eventItem(event, settings.eventTtlSeconds),
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': TABLE_LAYOUT.partitionKey },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }), callOptions());
      return { event, duplicate: false };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const stored = oldItem(error) ?? await this.getEvent(event.tracking_id, event.event_id);
      return { event: stored ? toEventRecord(stored) : event, duplicate: true };
    }
  }

  /** Adds a shipment's events to its state item (state-write.ts). */
  public applyToState(events: readonly EventRecord[]): Promise<StateChange> {
    return applyToState(this.table, events);
  }

  /** The state item, or undefined for an unknown shipment. */
  public async getState(trackingId: string): Promise<ShipmentState | undefined> {
    const item = await getStateItem(this.table, trackingId);
    return item ? toShipmentState(item) : undefined;
  }

  /** One page of a shipment's events, newest first (pages.ts). */
  public listHistory(trackingId: string, limit: number, startKey?: HistoryPageKey): ReturnType<typeof listHistory> {
    return listHistory(this.table, trackingId, limit, startKey);
  }

  /** One page of the shipments whose current status is `status`, those that took it most recently first (pages.ts). */
  public listByStatus(
    status: string, limit: number, positions?: readonly StatusShardPosition[], range?: StatusSinceRange,
  ): ReturnType<typeof listByStatus> {
    return listByStatus(this.table, status, limit, positions, range);
  }

  /** Deletes every item of a shipment (erasure.ts). */
  public eraseShipment(trackingId: string): Promise<Erasure> {
    return eraseShipment(this.table, trackingId);
  }

  /** Whether `positions` has the shape of this table's status-index positions (cursor validation). */
  public isStatusPagePositions(positions: unknown): positions is StatusShardPosition[] {
    return isStatusPagePositions(this.table.settings, positions);
  }

  /** Whether `key` has the shape of a history page key of this shipment (cursor validation). */
  public isHistoryPageKey(trackingId: string, key: unknown): key is HistoryPageKey {
    return isHistoryPageKey(trackingId, key);
  }

  private async getEvent(trackingId: string, eventId: string): Promise<Record<string, unknown> | undefined> {
    const output = await this.table.client.send(new GetCommand({
      TableName: this.table.settings.tableName,
      Key: eventKey(trackingId, eventId),
      ConsistentRead: true,
    }), callOptions());
    return output.Item;
  }
}

/** The repository over the function's table, shared by every invocation. */
export const repository = new TrackingRepository(dynamoDb, settingsFromEnvironment(process.env));
