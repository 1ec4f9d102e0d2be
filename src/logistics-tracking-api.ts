import { Annotations, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ApiType } from './api-type';
import { ApiAuthorization, ApiAuthorizationType } from './authorization';
import { SHIPMENT_DELETED_EVENT, SHIPMENT_STALLED_EVENT, STATUS_CHANGED_EVENT } from './contract/events';
import { RouteDefinition, ROUTES } from './contract/routes';
import {
  ApiConfigDocument, DEFAULT_CONFIG_CACHE_TTL_SECONDS, DEFAULT_FEATURE_FLAGS, DEFAULT_MAX_REQUEST_BYTES, ENV, FeatureFlagsDocument,
} from './contract/runtime-config';
import { TABLE_LAYOUT } from './contract/table';
import { createParameters } from './private/configuration';
import { allowLogsToUseKey } from './private/encryption';
import { createHttpApi } from './private/http-api';
import { ApiStageMetrics, createMonitoring, dashboardUrl } from './private/monitoring';
import { createNetwork } from './private/network';
import { createNotifications } from './private/notifications';
import { createRestApi } from './private/rest-api';
import { createTrackingTable, eventTtlSeconds } from './private/storage';
import { createSweep, sweepSettings } from './private/sweep';
import { createTrackingFunction } from './private/tracking-function';
import { validateProps, WARNINGS } from './private/validate-props';
import { LogisticsTrackingApiProps } from './props';
import { ShipmentStalledRuleOptions } from './stalled-shipments';
import { StatusChangedRuleOptions } from './status-changed';
import { Webhook, WebhookProps } from './webhook';

/**
 * A complete serverless shipment-tracking service: API Gateway (REST or HTTP
 * API) → Lambda → DynamoDB, configuration and feature flags in SSM Parameter Store, alarms
 * with actions and a dashboard.
 *
 * ```ts
 * const tracking = new LogisticsTrackingApi(this, 'Tracking', { stageName: 'prod' });
 * tracking.grantIngest(scannerFleetRole);
 * ```
 */
export class LogisticsTrackingApi extends Construct {
  /** The DynamoDB table holding events and current shipment states. */
  public readonly table: dynamodb.Table;
  /** The tracking handler behind every route. */
  public readonly handler: lambda.Function;
  /** The tracking handler's log group. */
  public readonly handlerLogGroup: logs.LogGroup;
  /** The tracking handler's execution role. */
  public readonly handlerRole: iam.Role;
  /** Which kind of API serves the routes (the `apiType` prop). */
  public readonly apiType: ApiType;
  /** The REST API; undefined with `ApiType.HTTP`. */
  public readonly api?: apigateway.RestApi;
  /** The REST API's stage (named by the `stageName` prop); undefined with `ApiType.HTTP`. */
  public readonly stage?: apigateway.Stage;
  /** The HTTP API; undefined with `ApiType.REST`. */
  public readonly httpApi?: apigatewayv2.HttpApi;
  /** The HTTP API's stage (named by the `stageName` prop); undefined with `ApiType.REST`. */
  public readonly httpStage?: apigatewayv2.HttpStage;
  /** The API access log group (JSON lines). */
  public readonly accessLogGroup: logs.LogGroup;
  /**
   * The REST API's request validator of the contract's routes: it checks their
   * required query parameters. Bodies are validated by the handler, whose 400
   * names each offending field. Undefined with `ApiType.HTTP`, where the handler
   * checks the query parameters too.
   */
  public readonly requestValidator?: apigateway.RequestValidator;
  /**
   * The REST API's `TrackingUpdate` model (the contract's JSON schema) of
   * `POST /track` bodies. It documents the body in the API's SDK and OpenAPI
   * exports; the handler validates bodies against the same schema. Undefined
   * with `ApiType.HTTP`.
   */
  public readonly trackingUpdateModel?: apigateway.Model;
  /** The API configuration parameter (JSON), read by the handler at run time. */
  public readonly configParameter: ssm.StringParameter;
  /** The feature-flag parameter (JSON), read by the handler at run time. */
  public readonly featureFlagsParameter: ssm.StringParameter;
  /** The parameter holding the table name, for other consumers of the table. */
  public readonly tableNameParameter: ssm.StringParameter;
  /** The stream processor that publishes status changes. */
  public readonly streamProcessor: lambda.Function;
  /** The stream processor's log group. */
  public readonly streamProcessorLogGroup: logs.LogGroup;
  /** The bus that receives `Tracking Status Changed` events (created, or the `eventBus` prop). */
  public readonly eventBus: events.IEventBus;
  /** Records the stream processor could not publish, with their content, for inspection and replay. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The topic alarms notify, when the construct created it or was given one. */
  public readonly alarmTopic?: sns.ITopic;
  /** The alarms that are on (see the `alarmOptions` prop). */
  public readonly alarms: cloudwatch.Alarm[];
  /** The operations dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The stall sweep; undefined when `stalledShipments.enabled` is false. */
  public readonly sweepFunction?: lambda.Function;
  /** The stall sweep's log group; undefined when the sweep is off. */
  public readonly sweepLogGroup?: logs.LogGroup;
  /** The schedule that runs the stall sweep; undefined when the sweep is off. */
  public readonly sweepSchedule?: events.Rule;

  /** Base URL of the API stage, ending in `/`. */
  public readonly apiUrl: string;
  /** Name of the table. */
  public readonly tableName: string;
  /** Name of the tracking handler function (`handler`). */
  public readonly handlerFunctionName: string;
  /** Console address of the dashboard. */
  public readonly dashboardUrl: string;
  /** URL of the dead-letter queue. */
  public readonly deadLetterQueueUrl: string;

  /** What resources added after construction (webhooks) share with the construct's own. */
  private readonly shared: {
    readonly encryptionKey?: kms.IKey;
    readonly removalPolicy: RemovalPolicy;
    readonly alarmActions: cloudwatch.IAlarmAction[];
  };

  constructor(scope: Construct, id: string, props: LogisticsTrackingApiProps = {}) {
    super(scope, id);

    const stageName = props.stageName ?? 'dev';
    validateProps(this, props, stageName);
    const authorization = props.authorization ?? ApiAuthorization.iam();
    if (authorization.type === ApiAuthorizationType.NONE) {
      Annotations.of(this).addWarningV2(WARNINGS.unauthenticatedApi,
        'authorization is none(): anyone who can reach the endpoint can write tracking events. Acknowledge this warning if another gate protects the API.');
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const config: ApiConfigDocument = { max_request_bytes: props.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES };
    const flags: FeatureFlagsDocument = {
      enhanced_tracking: props.featureFlags?.enhancedTracking ?? DEFAULT_FEATURE_FLAGS.enhanced_tracking,
      batch_processing: props.featureFlags?.batchProcessing ?? DEFAULT_FEATURE_FLAGS.batch_processing,
      real_time_notifications: props.featureFlags?.realTimeNotifications ?? DEFAULT_FEATURE_FLAGS.real_time_notifications,
    };

    if (props.encryptionKey) allowLogsToUseKey(this, props.encryptionKey);
    const network = props.vpc && createNetwork(this, {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      createVpcEndpoints: props.createVpcEndpoints ?? false,
    });

    // Storage
    this.table = createTrackingTable(this, {
      removalPolicy,
      deletionProtection: props.deletionProtection ?? true,
      encryptionKey: props.encryptionKey,
    });

    // Configuration and feature flags
    const parameters = createParameters(this, {
      path: props.parameterPath ?? `/logistics-tracking/${stageName}`,
      config,
      flags,
      tableName: this.table.tableName,
    });
    this.configParameter = parameters.config;
    this.featureFlagsParameter = parameters.featureFlags;
    this.tableNameParameter = parameters.tableName;

    // The tracking handler
    const configCacheTtlSeconds = (props.configCacheTtl ?? Duration.seconds(DEFAULT_CONFIG_CACHE_TTL_SECONDS)).toSeconds();
    // Where the table is and how its items are kept: the handler's and the sweep's.
    const tableEnvironment = {
      [ENV.TABLE_NAME]: this.table.tableName,
      [ENV.HISTORY_INDEX_NAME]: TABLE_LAYOUT.historyIndex,
      [ENV.STATUS_INDEX_NAME]: TABLE_LAYOUT.statusIndex,
      [ENV.STATUS_INDEX_SHARDS]: String(TABLE_LAYOUT.statusShards),
      [ENV.EVENT_TTL_SECONDS]: String(eventTtlSeconds(props.eventRetention)),
    };
    const tracking = createTrackingFunction(this, {
      table: this.table,
      memorySize: props.handlerMemorySize ?? 512,
      logRetention,
      removalPolicy,
      encryptionKey: props.encryptionKey,
      network,
      reservedConcurrentExecutions: props.handlerReservedConcurrency,
      environment: {
        ...tableEnvironment,
        [ENV.CONFIG_PARAMETER_NAME]: this.configParameter.parameterName,
        [ENV.FLAGS_PARAMETER_NAME]: this.featureFlagsParameter.parameterName,
        [ENV.CONFIG_CACHE_TTL_SECONDS]: String(configCacheTtlSeconds),
        [ENV.DEFAULT_CONFIG]: JSON.stringify(config),
        [ENV.DEFAULT_FLAGS]: JSON.stringify(flags),
        [ENV.CURSOR_KEY]: Stack.of(this).stackId,
        POWERTOOLS_SERVICE_NAME: 'logistics-tracking',
        POWERTOOLS_METRICS_NAMESPACE: 'LogisticsTracking',
      },
    });
    this.handler = tracking.function;
    this.handlerLogGroup = tracking.logGroup;
    this.handlerRole = tracking.role;
    // Exactly the one call the config loader makes (lambda/shared/config.ts); grantRead
    // would add DescribeParameters, GetParameter and GetParameterHistory, never called.
    tracking.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ssm:GetParameters'],
      resources: [this.configParameter.parameterArn, this.featureFlagsParameter.parameterArn],
    }));

    // Status-change events
    const notifications = createNotifications(this, {
      table: this.table,
      flagsParameter: this.featureFlagsParameter,
      eventBus: props.eventBus,
      encryptionKey: props.encryptionKey,
      logRetention,
      removalPolicy,
      configCacheTtlSeconds,
      defaultFlags: JSON.stringify(flags),
      network,
      reservedConcurrentExecutions: props.streamProcessorReservedConcurrency,
    });
    this.streamProcessor = notifications.processor.function;
    this.streamProcessorLogGroup = notifications.processor.logGroup;
    this.eventBus = notifications.eventBus;
    this.deadLetterQueue = notifications.deadLetterQueue;

    // The API
    this.apiType = props.apiType ?? ApiType.HTTP;
    const apiOptions = {
      stageName,
      handler: this.handler,
      authorization,
      rateLimit: props.throttling?.rateLimit ?? 100,
      burstLimit: props.throttling?.burstLimit ?? 200,
      logRetention,
      removalPolicy,
      encryptionKey: props.encryptionKey,
    };
    let apiStage: ApiStageMetrics;
    if (this.apiType === ApiType.HTTP) {
      const http = createHttpApi(this, apiOptions);
      this.httpApi = http.api;
      this.httpStage = http.stage;
      this.accessLogGroup = http.accessLogGroup;
      // HttpStage.url has no trailing slash; RestApi.url has one.
      this.apiUrl = `${http.stage.url}/`;
      apiStage = http.stage;
    } else {
      const rest = createRestApi(this, {
        ...apiOptions,
        manageAccountRole: props.manageApiGatewayAccountRole ?? false,
        webAclArn: props.webAclArn,
      });
      this.api = rest.api;
      this.stage = rest.api.deploymentStage;
      this.accessLogGroup = rest.accessLogGroup;
      this.requestValidator = rest.requestValidator;
      this.trackingUpdateModel = rest.trackingUpdateModel;
      this.apiUrl = rest.api.url;
      apiStage = this.stage;
    }

    // Alarms and dashboard
    const actions = [...(props.alarmActions ?? [])];
    this.alarmTopic = props.alarmTopic ?? (props.alarmActions ? undefined : this.createAlarmTopic(props));
    if (this.alarmTopic) actions.push(new cloudwatchActions.SnsAction(this.alarmTopic));
    const monitoring = createMonitoring(this, {
      stage: apiStage,
      handler: this.handler,
      table: this.table,
      streamProcessor: this.streamProcessor,
      deadLetterQueue: this.deadLetterQueue,
      alarmOptions: props.alarmOptions ?? {},
      actions,
    });
    this.alarms = monitoring.alarms;
    this.dashboard = monitoring.dashboard;
    this.shared = { encryptionKey: props.encryptionKey, removalPolicy, alarmActions: actions };

    // Stalled shipments
    const stalled = props.stalledShipments ?? {};
    if (stalled.enabled ?? true) {
      const sweep = createSweep(this, {
        settings: sweepSettings(stalled),
        table: this.table,
        tableEnvironment,
        logRetention,
        removalPolicy,
        encryptionKey: props.encryptionKey,
        network,
        alarm: props.alarmOptions?.sweepErrors,
        actions,
      });
      this.sweepFunction = sweep.function;
      this.sweepLogGroup = sweep.logGroup;
      this.sweepSchedule = sweep.schedule;
      if (sweep.alarm) this.alarms.push(sweep.alarm);
      this.dashboard.addWidgets(...sweep.widgets);
    } else if (Object.keys(stalled).some((key) => key !== 'enabled')) {
      throw new Error('LogisticsTrackingApi: stalledShipments has settings but enabled is false: remove them, or enable the sweep');
    }

    this.tableName = this.table.tableName;
    this.handlerFunctionName = this.handler.functionName;
    this.dashboardUrl = dashboardUrl(this.dashboard);
    this.deadLetterQueueUrl = this.deadLetterQueue.queueUrl;
  }

  /**
   * Sends `Tracking Status Changed` events to `target` through a rule on the
   * event bus, optionally only for changes to some statuses. Events carry
   * `tracking_id`, `previous_status`, `status`, `event_time`, `location`,
   * `event_id` and `version` in `detail`.
   *
   * @param id construct id of the rule, unique among this construct's rules
   * @param target where matching events go
   * @param options which changes match
   */
  public onStatusChanged(id: string, target: events.IRuleTarget, options: StatusChangedRuleOptions = {}): events.Rule {
    const statuses = options.statuses ?? [];
    return new events.Rule(this, `StatusChanged${id}`, {
      eventBus: this.eventBus,
      description: options.description
        ?? (statuses.length > 0 ? `Tracking status changed to ${statuses.join(', ')}` : 'Tracking status changed'),
      eventPattern: {
        source: [STATUS_CHANGED_EVENT.source],
        detailType: [STATUS_CHANGED_EVENT.detailType],
        ...(statuses.length > 0 ? { detail: { status: statuses } } : {}),
      },
      targets: [target],
    });
  }

  /**
   * Sends `Tracking Shipment Stalled` events to `target` through a rule on the
   * event bus, optionally only for stalls in some statuses. The stall sweep
   * publishes one per stall: a shipment that kept a non-terminal status longer
   * than that status's threshold (`stalledShipments.thresholds`); one that moves
   * and stalls again is published again. Events carry `tracking_id`, `status`,
   * `status_since` (a stall is identified by tracking_id, status and status_since), `updated_at`,
   * `threshold_seconds`, `stalled_at`, `location` and `version` in `detail`.
   *
   * @param id construct id of the rule, unique among this construct's rules
   * @param target where matching events go
   * @param options which stalls match
   */
  public onShipmentStalled(id: string, target: events.IRuleTarget, options: ShipmentStalledRuleOptions = {}): events.Rule {
    const statuses = options.statuses ?? [];
    return new events.Rule(this, `ShipmentStalled${id}`, {
      eventBus: this.eventBus,
      description: options.description
        ?? (statuses.length > 0 ? `Tracking shipment stalled in ${statuses.join(', ')}` : 'Tracking shipment stalled'),
      eventPattern: {
        source: [SHIPMENT_STALLED_EVENT.source],
        detailType: [SHIPMENT_STALLED_EVENT.detailType],
        ...(statuses.length > 0 ? { detail: { status: statuses } } : {}),
      },
      targets: [target],
    });
  }

  /**
   * Sends `Tracking Shipment Deleted` events to `target` through a rule on the
   * event bus: one per shipment erased by `DELETE /shipments/{tracking_id}`
   * (reason `request`) or removed by retention (`eventRetention`, reason
   * `retention`), so downstream copies of its data can be erased too. Events
   * carry `tracking_id`, `status`, `reason` and `version` in `detail`.
   *
   * @param id construct id of the rule, unique among this construct's rules
   * @param target where the events go
   */
  public onShipmentDeleted(id: string, target: events.IRuleTarget): events.Rule {
    return new events.Rule(this, `ShipmentDeleted${id}`, {
      eventBus: this.eventBus,
      description: 'Tracking shipment deleted',
      eventPattern: { source: [SHIPMENT_DELETED_EVENT.source], detailType: [SHIPMENT_DELETED_EVENT.detailType] },
      targets: [target],
    });
  }

  /**
   * Lets `grantee` ingest tracking updates: call `POST /track` and
   * `POST /track/batch` on this stage, and no other route.
   *
   * Grants `execute-api:Invoke` on exactly those two methods; it matters only
   * with IAM authorization (the default).
   */
  public grantIngest(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes(grantee, 'ingest');
  }

  /**
   * Lets `grantee` read tracking data: call `GET /status` and `GET /shipments`
   * on this stage, and no other route.
   *
   * Grants `execute-api:Invoke` on exactly those two methods; it matters only
   * with IAM authorization (the default).
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes(grantee, 'read');
  }

  /**
   * Lets `grantee` erase shipments: call `DELETE /shipments/{tracking_id}` on
   * this stage, and no other route. Erasure removes every item of a shipment;
   * give it to the data-protection process, not to the scanner fleet.
   *
   * Grants `execute-api:Invoke` on exactly that method; it matters only with IAM
   * authorization (the default).
   */
  public grantErase(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes(grantee, 'erase');
  }

  /** Invoke on the method ARN of every contract route that names `grant`. */
  private grantRoutes(grantee: iam.IGrantable, grant: RouteDefinition['grant']): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: Object.values<RouteDefinition>(ROUTES)
        .filter((route) => route.grant === grant)
        .map((route) => this.methodArn(route)),
    });
  }

  /** The execute-api ARN of a contract route on this stage, REST or HTTP (both are `<api>/<stage>/<METHOD><path>`). */
  private methodArn(route: RouteDefinition): string {
    if (this.httpApi && this.httpStage) return this.httpApi.arnForExecuteApi(route.method, route.path, this.httpStage.stageName);
    return this.api!.arnForExecuteApi(route.method, route.path, this.stage!.stageName);
  }

  private createAlarmTopic(props: LogisticsTrackingApiProps): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'LogisticsTrackingApi alarms',
      enforceSSL: true,
      masterKey: props.encryptionKey,
    });
    if (props.encryptionKey) {
      // CloudWatch must be able to use the key to publish to an encrypted topic.
      props.encryptionKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    } else {
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason: 'Alarm notifications carry alarm names and states, no shipment data; CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key. Pass encryptionKey to encrypt the topic with a customer-managed key.',
      });
    }
    return topic;
  }

  /**
   * Delivers status changes (and, with `includeStalled`, stalls) to an HTTPS
   * endpoint through an EventBridge API destination, with a rate limit, bounded
   * retries and a dead-letter queue. The webhook's alarms join `alarms` and notify
   * the construct's alarm actions; its widgets join the dashboard. See
   * {@link WebhookProps} for the payload and how the receiver authenticates it.
   *
   * @param id construct id of the webhook (`Webhook<id>`), unique among this construct's webhooks
   * @param props where and what to deliver
   */
  public addWebhook(id: string, props: WebhookProps): Webhook {
    const webhook = new Webhook(this, `Webhook${id}`, {
      ...props,
      eventBus: this.eventBus,
      encryptionKey: this.shared.encryptionKey,
      removalPolicy: this.shared.removalPolicy,
      alarmActions: this.shared.alarmActions,
    });
    // The dashboard's alarm widget holds this very array, so these show there too.
    this.alarms.push(...webhook.alarms);
    this.dashboard.addWidgets(...webhook.widgets);
    return webhook;
  }
}
