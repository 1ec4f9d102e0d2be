import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../../src/contract/runtime-config';
import { TABLE_LAYOUT } from '../../src/contract/table';

/** Where the repository finds the table, and how it keeps items (set by the construct). */
export interface TrackingRepositorySettings {
  readonly tableName: string;
  readonly historyIndexName: string;
  readonly statusIndexName: string;
  /** Shards per status in the status index. */
  readonly statusShards: number;
  /** Seconds an event item lives; 0 keeps it forever. */
  readonly eventTtlSeconds: number;
}

/** The table as the repository's modules use it: a client and its settings. */
export interface TableAccess {
  readonly client: DynamoDBDocumentClient;
  readonly settings: TrackingRepositorySettings;
}

/** Settings from the function's environment, with the table layout as defaults. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): TrackingRepositorySettings {
  return {
    tableName: env[ENV.TABLE_NAME] ?? '',
    historyIndexName: env[ENV.HISTORY_INDEX_NAME] || TABLE_LAYOUT.historyIndex,
    statusIndexName: env[ENV.STATUS_INDEX_NAME] || TABLE_LAYOUT.statusIndex,
    statusShards: positiveInteger(env[ENV.STATUS_INDEX_SHARDS]) ?? TABLE_LAYOUT.statusShards,
    eventTtlSeconds: positiveInteger(env[ENV.EVENT_TTL_SECONDS]) ?? 0,
  };
}

function positiveInteger(text: string | undefined): number | undefined {
  const value = text === undefined ? NaN : Number(text);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}
