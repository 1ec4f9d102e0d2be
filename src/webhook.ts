import { Aws, Duration, Fn, RemovalPolicy, SecretValue, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DeadLetterQueueAlarmOptions } from './alarm-options';
import { SHIPMENT_STALLED_EVENT, STATUS_CHANGED_EVENT } from './contract/events';
import { TrackingStatus } from './contract/statuses';
import { ALARM_DEFAULTS } from './private/alarm-defaults';
import { WEBHOOK_DEFAULTS } from './private/webhook-defaults';

/** API destinations' invocation rate limit, per second. */
const RATE_LIMIT_RANGE = { min: 1, max: 300 };
/** A target's RetryPolicy: EventBridge allows 0–185 retries and an event age of 1 minute to 24 hours. */
const RETRY_ATTEMPTS_RANGE = { min: 0, max: 185 };
const EVENT_AGE_RANGE = { min: Duration.minutes(1), max: Duration.hours(24) };
/** An API destination's InvocationEndpoint is at most 2,048 characters. */
const MAX_ENDPOINT_LENGTH = 2048;
/** An HTTP field name (RFC 9110 `token`); EventBridge takes API key names of up to 512 characters. */
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,512}$/;
/** Header names EventBridge sets itself or refuses as an API key name. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'user-agent', 'connection', 'transfer-encoding']);

const PERIOD = Duration.minutes(1);

/**
 * A webhook: where `Tracking Status Changed` events (and, if asked, `Tracking
 * Shipment Stalled` events) are POSTed, and how.
 *
 * The receiver gets one JSON request per event, `Content-Type: application/json`:
 *
 * ```json
 * {
 *   "id": "6f1c…",                       // the EventBridge event id: the same on every retry; deduplicate on it
 *   "type": "Tracking Status Changed",   // or "Tracking Shipment Stalled"
 *   "time": "2026-05-02T09:30:01Z",      // when the event was published
 *   "data": { "tracking_id": "PKG-1", "previous_status": "in_transit", "status": "delivered", … }
 * }
 * ```
 *
 * `data` is the event's `detail`, exactly as `onStatusChanged` targets receive
 * it (`StatusChangedDetail` or `ShipmentStalledDetail`). Every request carries the
 * header `headerName` whose value is the secret's value: the receiver reads the
 * secret and compares the header with it in constant time (Node:
 * `crypto.timingSafeEqual`; Python: `hmac.compare_digest`), and answers 401 when
 * they differ. EventBridge API destinations cannot sign a request (no HMAC), so
 * the shared secret is the whole proof: serve the endpoint over HTTPS only.
 */
export interface WebhookProps {
  /**
   * The receiver's URL: `https://`, at most 2,048 characters. A `*` in the path
   * is not substituted (no path parameters are set).
   */
  readonly endpoint: string;

  /**
   * Only changes *to* these statuses are delivered; with `includeStalled`, only
   * stalls *in* these statuses.
   * @default - every status change (and every stall, with `includeStalled`)
   */
  readonly statuses?: TrackingStatus[];

  /**
   * Deliver `Tracking Shipment Stalled` events as well as status changes.
   * @default false
   */
  readonly includeStalled?: boolean;

  /**
   * The secret whose value (its whole `SecretString`) the receiver expects in the
   * `headerName` header. EventBridge copies the value into the webhook's connection
   * when the stack is deployed: after rotating it, deploy again (or update the
   * connection) before the receiver stops accepting the old value.
   * @default - a new secret of 64 random letters and digits, encrypted with the
   * construct's `encryptionKey` when it has one (read it with `webhook.secret`)
   */
  readonly secret?: secretsmanager.ISecret;

  /**
   * The request header that carries the secret's value.
   * @default 'X-Webhook-Secret'
   */
  readonly headerName?: string;

  /**
   * At most this many requests per second (1–300). Events above the rate wait in
   * EventBridge, and a wait counts against `maxEventAge`.
   * @default 10
   */
  readonly rateLimitPerSecond?: number;

  /**
   * How many times EventBridge retries a delivery that failed with a timeout (5 s),
   * a connection error, 401, 407, 409, 429 or 5xx (0–185), with exponential backoff.
   * Any other answer outside 2xx is not retried. A delivery that stays failed goes
   * to the webhook's dead-letter queue.
   * @default 185 (EventBridge's most; `maxEventAge` usually ends the retries first)
   */
  readonly retryAttempts?: number;

  /**
   * How long EventBridge keeps trying to deliver an event (1 minute to 24 hours),
   * counted from the event's publication; then it goes to the dead-letter queue.
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;

  /**
   * The dead-letter queue's depth alarm: any message there is an event the receiver
   * never accepted.
   * @default - on, 1 message in 1 of 1 minutes
   */
  readonly deadLetterQueueAlarm?: DeadLetterQueueAlarmOptions;

  /**
   * Description of the EventBridge rule.
   * @default - names the endpoint and the statuses
   */
  readonly description?: string;
}

/** The props of a {@link Webhook} on any bus that carries the tracking events. */
export interface WebhookConstructProps extends WebhookProps {
  /** The bus the stream processor publishes to (`LogisticsTrackingApi.eventBus`). */
  readonly eventBus: events.IEventBus;

  /**
   * Encrypts the dead-letter queue and the created secret; EventBridge is allowed
   * to use it for the queue.
   * @default - SQS-managed encryption for the queue, the AWS-managed key for the secret
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the dead-letter queue and the created secret when they leave
   * the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Run on ALARM and on OK of the webhook's alarms.
   * @default - none
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/**
 * Delivers tracking events to an HTTPS endpoint through an EventBridge API
 * destination: a connection with an API-key header (see {@link WebhookProps} for
 * the payload and how the receiver authenticates it), a rate limit, bounded
 * retries, and a dead-letter queue with alarms. Usually created with
 * `LogisticsTrackingApi.addWebhook`, which also puts it on the dashboard.
 */
export class Webhook extends Construct {
  /** The secret whose value every request carries in `headerName`. */
  public readonly secret: secretsmanager.ISecret;
  /** The request header that carries the secret's value. */
  public readonly headerName: string;
  /** The EventBridge connection (API-key authorization). */
  public readonly connection: events.Connection;
  /** The EventBridge API destination (endpoint, POST, rate limit). */
  public readonly apiDestination: events.ApiDestination;
  /** The rule that matches the events and delivers them. */
  public readonly rule: events.Rule;
  /** Events whose delivery failed for good, as EventBridge published them, for inspection and replay. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The webhook's alarms: the dead-letter queue's depth (unless turned off) and events lost on the way to it. */
  public readonly alarms: cloudwatch.Alarm[];
  /** Dashboard widgets of the webhook: deliveries and failures, and the dead-letter queue's depth. */
  public readonly widgets: cloudwatch.IWidget[];

  constructor(scope: Construct, id: string, props: WebhookConstructProps) {
    super(scope, id);
    validateWebhookProps(props);

    const statuses = props.statuses ?? [];
    const includeStalled = props.includeStalled ?? false;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.headerName = props.headerName ?? WEBHOOK_DEFAULTS.headerName;

    this.secret = props.secret ?? this.createSecret(props.encryptionKey, removalPolicy);
    this.connection = new events.Connection(this, 'Connection', {
      description: 'LogisticsTrackingApi webhook: the API-key header of every request',
      authorization: events.Authorization.apiKey(this.headerName, SecretValue.secretsManager(this.secret.secretArn)),
    });
    this.apiDestination = new events.ApiDestination(this, 'Destination', {
      description: 'LogisticsTrackingApi webhook endpoint',
      connection: this.connection,
      endpoint: props.endpoint,
      httpMethod: events.HttpMethod.POST,
      rateLimitPerSecond: props.rateLimitPerSecond ?? WEBHOOK_DEFAULTS.rateLimitPerSecond,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      ...(props.encryptionKey
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      removalPolicy,
    });
    for (const rule of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      Validations.of(this.deadLetterQueue).acknowledge({
        id: rule,
        reason: 'This queue is itself the dead-letter queue of the webhook\'s rule target: it holds undelivered events to inspect and replay, and nothing consumes it automatically.',
      });
    }
    if (props.encryptionKey) {
      // EventBridge sends to the queue itself, so SQS asks KMS on its behalf. The
      // account condition rather than the rule's ARN: a key from another stack would
      // otherwise depend on this one, which depends on it.
      props.encryptionKey.grant(
        new iam.ServicePrincipal('events.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } }),
        'kms:Decrypt', 'kms:GenerateDataKey');
    }

    const detailTypes: string[] = [STATUS_CHANGED_EVENT.detailType, ...(includeStalled ? [SHIPMENT_STALLED_EVENT.detailType] : [])];
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.eventBus,
      description: props.description ?? describe(props.endpoint, statuses, includeStalled),
      eventPattern: {
        source: [STATUS_CHANGED_EVENT.source],
        detailType: detailTypes,
        ...(statuses.length > 0 ? { detail: { status: statuses } } : {}),
      },
      targets: [new targets.ApiDestination(this.apiDestination, {
        event: events.RuleTargetInput.fromObject({
          id: events.EventField.eventId,
          type: events.EventField.detailType,
          time: events.EventField.time,
          data: events.EventField.fromPath('$.detail'),
        }),
        retryAttempts: props.retryAttempts ?? WEBHOOK_DEFAULTS.retryAttempts,
        maxEventAge: props.maxEventAge ?? WEBHOOK_DEFAULTS.maxEventAge,
        deadLetterQueue: this.deadLetterQueue,
      })],
    });

    const metric = (metricName: string) => new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName,
      dimensionsMap: ruleDimensions(this.rule, props.eventBus),
      statistic: cloudwatch.Stats.SUM,
      period: PERIOD,
    });
    const metrics = {
      invocations: metric('Invocations'),
      failed: metric('FailedInvocations'),
      retries: metric('RetryInvocationAttempts'),
      sentToDlq: metric('InvocationsSentToDlq'),
      lost: metric('InvocationsFailedToBeSentToDlq'),
      dlqDepth: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM }),
    };

    this.alarms = [];
    const dlqAlarm = props.deadLetterQueueAlarm ?? {};
    const dlqDefaults = ALARM_DEFAULTS.deadLetterQueue;
    if (dlqAlarm.enabled ?? true) {
      this.alarms.push(new cloudwatch.Alarm(this, 'DeadLetterQueueAlarm', {
        alarmDescription: `Webhook ${props.endpoint}: undelivered events in the dead-letter queue`,
        metric: metrics.dlqDepth,
        threshold: dlqAlarm.maxMessageCount ?? dlqDefaults.maxMessageCount,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: dlqAlarm.evaluationPeriods ?? dlqDefaults.evaluationPeriods,
        datapointsToAlarm: dlqAlarm.datapointsToAlarm ?? dlqDefaults.datapointsToAlarm,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }
    // Not optional: an event that could not even reach the dead-letter queue (a key
    // or queue policy that refuses EventBridge) is gone.
    this.alarms.push(new cloudwatch.Alarm(this, 'LostEventsAlarm', {
      alarmDescription: `Webhook ${props.endpoint}: undelivered events that could not be put in the dead-letter queue (lost)`,
      metric: metrics.lost,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(...props.alarmActions ?? []);
      alarm.addOkAction(...props.alarmActions ?? []);
    }

    const name = this.node.id;
    this.widgets = [
      new cloudwatch.GraphWidget({
        title: `${name}: deliveries and failures`,
        left: [metrics.invocations, metrics.failed, metrics.sentToDlq, metrics.lost],
        right: [metrics.retries],
        width: 12,
      }),
      new cloudwatch.GraphWidget({ title: `${name}: dead-letter queue depth`, left: [metrics.dlqDepth], width: 12 }),
    ];
  }

  private createSecret(encryptionKey: kms.IKey | undefined, removalPolicy: RemovalPolicy): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'LogisticsTrackingApi webhook: the value every request carries in its API-key header',
      encryptionKey,
      removalPolicy,
      // Letters and digits only: the value travels in an HTTP header, unquoted.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'EventBridge copies the value into the webhook connection at deployment, so an automatic rotation would leave the connection sending the old value until the next deployment; rotate by deploying a new value.',
    });
    return secret;
  }
}

/** The rule's metrics are by RuleName on the default bus, by EventBusName and RuleName on any other. */
function ruleDimensions(rule: events.Rule, bus: events.IEventBus): Record<string, string> {
  if (!Token.isUnresolved(bus.eventBusName) && bus.eventBusName === 'default') return { RuleName: rule.ruleName };
  // On a custom bus the rule's Ref is `<bus>|<rule>`.
  return { EventBusName: bus.eventBusName, RuleName: Fn.select(1, Fn.split('|', rule.ruleName)) };
}

function describe(endpoint: string, statuses: readonly string[], includeStalled: boolean): string {
  const what = [
    statuses.length > 0 ? `status changes to ${statuses.join(', ')}` : 'status changes',
    ...(includeStalled ? [statuses.length > 0 ? `stalls in ${statuses.join(', ')}` : 'stalls'] : []),
  ].join(' and ');
  const to = Token.isUnresolved(endpoint) ? 'a webhook' : endpoint;
  // EventBridge rule descriptions are at most 512 characters.
  return `Tracking ${what} to ${to}`.slice(0, 512);
}

function fail(message: string): never {
  throw new Error(`Webhook: ${message}`);
}

function validateWebhookProps(props: WebhookProps): void {
  const { endpoint } = props;
  if (!Token.isUnresolved(endpoint)) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || url.protocol !== 'https:') {
      fail(`endpoint must be an https:// URL (got ${JSON.stringify(endpoint)}): EventBridge API destinations call HTTPS endpoints only`);
    }
    if (endpoint.length > MAX_ENDPOINT_LENGTH) {
      fail(`endpoint must be at most ${MAX_ENDPOINT_LENGTH} characters (got ${endpoint.length}): the limit of an API destination's endpoint`);
    }
  }
  const header = props.headerName;
  if (header !== undefined && !Token.isUnresolved(header)) {
    if (!HEADER_NAME_PATTERN.test(header)) {
      fail(`headerName must be an HTTP header name of 1 to 512 letters, digits and !#$%&'*+.^_\`|~- (got ${JSON.stringify(header)})`);
    }
    if (RESERVED_HEADERS.has(header.toLowerCase())) {
      fail(`headerName must not be ${header}: EventBridge sets that header itself; choose another, e.g. '${WEBHOOK_DEFAULTS.headerName}'`);
    }
  }
  const rate = props.rateLimitPerSecond;
  if (rate !== undefined && !Token.isUnresolved(rate) && !(Number.isInteger(rate) && rate >= RATE_LIMIT_RANGE.min && rate <= RATE_LIMIT_RANGE.max)) {
    fail(`rateLimitPerSecond must be a whole number between ${RATE_LIMIT_RANGE.min} and ${RATE_LIMIT_RANGE.max} (got ${rate}): the range of an API destination's invocation rate`);
  }
  const retries = props.retryAttempts;
  if (retries !== undefined && !Token.isUnresolved(retries)
    && !(Number.isInteger(retries) && retries >= RETRY_ATTEMPTS_RANGE.min && retries <= RETRY_ATTEMPTS_RANGE.max)) {
    fail(`retryAttempts must be a whole number between ${RETRY_ATTEMPTS_RANGE.min} and ${RETRY_ATTEMPTS_RANGE.max} (got ${retries}): EventBridge's retry policy allows no more`);
  }
  const age = props.maxEventAge;
  if (age !== undefined && !age.isUnresolved()) {
    const seconds = age.toSeconds({ integral: false });
    if (!(Number.isInteger(seconds) && seconds >= EVENT_AGE_RANGE.min.toSeconds() && seconds <= EVENT_AGE_RANGE.max.toSeconds())) {
      fail(`maxEventAge must be a whole number of seconds between 1 minute and 24 hours (got ${age.toHumanString()}): EventBridge's retry policy allows no other`);
    }
  }
  const alarm = props.deadLetterQueueAlarm;
  if (alarm) {
    const periods = alarm.evaluationPeriods ?? ALARM_DEFAULTS.deadLetterQueue.evaluationPeriods;
    const checkWhole = (name: string, value: number | undefined, max: number, why: string) => {
      if (value !== undefined && !Token.isUnresolved(value) && !(Number.isInteger(value) && value >= 1 && value <= max)) {
        fail(`deadLetterQueueAlarm.${name} must be a whole number between 1 and ${max} (got ${value}): ${why}`);
      }
    };
    checkWhole('evaluationPeriods', alarm.evaluationPeriods, 1440, 'CloudWatch evaluates at most one day of one-minute periods');
    checkWhole('datapointsToAlarm', alarm.datapointsToAlarm, Token.isUnresolved(periods) ? 1440 : periods,
      'an alarm cannot need more breaching periods than it evaluates');
    checkWhole('maxMessageCount', alarm.maxMessageCount, Number.MAX_SAFE_INTEGER, 'a queue depth is a count of messages');
  }
}
