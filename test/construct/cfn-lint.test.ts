import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { hardenedProps } from './hardened';
import { synth } from './harness';
import { ApiAuthorization, ApiType, TrackingStatus } from '../../src';

/** Installed by `npx projen setup:python`, which `npx projen test` runs first. */
const CFN_LINT = path.join(__dirname, '..', '..', '.venv', 'bin', 'cfn-lint');

/**
 * W3005 (a DependsOn already implied by a GetAtt) is ignored: aws-cdk-lib's
 * lambda.Function always adds an explicit DependsOn on its role, and we do not
 * fight the framework over a redundant but harmless edge.
 */
const IGNORED_CHECKS = ['W3005'];

function lint(name: string, template: object): { status: number; output: string } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-')), `${name}.template.json`);
  fs.writeFileSync(file, JSON.stringify(template));
  try {
    const output = execFileSync(CFN_LINT, ['--ignore-checks', ...IGNORED_CHECKS, '--', file], { encoding: 'utf8' });
    return { status: 0, output };
  } catch (error: any) {
    return { status: error.status ?? -1, output: `${error.stdout ?? ''}${error.stderr ?? ''}${error.message}` };
  }
}

describe('cfn-lint passes every synthesized template', () => {
  test('cfn-lint is installed in the project virtual environment', () => {
    expect(fs.existsSync(CFN_LINT)).toBe(true);
  });

  test('cfn-lint does report a broken template (the check can fail)', () => {
    const broken = { Resources: { Table: { Type: 'AWS::DynamoDB::Table', Properties: { BillingMode: 'FREE' } } } };
    expect(lint('broken', broken).status).not.toBe(0);
  });

  test.each<[string, Parameters<typeof synth>[0]]>([
    ['default', {}],
    ['every prop', (stack) => ({
      stageName: 'prod',
      parameterPath: '/team/tracking/prod',
      throttling: { rateLimit: 50, burstLimit: 100 },
      maxRequestBytes: 65536,
      configCacheTtl: Duration.seconds(30),
      handlerMemorySize: 1024,
      featureFlags: { enhancedTracking: false, batchProcessing: true, realTimeNotifications: false },
      logRetention: logs.RetentionDays.ONE_YEAR,
      eventRetention: Duration.days(400),
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      alarmOptions: { apiLatency: { maxLatency: Duration.seconds(1) }, handlerThrottles: { enabled: false } },
      apiType: ApiType.REST,
      manageApiGatewayAccountRole: true,
    })],
    ['no authorization', { authorization: ApiAuthorization.none() }],
    ['REST API', { apiType: ApiType.REST }],
    ['Cognito (HTTP API)', (stack) => ({ authorization: ApiAuthorization.cognito(new cognito.UserPool(stack, 'Pool'), ['tracking/read']) })],
    ['hardened (key, VPC with endpoints, reserved concurrency, web ACL)', hardenedProps],
  ])('%s', (name, props) => {
    const result = lint(name.replace(/ /g, '-'), synth(props).template.toJSON());
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  test('webhooks (a created secret, a brought one, a key, every webhook prop)', () => {
    const { template } = synth((stack) => ({ encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) }), (tracking, stack) => {
      tracking.addWebhook('All', { endpoint: 'https://hooks.example.com/tracking' });
      tracking.addWebhook('Stalls', {
        endpoint: 'https://hooks.example.com/stalls',
        statuses: [TrackingStatus.IN_TRANSIT],
        includeStalled: true,
        secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Brought', 'webhooks/stalls'),
        headerName: 'Authorization',
        rateLimitPerSecond: 300,
        retryAttempts: 3,
        maxEventAge: Duration.minutes(30),
        deadLetterQueueAlarm: { maxMessageCount: 5 },
        description: 'Stalls for the operations team',
      });
    });
    const result = lint('webhooks', template.toJSON());
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});
