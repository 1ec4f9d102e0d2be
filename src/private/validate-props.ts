import { Annotations, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ALARM_DEFAULTS, AlarmName } from './alarm-defaults';
import { AlarmOptions, TrackingAlarmOptions } from '../alarm-options';
import { ApiType } from '../api-type';
import { MAX_MAX_REQUEST_BYTES, MIN_MAX_REQUEST_BYTES } from '../contract/runtime-config';
import { LogisticsTrackingApiProps } from '../props';

/** Warning ids a user can acknowledge with `Annotations.of(scope).acknowledgeWarning(id)`. */
export const WARNINGS = {
  destroyOnProd: 'logistics-tracking-api:destroyOnProductionStage',
  httpApiThrottledHandler: 'logistics-tracking-api:httpApiThrottledHandler',
  importedKeyPolicy: 'logistics-tracking-api:importedKeyPolicy',
  infiniteLogRetention: 'logistics-tracking-api:infiniteLogRetention',
  unauthenticatedApi: 'logistics-tracking-api:unauthenticatedApi',
} as const;

const STAGE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const PARAMETER_PATH_PATTERN = /^(\/[A-Za-z0-9_.-]+)+$/;
const WEB_ACL_ARN_PATTERN = /^arn:[\w-]+:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[\w-]{1,128}\/[0-9a-f-]{36}$/;
/** API Gateway stops waiting for an integration after 29 s. */
const API_GATEWAY_TIMEOUT = Duration.seconds(29);

function fail(message: string): never {
  throw new Error(`LogisticsTrackingApi: ${message}`);
}

function checkNumber(name: string, value: number | undefined, min: number, max: number, why: string, integer = true): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const wholeOk = !integer || Number.isInteger(value);
  if (!wholeOk || !(value >= min && value <= max)) {
    fail(`${name} must be ${integer ? 'a whole number ' : ''}between ${min} and ${max} (got ${value}): ${why}`);
  }
}

/** `Duration.toHumanString` says "1 milli"; say "1 ms". */
function human(duration: Duration): string {
  const ms = duration.toMilliseconds();
  return ms < 1000 ? `${ms} ms` : duration.toHumanString();
}

function checkDuration(name: string, value: Duration | undefined, min: Duration, max: Duration, why: string): void {
  if (value === undefined || value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  if (ms < min.toMilliseconds() || ms > max.toMilliseconds()) {
    fail(`${name} must be between ${human(min)} and ${human(max)} (got ${human(value)}): ${why}`);
  }
}

function checkAlarm(alarm: AlarmName, options: AlarmOptions | undefined): void {
  if (!options) return;
  const name = `alarmOptions.${alarm}`;
  checkNumber(`${name}.evaluationPeriods`, options.evaluationPeriods, 1, 1440, 'CloudWatch evaluates at most one day of one-minute periods');
  const periods = options.evaluationPeriods ?? ALARM_DEFAULTS[alarm].evaluationPeriods;
  checkNumber(`${name}.datapointsToAlarm`, options.datapointsToAlarm, 1, Token.isUnresolved(periods) ? 1440 : periods,
    'an alarm cannot need more breaching periods than it evaluates');
}

/**
 * Validates props eagerly, skipping unresolved tokens. Errors name the prop,
 * the value and what is allowed; risky but legal choices become warnings a
 * user can acknowledge by id.
 */
export function validateProps(scope: Construct, props: LogisticsTrackingApiProps, stageName: string): void {
  if (!Token.isUnresolved(stageName) && !STAGE_PATTERN.test(stageName)) {
    fail(`stageName must be 1-64 letters, digits, '-' or '_' (got '${stageName}'): it names the API Gateway stage and an SSM path segment`);
  }
  const path = props.parameterPath;
  if (path !== undefined && !Token.isUnresolved(path)) {
    if (!PARAMETER_PATH_PATTERN.test(path) || path.length > 900) {
      fail(`parameterPath must look like '/team/tracking/prod': segments of letters, digits, '.', '-' or '_', no trailing '/', at most 900 characters (got '${path}')`);
    }
    if (/^\/(aws|ssm)(\/|$)/i.test(path)) {
      fail(`parameterPath must not start with /aws or /ssm (got '${path}'): SSM reserves those prefixes`);
    }
  }

  checkNumber('throttling.rateLimit', props.throttling?.rateLimit, 1, 10_000, 'API Gateway\'s default account quota is 10,000 requests per second', false);
  checkNumber('throttling.burstLimit', props.throttling?.burstLimit, 1, 5_000, 'API Gateway\'s default account burst quota is 5,000 requests');
  checkNumber('maxRequestBytes', props.maxRequestBytes, MIN_MAX_REQUEST_BYTES, MAX_MAX_REQUEST_BYTES,
    'a DynamoDB item holds at most 400 KB and the stored event carries the request plus its keys');
  checkNumber('handlerMemorySize', props.handlerMemorySize, 128, 10_240, 'Lambda functions have 128 MB to 10,240 MB of memory');
  checkDuration('configCacheTtl', props.configCacheTtl, Duration.seconds(1), Duration.hours(1),
    'every cold or expired cache reads SSM, whose standard throughput is 40 reads per second, and a longer cache delays flag changes');
  if (props.eventRetention && !props.eventRetention.isUnresolved() && props.eventRetention.toSeconds() < Duration.days(1).toSeconds()) {
    fail(`eventRetention must be at least 1 day (got ${human(props.eventRetention)}): DynamoDB TTL deletes items up to a few days late, so shorter retention is not honoured`);
  }

  for (const name of ['handlerReservedConcurrency', 'streamProcessorReservedConcurrency'] as const) {
    const value = props[name];
    if (value !== undefined && !Token.isUnresolved(value) && !(Number.isInteger(value) && value >= 1)) {
      fail(`${name} must be a whole number of at least 1 (got ${value}): a reservation of 0 throttles every invocation`);
    }
  }
  if (!props.vpc) {
    for (const name of ['vpcSubnets', 'securityGroups', 'createVpcEndpoints'] as const) {
      if (props[name] !== undefined) fail(`${name} needs vpc: without a VPC the functions run in Lambda's own network`);
    }
  }
  if (props.securityGroups && props.securityGroups.length === 0) {
    fail('securityGroups must name at least one security group (leave it out for the construct\'s own, outbound HTTPS only)');
  }
  if ((props.apiType ?? ApiType.HTTP) === ApiType.HTTP) {
    if (props.handlerReservedConcurrency !== undefined) {
      Annotations.of(scope).addWarningV2(WARNINGS.httpApiThrottledHandler,
        'handlerReservedConcurrency with an HTTP API: a request over the reservation is answered 500 by API Gateway, which does not tell clients to retry; '
        + 'apiType REST answers it 503 with Retry-After. Acknowledge this warning if your clients retry 5xx answers.');
    }
    if (props.webAclArn !== undefined) {
      fail('webAclArn needs apiType REST: AWS WAF cannot be associated with an HTTP API (put a CloudFront distribution with the web ACL in front of it instead)');
    }
    if (props.manageApiGatewayAccountRole) {
      fail('manageApiGatewayAccountRole needs apiType REST: an HTTP API writes its access logs without the account\'s API Gateway CloudWatch role');
    }
  }
  const webAclArn = props.webAclArn;
  if (webAclArn !== undefined && !Token.isUnresolved(webAclArn)) {
    if (/^arn:[\w-]+:wafv2:[\w-]*:\d{12}:global\/webacl\//.test(webAclArn)) {
      fail(`webAclArn names a CloudFront-scope web ACL (got '${webAclArn}'): a regional REST API stage needs a web ACL of REGIONAL scope`);
    }
    if (!WEB_ACL_ARN_PATTERN.test(webAclArn)) {
      fail(`webAclArn must be the ARN of a regional WAFv2 web ACL, arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id> (got '${webAclArn}')`);
    }
  }

  const alarms: TrackingAlarmOptions = props.alarmOptions ?? {};
  for (const alarm of Object.keys(ALARM_DEFAULTS) as AlarmName[]) checkAlarm(alarm, alarms[alarm]);
  const alwaysFires = 'an alarm at 0 would always fire';
  checkNumber('alarmOptions.apiClientErrors.maxErrorCount', alarms.apiClientErrors?.maxErrorCount, 1, 1e9, alwaysFires);
  checkNumber('alarmOptions.apiServerErrors.maxErrorCount', alarms.apiServerErrors?.maxErrorCount, 1, 1e9, alwaysFires);
  checkDuration('alarmOptions.apiLatency.maxLatency', alarms.apiLatency?.maxLatency, Duration.millis(1), API_GATEWAY_TIMEOUT,
    'API Gateway stops waiting at 29 s');
  checkNumber('alarmOptions.handlerErrors.maxErrorCount', alarms.handlerErrors?.maxErrorCount, 1, 1e9, alwaysFires);
  checkNumber('alarmOptions.handlerThrottles.maxThrottleCount', alarms.handlerThrottles?.maxThrottleCount, 1, 1e9, alwaysFires);
  checkNumber('alarmOptions.tableThrottles.maxThrottledRequestCount', alarms.tableThrottles?.maxThrottledRequestCount, 1, 1e9, alwaysFires);
  checkNumber('alarmOptions.deadLetterQueue.maxMessageCount', alarms.deadLetterQueue?.maxMessageCount, 1, 1e9, alwaysFires);
  checkNumber('alarmOptions.sweepErrors.maxErrorCount', alarms.sweepErrors?.maxErrorCount, 1, 1e9, alwaysFires);
  checkDuration('alarmOptions.streamIteratorAge.maxIteratorAge', alarms.streamIteratorAge?.maxIteratorAge, Duration.seconds(1), Duration.hours(24),
    'a DynamoDB stream keeps records for 24 hours');

  if (props.removalPolicy === RemovalPolicy.DESTROY && !Token.isUnresolved(stageName) && /^prod/i.test(stageName)) {
    Annotations.of(scope).addWarningV2(WARNINGS.destroyOnProd,
      `removalPolicy is DESTROY on stage '${stageName}': removing the construct deletes every shipment's history. Acknowledge this warning if that is intended.`);
  }
  if (props.logRetention === logs.RetentionDays.INFINITE) {
    Annotations.of(scope).addWarningV2(WARNINGS.infiniteLogRetention,
      'logRetention is INFINITE: logs are billed for as long as they are kept. Acknowledge this warning if that is intended.');
  }
}
