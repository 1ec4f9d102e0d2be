import { IntrinsicResolver, TemplateError } from './intrinsics';
import type { FunctionSpec, QueueSpec, TableSpec } from './template';
import { compileEventFilter, EventFilter } from '../events/event-filter';

/**
 * Event source mappings, read for the local runtime: those whose source is the
 * stream of one of the template's tables are served (local/events/stream-mapping.ts);
 * any other source (SQS, Kinesis, Kafka, MQ) is reported as not served.
 *
 * Properties that would change what the function receives or answers and that
 * are not emulated fail at start-up (TumblingWindowInSeconds). Properties that
 * only tune delivery are accepted and not applied — see README "Local runtime":
 * MaximumBatchingWindowInSeconds (records are delivered as soon as they are
 * polled), ParallelizationFactor (one batch at a time per shard),
 * MaximumRecordAgeInSeconds (records are young locally).
 */

export interface StreamMappingSpec {
  readonly logicalId: string;
  readonly functionLogicalId: string;
  readonly tableLogicalId: string;
  readonly tableName: string;
  /** @default 100 (Lambda's default for DynamoDB streams) */
  readonly batchSize: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly bisectBatchOnFunctionError: boolean;
  /** -1: until the record expires (Lambda's default). */
  readonly maximumRetryAttempts: number;
  readonly reportBatchItemFailures: boolean;
  readonly filter: EventFilter;
  /** Where discarded batches' metadata goes, when it is a queue of this template. */
  readonly onFailure?: { readonly queueLogicalId: string; readonly arn: string };
}

const STREAM_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/([^/]+)\/stream\//;

/** The function a mapping's FunctionName (a name, an ARN or a partial ARN, with or without a qualifier) designates. */
function functionNamed(value: string, functions: ReadonlyMap<string, FunctionSpec>): FunctionSpec | undefined {
  const parts = value.split(':');
  const at = parts.indexOf('function');
  const name = at >= 0 ? parts[at + 1] : parts[0];
  return [...functions.values()].find((fn) => fn.name === name);
}

export function readEventSourceMappings(
  ids: readonly string[],
  resolver: IntrinsicResolver,
  tables: readonly TableSpec[],
  functions: ReadonlyMap<string, FunctionSpec>,
  queues: readonly QueueSpec[],
  notServed: string[],
  warnings: string[],
): StreamMappingSpec[] {
  const mappings: StreamMappingSpec[] = [];
  for (const id of ids) {
    const props = resolver.properties(id);
    const where = `Resources.${id}.Properties`;
    const source = String(props.EventSourceArn ?? '');
    const streamOf = STREAM_ARN.exec(source);
    if (!streamOf) {
      notServed.push(`${id} (an event source mapping for ${source || 'no source'}: only DynamoDB streams run locally)`);
      continue;
    }
    const table = tables.find((candidate) => candidate.name === streamOf[1]);
    if (!table) {
      notServed.push(`${id} (the stream of table ${streamOf[1]}, which is not in this template)`);
      continue;
    }
    const fn = functionNamed(String(props.FunctionName), functions);
    if (!fn) {
      notServed.push(`${id} (function ${props.FunctionName} is not in this template)`);
      continue;
    }
    if (props.Enabled === false || props.Enabled === 'false') {
      notServed.push(`${id} (disabled)`);
      continue;
    }
    if (!table.createTable.StreamSpecification) {
      throw new TemplateError(`${where}.EventSourceArn: table ${table.name} (${table.logicalId}) has no stream`);
    }
    if (props.TumblingWindowInSeconds !== undefined && Number(props.TumblingWindowInSeconds) > 0) {
      throw new TemplateError(`${where}.TumblingWindowInSeconds: tumbling windows (state passed between invocations) are not served by the local runtime`);
    }
    const startingPosition = String(props.StartingPosition ?? '');
    if (startingPosition !== 'TRIM_HORIZON' && startingPosition !== 'LATEST') {
      throw new TemplateError(`${where}.StartingPosition: a DynamoDB stream starts at TRIM_HORIZON or LATEST (got ${startingPosition || 'nothing'})`);
    }

    let onFailure: StreamMappingSpec['onFailure'];
    const destination = props.DestinationConfig?.OnFailure?.Destination as string | undefined;
    if (destination !== undefined) {
      const queue = queues.find((candidate) => candidate.arn === destination);
      if (queue) onFailure = { queueLogicalId: queue.logicalId, arn: destination };
      else warnings.push(`${id}: the on-failure destination ${destination} is not a queue of this template; discarded batches are only logged`);
    }

    mappings.push({
      logicalId: id,
      functionLogicalId: fn.logicalId,
      tableLogicalId: table.logicalId,
      tableName: table.name,
      batchSize: Number(props.BatchSize ?? 100),
      startingPosition,
      bisectBatchOnFunctionError: props.BisectBatchOnFunctionError === true || props.BisectBatchOnFunctionError === 'true',
      maximumRetryAttempts: Number(props.MaximumRetryAttempts ?? -1),
      reportBatchItemFailures: ((props.FunctionResponseTypes ?? []) as string[]).includes('ReportBatchItemFailures'),
      filter: compileEventFilter(props.FilterCriteria?.Filters, `${where}.FilterCriteria.Filters`),
      onFailure,
    });
  }
  return mappings;
}
