/**
 * `npx projen local`: the example app (or any synthesized app) served on this
 * machine. See README "Local runtime".
 *
 *   PORT=3000 (default)  the API's port
 *   --cdk-out DIR        the cloud assembly (default example/cdk.out)
 *   --stack NAME         the stack, when the assembly has several
 *   --api ID             the API to serve (a RestApi's or an HTTP API's logical id), when the stack has several
 *   --rest-api ID        the same, the older name (RestApis)
 *   --quiet              no function log in the terminal (it is still in the log directory)
 *   --webhook-endpoint TEMPLATE_URL=LOCAL_URL
 *                        deliver the webhook whose endpoint is TEMPLATE_URL to LOCAL_URL (repeatable);
 *                        an unmapped webhook is not delivered
 *   --webhook-secret ID=VALUE
 *                        the value of a secret outside the template (ARN or name) a webhook's connection names (repeatable)
 */
import * as path from 'path';
import { SCHEDULES_PATH } from './events/schedules';
import { Runtime, startRuntime } from './runtime';

interface Arguments {
  readonly cdkOut: string;
  readonly stackName?: string;
  readonly api?: string;
  readonly restApi?: string;
  readonly quiet: boolean;
  readonly webhookEndpoints: Record<string, string>;
  readonly webhookSecretValues: Record<string, string>;
}

/** `KEY=VALUE`, split at the first `=` (a URL's query may hold more). */
function pair(flag: string, text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) throw new Error(`${flag} takes KEY=VALUE (got ${JSON.stringify(text)})`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function parseArguments(argv: readonly string[]): Arguments {
  const values = new Map<string, string>();
  let quiet = false;
  const webhookEndpoints: Record<string, string> = {};
  const webhookSecretValues: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--') {
      // `npx projen local -- --flag` passes the separator through.
      continue;
    } else if (flag === '--quiet') {
      quiet = true;
    } else if (flag === '--webhook-endpoint' && argv[i + 1] !== undefined) {
      const [endpoint, url] = pair(flag, argv[++i]);
      webhookEndpoints[endpoint] = url;
    } else if (flag === '--webhook-secret' && argv[i + 1] !== undefined) {
      const [secretId, value] = pair(flag, argv[++i]);
      webhookSecretValues[secretId] = value;
    } else if (['--cdk-out', '--stack', '--api', '--rest-api'].includes(flag) && argv[i + 1] !== undefined) {
      values.set(flag, argv[++i]);
    } else {
      throw new Error(`unknown argument ${flag}; use --cdk-out DIR, --stack NAME, --api LOGICAL_ID, --rest-api LOGICAL_ID, --quiet, --webhook-endpoint URL=LOCAL_URL, --webhook-secret ID=VALUE`);
    }
  }
  return {
    cdkOut: path.resolve(values.get('--cdk-out') ?? path.join(__dirname, '..', 'example', 'cdk.out')),
    stackName: values.get('--stack'),
    api: values.get('--api'),
    restApi: values.get('--rest-api'),
    quiet,
    webhookEndpoints,
    webhookSecretValues,
  };
}

function parsePort(text: string | undefined): number {
  if (text === undefined || text === '') return 3000;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`PORT must be a port number from 1 to 65535 (got ${JSON.stringify(text)})`);
  return port;
}

function banner(stack: Runtime): string {
  const { accessKeyId, secretAccessKey } = stack.credentials;
  const sign = `--aws-sigv4 "aws:amz:${stack.region}:execute-api" --user ${accessKeyId}:${secretAccessKey}`;
  const body = JSON.stringify({ tracking_id: 'PKG-1', status: 'in_transit', location: { lat: 52.52, lng: 13.405 } });
  const { tables, parameters, queues, eventBuses, rules } = stack.provisioned;
  const served = new Set(Object.keys(stack.streamStats()));
  const mappings = stack.template.streamMappings.filter((mapping) => served.has(mapping.logicalId)).map((mapping) => {
    const fn = stack.template.functions.get(mapping.functionLogicalId)!;
    const filtered = mapping.filter.patterns.length > 0 ? ', filtered' : '';
    return `  event source  ${mapping.tableName} stream → ${fn.name} (from ${mapping.startingPosition}, batches of ≤ ${mapping.batchSize}${filtered})`;
  });
  // A reservation turns excess requests into 503s (or 0 into all of them): worth knowing before the first one.
  const pooled = new Set(Object.keys(stack.poolStats()));
  const reservations = [...stack.template.functions.values()]
    .filter((fn) => pooled.has(fn.name) && fn.reservedConcurrency !== undefined)
    .map((fn) => `  concurrency   ${fn.name}: ${fn.reservedConcurrency} reserved; more at once are throttled`);
  const schedules = stack.template.schedules.map((schedule) => {
    const runs = schedule.enabled && schedule.rateMs !== undefined ? `every ${schedule.expression.slice(5, -1)}` : 'on demand only';
    const targets = schedule.targets.map((target) => stack.template.functions.get(target.functionLogicalId)!.name).join(', ');
    return `  schedule      ${schedule.name} → ${targets} (${runs}); now: curl -X POST http://${stack.host}:${stack.port}${SCHEDULES_PATH}${schedule.name}`;
  });
  const lines = [
    '',
    `  ${stack.template.stackName} is running locally`,
    '',
    `  API           ${stack.url}`,
    `  credentials   access key ${accessKeyId}, secret ${secretAccessKey}, region ${stack.region} (SigV4, service execute-api)`,
    `  emulator      moto on ${stack.emulator.endpoint} (pid ${stack.emulator.pid})`,
    `  OpenAPI       http://${stack.host}:${stack.port}/openapi.json`,
    `  resources     ${tables.length} table(s), ${parameters.length} parameter(s), ${queues.length} queue(s), ${eventBuses.length} event bus(es), ${rules.length} rule(s)`,
    ...mappings,
    ...schedules,
    ...reservations,
    ...webhookLines(stack),
    `  logs          ${stack.logDir}`,
    ...stack.template.notServed.map((what) => `  not served    ${what}`),
    ...stack.template.warnings.map((what) => `  warning       ${what}`),
    '',
    '  Try:',
    `    curl ${sign} -H 'content-type: application/json' -d '${body}' ${stack.url}track`,
    `    curl ${sign} '${stack.url}status?tracking_id=PKG-1'`,
    '',
    '  Ctrl-C stops everything.',
    '',
  ];
  return lines.join('\n');
}

/** Where each webhook goes, how it is authenticated, and which ones go nowhere. */
function webhookLines(stack: Runtime): string[] {
  return stack.webhooks.flatMap((route) => {
    const { spec } = route;
    const name = `${spec.ruleName} → ${spec.destination.endpoint}`;
    if (!route.url) {
      return [`  warning       webhook ${name} is not delivered: map it to a local receiver with --webhook-endpoint ${spec.destination.endpoint}=http://127.0.0.1:PORT/PATH`];
    }
    const secret = route.secretName ? `secret ${route.secretName} on the emulator` : 'a value written in the template';
    const { maximumRetryAttempts, maximumEventAgeSeconds } = spec.retryPolicy;
    const lines = [
      `  webhook       ${name} → ${route.url}`,
      `                header ${spec.connection.apiKeyName}: ${secret}; ≤ ${spec.destination.rateLimitPerSecond}/s, ≤ ${maximumRetryAttempts} retries`
        + ` within ${maximumEventAgeSeconds} s${spec.deadLetterQueueLogicalId ? `, then ${spec.deadLetterQueueLogicalId}` : ''}`,
    ];
    if (route.secretGenerated) {
      lines.push(`  warning       secret ${route.secretName} is not in this template: its value on the emulator was generated; give one with --webhook-secret ID=VALUE`);
    }
    return lines;
  });
}

async function main(): Promise<void> {
  // Only the runtime's own provisioning calls run on this Node; the functions run
  // on their runtime's Node (24), so the SDK's warning about this one is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = parseArguments(process.argv.slice(2));
  const port = parsePort(process.env.PORT);
  const stack = await startRuntime({
    cdkOut: args.cdkOut,
    stackName: args.stackName,
    api: args.api,
    restApi: args.restApi,
    webhookEndpoints: args.webhookEndpoints,
    webhookSecretValues: args.webhookSecretValues,
    port,
    functionLog: args.quiet ? () => undefined : (line) => process.stdout.write(`${line}\n`),
    accessLog: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  process.stdout.write(banner(stack));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the API, the function workers and moto...\n`);
    stack.stop().then(() => process.exit(0), (error) => {
      process.stderr.write(`error while stopping: ${(error as Error).message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));
}

main().catch((error) => {
  process.stderr.write(`\nnpx projen local: ${(error as Error).message}\n`);
  process.exit(1);
});
