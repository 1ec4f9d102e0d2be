/**
 * The `logistics-tracking-api local` command: a synthesized app served on this
 * machine until Ctrl-C. Consumers run it from the package
 * (`npx logistics-tracking-api local`); this repository runs it on its example
 * app (`npx projen local`, local/main.ts). See README "Run your stack locally".
 */
import * as path from 'path';
import { SCHEDULES_PATH } from './events/schedules';
import { Runtime, startRuntime } from './runtime';

/** What differs between the package's command and `npx projen local`. */
export interface CliDefaults {
  /** How the user invoked the command, for messages. */
  readonly command: string;
  /** The cloud assembly when `--cdk-out` is not given. */
  readonly cdkOut: string;
}

const PACKAGE_DEFAULTS: CliDefaults = { command: 'npx logistics-tracking-api', cdkOut: 'cdk.out' };

const USAGE = (command: string) => `Usage: ${command} local [options]

Serves a synthesized CDK app that holds a LogisticsTrackingApi on this machine:
the API on 127.0.0.1, its functions on their Lambda runtime's Node, its tables,
parameters, queues, event buses and rules on moto (installed on first use).
Synthesize first (\`cdk synth\`, in any CDK language).

Options:
  --cdk-out DIR              the cloud assembly (default ./cdk.out)
  --stack NAME               the stack, when several hold a LogisticsTrackingApi (or to serve another)
  --construct PATH           the construct, when the stack holds several (e.g. MyStack/Tracking)
  --port N                   the API's port (default: PORT, else 3000)
  --emulator-endpoint URL    use a moto server already running there (it is reset at start)
  --api LOGICAL_ID           the API to serve, by logical id, when tree metadata is off
  --quiet                    keep function logs out of the terminal (they stay in the log directory)
  --webhook-endpoint TEMPLATE_URL=LOCAL_URL
                             deliver the webhook whose endpoint is TEMPLATE_URL to LOCAL_URL (repeatable)
  --webhook-secret ID=VALUE  a secret outside the template that a webhook's connection names (repeatable)
  -h, --help                 this text
`;

/** A mistake in the command line: usage, then exit 2. */
class UsageError extends Error {}

interface Arguments {
  readonly help: boolean;
  readonly cdkOut: string;
  readonly stack?: string;
  readonly construct?: string;
  readonly api?: string;
  readonly port?: string;
  readonly emulatorEndpoint?: string;
  readonly quiet: boolean;
  readonly webhookEndpoints: Record<string, string>;
  readonly webhookSecretValues: Record<string, string>;
}

/** `KEY=VALUE`, split at the first `=` (a URL's query may hold more). */
function pair(flag: string, text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) throw new UsageError(`${flag} takes KEY=VALUE (got ${JSON.stringify(text)})`);
  return [text.slice(0, at), text.slice(at + 1)];
}

const VALUE_FLAGS = new Set(['--cdk-out', '--stack', '--construct', '--api', '--rest-api', '--port', '--emulator-endpoint', '--webhook-endpoint', '--webhook-secret']);

export function parseArguments(argv: readonly string[], defaults: CliDefaults = PACKAGE_DEFAULTS): Arguments {
  const values = new Map<string, string>();
  const webhookEndpoints: Record<string, string> = {};
  const webhookSecretValues: Record<string, string> = {};
  let quiet = false;
  let help = false;
  let subcommand: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    // `--flag=value` is the same as `--flag value`.
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (arg === '--') continue; // `npx projen local -- --flag` passes the separator through.
    if (arg === '-h' || arg === '--help') {
      help = true;
    } else if (arg === '--quiet') {
      quiet = true;
    } else if (VALUE_FLAGS.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
      if (flag === '--webhook-endpoint') {
        const [endpoint, url] = pair(flag, value);
        webhookEndpoints[endpoint] = url;
      } else if (flag === '--webhook-secret') {
        const [secretId, secret] = pair(flag, value);
        webhookSecretValues[secretId] = secret;
      } else {
        values.set(flag === '--rest-api' ? '--api' : flag, value);
      }
    } else if (!arg.startsWith('-') && subcommand === undefined) {
      subcommand = arg;
    } else {
      throw new UsageError(`unknown argument ${arg}`);
    }
  }
  if (!help && subcommand !== 'local') {
    throw new UsageError(subcommand === undefined ? 'say what to do: local' : `unknown command ${subcommand}: the command is local`);
  }
  return {
    help,
    cdkOut: path.resolve(values.get('--cdk-out') ?? defaults.cdkOut),
    stack: values.get('--stack'),
    construct: values.get('--construct'),
    api: values.get('--api'),
    port: values.get('--port'),
    emulatorEndpoint: values.get('--emulator-endpoint'),
    quiet,
    webhookEndpoints,
    webhookSecretValues,
  };
}

/** `--port`, else PORT, else 3000. */
export function parsePort(flag: string | undefined, env: string | undefined): number {
  const text = flag ?? env;
  if (text === undefined || text === '') return 3000;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${flag !== undefined ? '--port' : 'PORT'} must be a port number from 1 to 65535 (got ${JSON.stringify(text)})`);
  }
  return port;
}

/** The start-up report: what runs where, and how to call it. */
export function banner(stack: Runtime): string {
  const { accessKeyId, secretAccessKey } = stack.credentials;
  const sign = `--aws-sigv4 "aws:amz:${stack.region}:execute-api" --user ${accessKeyId}:${secretAccessKey}`;
  const body = JSON.stringify({ tracking_id: 'PKG-1', status: 'in_transit', location: { lat: 52.52, lng: 13.405 } });
  const { template } = stack;
  const { tables, parameters, queues, eventBuses, rules } = stack.provisioned;
  const served = new Set(Object.keys(stack.streamStats()));
  const mappings = template.streamMappings.filter((mapping) => served.has(mapping.logicalId)).map((mapping) => {
    const fn = template.functions.get(mapping.functionLogicalId)!;
    const filtered = mapping.filter.patterns.length > 0 ? ', filtered' : '';
    return `  event source  ${mapping.tableName} stream → ${fn.name} (from ${mapping.startingPosition}, batches of ≤ ${mapping.batchSize}${filtered})`;
  });
  // A reservation turns excess requests into 503s (or 0 into all of them): worth knowing before the first one.
  const pooled = new Set(Object.keys(stack.poolStats()));
  const reservations = [...template.functions.values()]
    .filter((fn) => pooled.has(fn.name) && fn.reservedConcurrency !== undefined)
    .map((fn) => `  concurrency   ${fn.name}: ${fn.reservedConcurrency} reserved; more at once are throttled`);
  const schedules = template.schedules.map((schedule) => {
    const runs = schedule.enabled && schedule.rateMs !== undefined ? `every ${schedule.expression.slice(5, -1)}` : 'on demand only';
    const targets = schedule.targets.map((target) => template.functions.get(target.functionLogicalId)!.name).join(', ');
    return `  schedule      ${schedule.name} → ${targets} (${runs}); now: curl -X POST http://${stack.host}:${stack.port}${SCHEDULES_PATH}${schedule.name}`;
  });
  const emulator = stack.emulator.pid === undefined
    ? `moto at ${stack.emulator.endpoint} (given; reset at start, left running)`
    : `moto on ${stack.emulator.endpoint} (pid ${stack.emulator.pid})`;
  const lines = [
    '',
    `  ${template.stackName}${template.constructPath ? ` (${template.constructPath})` : ''} is running locally`,
    '',
    `  API           ${stack.url}`,
    `  credentials   access key ${accessKeyId}, secret ${secretAccessKey}, region ${stack.region} (SigV4, service execute-api)`,
    `  emulator      ${emulator}`,
    `  OpenAPI       http://${stack.host}:${stack.port}/openapi.json`,
    `  resources     ${tables.length} table(s), ${parameters.length} parameter(s), ${queues.length} queue(s), ${eventBuses.length} event bus(es), ${rules.length} rule(s)`,
    ...mappings,
    ...ruleLines(stack),
    ...schedules,
    ...reservations,
    ...webhookLines(stack),
    `  logs          ${stack.logDir}`,
    ...template.notServed.map((what) => `  not served    ${what}`),
    ...template.warnings.map((what) => `  warning       ${what}`),
    '',
    '  Try:',
    `    curl ${sign} -H 'content-type: application/json' -d '${body}' ${stack.url}track`,
    `    curl ${sign} '${stack.url}status?tracking_id=PKG-1'`,
    ...readQueueLines(stack),
    '',
    '  Ctrl-C stops everything.',
    '',
  ];
  return lines.join('\n');
}

/** Each rule that delivers into a queue: where its events land. */
function ruleLines(stack: Runtime): string[] {
  const { template } = stack;
  return template.rules.flatMap((rule) => rule.targets.map((target) => {
    const queue = template.queues.find((candidate) => candidate.logicalId === target.queueLogicalId);
    return `  rule          ${rule.name} (bus ${rule.eventBusName}) → queue ${queue?.name ?? target.queueLogicalId}: ${queue?.url ?? target.arn}`;
  }));
}

/** How to read a rule's queue with the AWS CLI against the emulator (any SDK works the same way). */
function readQueueLines(stack: Runtime): string[] {
  const { template } = stack;
  const target = template.rules.flatMap((rule) => rule.targets)[0];
  const queue = target && template.queues.find((candidate) => candidate.logicalId === target.queueLogicalId);
  if (!queue) return [];
  const { accessKeyId, secretAccessKey } = stack.credentials;
  return [
    '  Read a rule\'s queue (AWS CLI or any SDK, endpoint = the emulator):',
    `    AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} AWS_REGION=${stack.region} \\`,
    `      aws --endpoint-url ${stack.emulator.endpoint} sqs receive-message --queue-url ${queue.url} --wait-time-seconds 5`,
  ];
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

/**
 * Runs the command: `argv` is what follows the program (`local --port 3001`).
 * Serves until SIGINT, SIGTERM or SIGHUP, then stops everything and exits;
 * a failure to start prints what to do and exits 1 (2 for a usage mistake).
 */
export async function runCli(argv: readonly string[], defaults: CliDefaults = PACKAGE_DEFAULTS): Promise<void> {
  // Only the runtime's own provisioning calls run on this Node; the functions run
  // on their runtime's Node, so the SDK's warning about this one is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let stack: Runtime;
  try {
    const args = parseArguments(argv, defaults);
    if (args.help) {
      process.stdout.write(USAGE(defaults.command));
      return;
    }
    stack = await startRuntime({
      cdkOut: args.cdkOut,
      stackName: args.stack,
      construct: args.construct,
      api: args.api,
      emulatorEndpoint: args.emulatorEndpoint,
      webhookEndpoints: args.webhookEndpoints,
      webhookSecretValues: args.webhookSecretValues,
      port: parsePort(args.port, process.env.PORT),
      functionLog: args.quiet ? () => undefined : (line) => process.stdout.write(`${line}\n`),
      accessLog: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
      progressLog: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${defaults.command} local: ${error.message}\n\n${USAGE(defaults.command)}`);
      process.exit(2);
    }
    process.stderr.write(`\n${defaults.command} local: ${(error as Error).message}\n`);
    process.exit(1);
  }
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
