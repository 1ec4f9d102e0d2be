/**
 * Asserts that the Python, Java and Go consumer apps synthesized the same CloudFormation
 * template as their TypeScript twin (test/bindings/.work/<lang>/cdk.out, written by
 * test/bindings/consumer.sh), and that the twin's template carries the non-default props
 * the apps pass (the hardening ones included: VPC, KMS key, reserved concurrency, web ACL),
 * so four identical default stacks could not pass.
 *
 * The one normalization: 64-hex-digit strings (asset hashes) are masked. The hashes are
 * reported separately: equal hashes across languages mean the same handler bundles were
 * staged.
 *
 * Run by `npx projen test:bindings`; exits non-zero on the first difference.
 */
import * as fs from 'fs';
import * as path from 'path';

const WORK = path.join(__dirname, '.work');
const STACK = 'BindingsConsumer';
const REFERENCE = 'typescript';
const OTHERS = ['python', 'java', 'go'];
const HASH = /[0-9a-f]{64}/g;

type Json = any;

function load(lang: string): { raw: string; template: Json } {
  const file = path.join(WORK, lang, 'cdk.out', `${STACK}.template.json`);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: run npx projen test:bindings:${lang} first`);
  }
  const raw = fs.readFileSync(file, 'utf8');
  return { raw, template: JSON.parse(raw.replace(HASH, '<hash>')) };
}

/** Paths at which two JSON values differ (at most `limit`). */
function differences(a: Json, b: Json, at = '', found: string[] = [], limit = 20): string[] {
  if (found.length >= limit) return found;
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
    found.push(`${at || '/'}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  } else if (a !== null && typeof a === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of [...keys].sort()) {
      if (!(key in a)) found.push(`${at}/${key}: only in the other template`);
      else if (!(key in b)) found.push(`${at}/${key}: missing from the other template`);
      else differences(a[key], b[key], `${at}/${key}`, found, limit);
    }
  } else if (a !== b) {
    found.push(`${at}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  }
  return found;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`bindings check failed: ${message}`);
  console.log(`ok - ${message}`);
}

/** The props of the consumer apps, as the TypeScript twin's template shows them. */
function checkNonDefaultProps(template: Json): void {
  const resources = Object.values<Json>(template.Resources);
  const ofType = (type: string) => resources.filter((r) => r.Type === type);
  const stage = ofType('AWS::ApiGateway::Stage')[0];
  check(stage?.Properties.StageName === 'staging', 'stageName: "staging"');
  check(stage?.Properties.MethodSettings?.some((s: Json) => s.ThrottlingRateLimit === 200 && s.ThrottlingBurstLimit === 400),
    'throttling: 200 requests per second, bursts of 400');
  const handler = ofType('AWS::Lambda::Function').find((f) => f.Properties.Environment?.Variables?.CONFIG_CACHE_TTL_SECONDS);
  check(handler?.Properties.Environment.Variables.CONFIG_CACHE_TTL_SECONDS === '30', 'configCacheTtl: Duration.seconds(30)');
  check(JSON.parse(handler?.Properties.Environment.Variables.DEFAULT_CONFIG ?? '{}').max_request_bytes === 65536, 'maxRequestBytes: 65536');
  check(handler?.Properties.Environment.Variables.DEFAULT_FLAGS
    === JSON.stringify({ enhanced_tracking: false, batch_processing: true, real_time_notifications: true }),
  'featureFlags: batch processing on, enhanced tracking off');
  check(ofType('AWS::Logs::LogGroup').every((g) => g.Properties.RetentionInDays === 30), 'logRetention: RetentionDays.ONE_MONTH');
  check(ofType('AWS::DynamoDB::Table').every((t) => t.DeletionPolicy === 'Delete'), 'removalPolicy: RemovalPolicy.DESTROY');
  const alarms = ofType('AWS::CloudWatch::Alarm');
  const latency = alarms.find((a) => a.Properties.MetricName === 'Latency');
  check(latency?.Properties.Threshold === 1000 && latency?.Properties.DatapointsToAlarm === 2,
    'alarmOptions.apiLatency: maxLatency Duration.seconds(1), datapointsToAlarm 2');
  check(!alarms.some((a) => a.Properties.MetricName === 'Throttles'), 'alarmOptions.handlerThrottles: enabled false');
  const methods = ofType('AWS::ApiGateway::Method');
  check(methods.length > 0 && methods.every((m) => m.Properties.AuthorizationType === 'AWS_IAM'), 'authorization: ApiAuthorization.iam()');
  const policies = JSON.stringify(ofType('AWS::IAM::Policy').filter((p) => JSON.stringify(p.Properties.Roles).includes('ScannerFleet')));
  check(policies.includes('execute-api:Invoke') && policies.includes('/POST/track'), 'grantIngest(scannerFleet): execute-api:Invoke on POST /track');
  const rule = ofType('AWS::Events::Rule').find((r) => r.Properties.EventPattern?.['detail-type']?.includes('Tracking Status Changed'));
  check(JSON.stringify(rule?.Properties.EventPattern.detail) === JSON.stringify({ status: ['delivered', 'exception'] })
    && JSON.stringify(rule?.Properties.Targets).includes('Notifications'),
  'onStatusChanged: delivered and exception to the Notifications queue');
  checkOperationsProps(template);
  checkHardeningProps(template);
}

/** The operations props and methods of the consumer apps (stalled shipments, erasure, a webhook), as the twin's template shows them. */
function checkOperationsProps(template: Json): void {
  const resources = Object.values<Json>(template.Resources);
  const ofType = (type: string) => resources.filter((r) => r.Type === type);
  const sweep = ofType('AWS::Lambda::Function').find((f) => f.Properties.Environment?.Variables?.STALL_THRESHOLDS);
  const thresholds = JSON.parse(sweep?.Properties.Environment.Variables.STALL_THRESHOLDS ?? '{}');
  check(thresholds.in_transit === 3 * 86_400 && thresholds.out_for_delivery === 86_400,
    'stalledShipments.thresholds: inTransit Duration.days(3), the others at their defaults');
  check(sweep?.Properties.Environment.Variables.EXPIRE_AFTER_SECONDS === String(45 * 86_400), 'stalledShipments.expireAfter: Duration.days(45)');
  check(ofType('AWS::Events::Rule').some((r) => r.Properties.ScheduleExpression === 'rate(30 minutes)'), 'stalledShipments.sweepInterval: Duration.minutes(30)');
  const stalled = ofType('AWS::Events::Rule').find((r) => r.Properties.EventPattern?.['detail-type']?.[0] === 'Tracking Shipment Stalled');
  check(JSON.stringify(stalled?.Properties.EventPattern.detail) === JSON.stringify({ status: ['out_for_delivery'] })
    && JSON.stringify(stalled?.Properties.Targets).includes('Notifications'),
  'onShipmentStalled: out_for_delivery to the Notifications queue');
  const deleted = ofType('AWS::Events::Rule').find((r) => r.Properties.EventPattern?.['detail-type']?.[0] === 'Tracking Shipment Deleted');
  check(JSON.stringify(deleted?.Properties.Targets ?? []).includes('Notifications'), 'onShipmentDeleted: erasures to the Notifications queue');
  const erasers = JSON.stringify(ofType('AWS::IAM::Policy').filter((p) => JSON.stringify(p.Properties.Roles).includes('PrivacyTeam')));
  check(erasers.includes('execute-api:Invoke') && erasers.includes('/DELETE/shipments/') && !erasers.includes('/POST/'),
    'grantErase(privacyTeam): execute-api:Invoke on DELETE /shipments/{tracking_id} only');
  const destination = ofType('AWS::Events::ApiDestination')[0];
  const webhookRule = ofType('AWS::Events::Rule').find((r) => JSON.stringify(r.Properties.Targets ?? []).includes('DeadLetterConfig')
    && JSON.stringify(r.Properties.EventPattern?.['detail-type'] ?? []).includes('Tracking Shipment Stalled'));
  check(destination?.Properties.InvocationEndpoint === 'https://orders.example.com/hooks/tracking'
    && JSON.stringify(webhookRule?.Properties.EventPattern.detail) === JSON.stringify({ status: ['delivered'] }),
  'addWebhook: deliveries and stalls to https://orders.example.com/hooks/tracking');
}

/** The hardening props of the consumer apps (their "Hardening" part), as the twin's template shows them. */
function checkHardeningProps(template: Json): void {
  const entries = Object.entries<Json>(template.Resources);
  const ofType = (type: string) => entries.filter(([, r]) => r.Type === type);
  const same = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);
  const SUBNETS = ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'];
  const ROUTE_TABLES = ['rtb-0a1b2c3d4e5f60001', 'rtb-0a1b2c3d4e5f60002'];
  const WEB_ACL_ARN = 'arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/platform/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7';

  const keys = ofType('AWS::KMS::Key');
  check(keys.length === 1 && keys[0][1].Properties.EnableKeyRotation === true, 'encryptionKey: a new kms.Key with enableKeyRotation');
  const keyArn = { 'Fn::GetAtt': [keys[0][0], 'Arn'] };
  const logGroups = ofType('AWS::Logs::LogGroup');
  check(logGroups.length === 4 && logGroups.every(([, g]) => same(g.Properties.KmsKeyId, keyArn)), 'encryptionKey: encrypts the four log groups');
  const functions = ofType('AWS::Lambda::Function');
  check(functions.length === 3 && functions.every(([, f]) => same(f.Properties.KmsKeyArn, keyArn)), "encryptionKey: encrypts the three functions' environments");

  check(functions.every(([, f]) => same(f.Properties.VpcConfig?.SubnetIds, SUBNETS) && f.Properties.VpcConfig.SecurityGroupIds.length === 1),
    'vpc: Vpc.fromVpcAttributes, vpcSubnets: PRIVATE_WITH_EGRESS: the three functions in the two private subnets, one security group');
  const endpoints = ofType('AWS::EC2::VPCEndpoint').map(([, e]) => e.Properties);
  const gateways = endpoints.filter((e) => e.VpcEndpointType === 'Gateway');
  const interfaces = endpoints.filter((e) => e.VpcEndpointType === 'Interface');
  check(gateways.length === 1 && same(gateways[0].RouteTableIds, ROUTE_TABLES)
    && interfaces.length === 4 && interfaces.every((e) => same(e.SubnetIds, SUBNETS)),
  'createVpcEndpoints: a DynamoDB gateway endpoint on both route tables, 4 interface endpoints in both subnets');

  // The stream processor is the one the table's stream invokes; the handler, the one with the config cache.
  const processorId = ofType('AWS::Lambda::EventSourceMapping')[0]?.[1].Properties.FunctionName?.Ref;
  const processor = functions.find(([id]) => id === processorId)?.[1];
  const handler = functions.find(([, f]) => f.Properties.Environment?.Variables?.CONFIG_PARAMETER_NAME)?.[1];
  check(handler?.Properties.ReservedConcurrentExecutions === 50, 'handlerReservedConcurrency: 50');
  check(processor?.Properties.ReservedConcurrentExecutions === 5, 'streamProcessorReservedConcurrency: 5');

  check(ofType('AWS::ApiGateway::RestApi').length === 1 && ofType('AWS::ApiGatewayV2::Api').length === 0, 'apiType: ApiType.REST, a REST API instead of the default HTTP API');
  const stageId = ofType('AWS::ApiGateway::Stage')[0]?.[0];
  const associations = ofType('AWS::WAFv2::WebACLAssociation').map(([, a]) => a.Properties);
  check(associations.length === 1 && associations[0].WebACLArn === WEB_ACL_ARN
    && JSON.stringify(associations[0].ResourceArn).includes(`{"Ref":"${stageId}"}`),
  'webAclArn: the web ACL associated with the stage');
}

function main(): void {
  const reference = load(REFERENCE);
  checkNonDefaultProps(reference.template);
  const referenceHashes = [...new Set(reference.raw.match(HASH) ?? [])].sort();
  for (const lang of OTHERS) {
    const other = load(lang);
    const diff = differences(reference.template, other.template);
    if (diff.length > 0) {
      console.error(`The ${lang} template differs from the TypeScript twin's (hashes masked):\n  ${diff.join('\n  ')}`);
    }
    check(diff.length === 0, `the ${lang} template equals the TypeScript twin's (${Object.keys(other.template.Resources).length} resources, asset hashes masked)`);
    const hashes = [...new Set(other.raw.match(HASH) ?? [])].sort();
    const sameHashes = JSON.stringify(hashes) === JSON.stringify(referenceHashes);
    console.log(`   asset hashes: ${sameHashes ? 'identical too' : 'differ (masked above)'} (${hashes.length} distinct)`);
  }
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
