/**
 * Request units of recorded DynamoDB calls, by the rules of units.ts: the same
 * function prices the construct's calls (recorded by recorder.ts) and the seed
 * design's (modelled by seed.ts), and, with an item transform, a variant of the
 * construct's items (e.g. with the TTL attribute `eventRetention` adds).
 */
import type { DynamoCall } from './recorder';
import { failedConditionalWrite, indexEntry, Item, readCost, successfulWrite, TableDefinition } from './units';

export interface DynamoUnits {
  readonly writeUnits: number;
  readonly readUnits: number;
  /** Write units of the table writes alone, and of each index. */
  readonly tableWriteUnits: number;
  readonly indexWriteUnits: Readonly<Record<string, number>>;
  readonly failedConditions: number;
  /** Successful writes of items `isState` recognizes, and those that changed `status` (or created the item). */
  readonly stateWrites: number;
  readonly statusChanges: number;
}

export interface UnitOptions {
  /** Rewrites every item before it is sized (default: as recorded). */
  readonly transform?: (item: Item) => Item;
  /** Which items are a shipment's state (their writes feed the stream processor). */
  readonly isState?: (item: Item) => boolean;
}

const EMPTY: DynamoUnits = {
  writeUnits: 0, readUnits: 0, tableWriteUnits: 0, indexWriteUnits: {}, failedConditions: 0, stateWrites: 0, statusChanges: 0,
};

export function dynamoUnits(calls: readonly DynamoCall[], table: TableDefinition, options: UnitOptions = {}): DynamoUnits {
  const t = (item: Item | undefined) => (item && options.transform ? options.transform(item) : item);
  let { writeUnits, readUnits, tableWriteUnits, failedConditions, stateWrites, statusChanges } = EMPTY;
  const indexWriteUnits: Record<string, number> = {};
  for (const call of calls) {
    if (call.read !== undefined) {
      if (!call.ok) continue;
      const index = call.indexName ? table.indexes.find((candidate) => candidate.name === call.indexName) : undefined;
      if (call.indexName && !index) throw new Error(`the table has no index ${call.indexName}`);
      const entries = call.read.map((item) => (index ? indexEntry(t(item), table, index) ?? t(item)! : t(item)!));
      readUnits += readCost(entries, call.consistent === true);
      continue;
    }
    if (!call.ok) {
      if (call.errorType !== 'ConditionalCheckFailedException') continue;
      const cost = failedConditionalWrite(t(call.checked));
      failedConditions++;
      writeUnits += cost.units;
      tableWriteUnits += cost.tableUnits;
      continue;
    }
    const cost = successfulWrite(t(call.before), t(call.after), table);
    writeUnits += cost.units;
    tableWriteUnits += cost.tableUnits;
    for (const write of cost.indexWrites) indexWriteUnits[write.index] = (indexWriteUnits[write.index] ?? 0) + write.units;
    const item = call.after ?? call.before;
    if (item && options.isState?.(item)) {
      stateWrites++;
      if (!call.before || call.before.status?.S !== call.after?.status?.S) statusChanges++;
    }
  }
  return { writeUnits, readUnits, tableWriteUnits, indexWriteUnits, failedConditions, stateWrites, statusChanges };
}

/** The table and its secondary indexes as a synthesized template defines them (the one `AWS::DynamoDB::Table`). */
export function tableDefinitionFromTemplate(template: any): TableDefinition {
  const tables = Object.values<any>(template.Resources ?? {}).filter((resource) => resource.Type === 'AWS::DynamoDB::Table');
  if (tables.length !== 1) throw new Error(`expected one AWS::DynamoDB::Table in the template, found ${tables.length}`);
  const properties = tables[0].Properties;
  const keyOf = (schema: any[], type: 'HASH' | 'RANGE'): string | undefined => schema.find((key) => key.KeyType === type)?.AttributeName;
  const projectionOf = (projection: any) => (projection.ProjectionType === 'INCLUDE'
    ? { include: projection.NonKeyAttributes as string[] }
    : projection.ProjectionType as 'ALL' | 'KEYS_ONLY');
  const indexes = [
    ...(properties.LocalSecondaryIndexes ?? []).map((index: any) => ({ ...index, kind: 'LSI' as const })),
    ...(properties.GlobalSecondaryIndexes ?? []).map((index: any) => ({ ...index, kind: 'GSI' as const })),
  ].map((index) => ({
    name: index.IndexName as string,
    kind: index.kind,
    partitionKey: keyOf(index.KeySchema, 'HASH')!,
    sortKey: keyOf(index.KeySchema, 'RANGE'),
    projection: projectionOf(index.Projection),
  }));
  return { partitionKey: keyOf(properties.KeySchema, 'HASH')!, sortKey: keyOf(properties.KeySchema, 'RANGE'), indexes };
}
