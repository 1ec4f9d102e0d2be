import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, NagRuleCompliance, rules, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { hardenedProps } from './hardened';
import { ApiAuthorization, ApiType, LogisticsTrackingApi, LogisticsTrackingApiProps } from '../../src';

/**
 * cdk-nag 3 runs as a CDK validation plugin. CDK does not throw on findings:
 * it prints a report, writes validation-report.json into the assembly and sets
 * process.exitCode. These tests read that report.
 */
interface NagRun {
  readonly stack: Stack;
  /** `ruleName @ constructPath` of every finding nobody acknowledged. */
  readonly unacknowledged: string[];
}

function runNag(
  props: (stack: Stack) => LogisticsTrackingApiProps,
  acknowledgeWaf = true,
  extend?: (tracking: LogisticsTrackingApi) => void,
): NagRun {
  const app = new App();
  const stack = new Stack(app, 'NagStack');
  const tracking = new LogisticsTrackingApi(stack, 'Tracking', props(stack));
  extend?.(tracking);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  if (acknowledgeWaf) {
    // A consumer's decision, not the construct's: web ACLs are attached per account.
    Validations.of(stack).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'WAF web ACLs are managed per account by the platform team and associated outside this stack.',
    });
  }
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const exitCodeBefore = process.exitCode;
  let assemblyDir: string;
  try {
    assemblyDir = app.synth().directory;
  } finally {
    quiet.mockRestore();
    process.exitCode = exitCodeBefore;
  }
  const report = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'validation-report.json'), 'utf8'));
  const unacknowledged = report.pluginReports.flatMap((plugin: any) => plugin.violations.flatMap((v: any) =>
    v.violatingConstructs.map((c: any) => `${v.ruleName} @ ${c.constructPath}`)));
  return { stack, unacknowledged };
}

/**
 * Every acknowledgement recorded in the construct tree. CDK stores ids that
 * contain no `::` under an `annotation::` prefix; cdk-nag matches either form.
 */
function acknowledgements(stack: Stack): Array<{ id: string; reason: string }> {
  return stack.node.findAll().flatMap(acknowledgementsOn);
}

/** The acknowledgements recorded on one construct itself (not its children). */
function acknowledgementsOn(construct: IConstruct): Array<{ id: string; reason: string }> {
  return construct.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id: id.replace(/^annotation::/, ''), reason })));
}

describe('cdk-nag AwsSolutions and Serverless packs', () => {
  test('the default stack has no unacknowledged finding', () => {
    expect(runNag(() => ({})).unacknowledged).toEqual([]);
  });

  test('the report does catch a finding nobody acknowledged (the check can fail)', () => {
    expect(runNag(() => ({ apiType: ApiType.REST }), false).unacknowledged).toEqual(['AwsSolutions-APIG3 @ NagStack/Tracking/Api/DeploymentStage.dev/Resource']);
  });

  test('with a customer-managed key there is no unacknowledged finding', () => {
    expect(runNag((stack) => ({
      stageName: 'prod',
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    })).unacknowledged).toEqual([]);
  });

  test('hardened (key, VPC with endpoints, reserved concurrency, web ACL): APIG3 is satisfied by the association, not acknowledged, and nothing is left', () => {
    const run = runNag(hardenedProps, false);
    expect(run.unacknowledged).toEqual([]);
    const ids = acknowledgements(run.stack).map((a) => a.id);
    expect(ids).not.toContain('AwsSolutions-APIG3');
    // No acknowledgement the default stack does not already need (SNS2 is gone: the topic is encrypted).
    const defaults = new Set(acknowledgements(runNag(() => ({ apiType: ApiType.REST })).stack).map((a) => a.id));
    expect([...new Set(ids)].filter((id) => !defaults.has(id) && !id.startsWith('AwsSolutions-IAM5[Action::kms:'))).toEqual([]);
  });

  test('the default HTTP API leaves nothing without the WAF acknowledgement (APIG3 is a REST stage rule), and needs none the REST API does not', () => {
    const run = runNag(() => ({}), false);
    expect(run.unacknowledged).toEqual([]);
    const rest = new Set(acknowledgements(runNag(() => ({ apiType: ApiType.REST })).stack).map((a) => a.id));
    expect(acknowledgements(run.stack).map((a) => a.id).filter((id) => !rest.has(id))).toEqual([]);
  });

  test.each([ApiType.HTTP, ApiType.REST])('Cognito authorization (%s API) needs no COG4 acknowledgement, and nothing else is left', (apiType) => {
    const run = runNag((stack) => ({
      apiType,
      authorization: ApiAuthorization.cognito(cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_example')),
    }));
    expect(run.unacknowledged).toEqual([]);
    expect(acknowledgements(run.stack).map((a) => a.id)).not.toContain('AwsSolutions-COG4');
  });

  test('APIG2 is acknowledged on the REST API only, and is needed: the rule wants body validation, which the handler does instead', () => {
    const { stack } = runNag(() => ({ apiType: ApiType.REST }));
    const restApi = stack.node.findAll().find((c): c is apigateway.CfnRestApi => c instanceof apigateway.CfnRestApi)!;
    expect(rules.apigw.APIGWRequestValidation(restApi)).toBe(NagRuleCompliance.NON_COMPLIANT);
    const apig2 = stack.node.findAll().filter((c) => acknowledgementsOn(c).some((a) => a.id === 'AwsSolutions-APIG2'));
    expect(apig2.map((c) => c.node.path)).toEqual(['NagStack/Tracking/Api']);
    expect(acknowledgementsOn(apig2[0]).find((a) => a.id === 'AwsSolutions-APIG2')!.reason).toMatch(/handler/);
  });

  test.each<[string, (stack: Stack) => LogisticsTrackingApiProps]>([
    ['defaults', () => ({})],
    ['a customer-managed key', (stack) => ({ encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) })],
  ])('with a webhook (%s) nothing is left; it adds only its queue\'s and its secret\'s acknowledgements, each with a reason', (_name, props) => {
    const run = runNag(props, true, (tracking) => tracking.addWebhook('Orders', { endpoint: 'https://hooks.example.com/tracking' }));
    expect(run.unacknowledged).toEqual([]);
    const webhook = run.stack.node.findAll().filter((c) => c.node.path.startsWith('NagStack/Tracking/WebhookOrders/')).flatMap(acknowledgementsOn);
    expect([...new Set(webhook.map((a) => a.id))].sort()).toEqual(['AwsSolutions-SMG4', 'AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']);
    for (const ack of webhook) expect(ack.reason.length).toBeGreaterThan(40);
  });

  test('every acknowledgement carries a written reason; seven rules at defaults, one of them the consumer\'s; the REST API adds two', () => {
    const acks = acknowledgements(runNag(() => ({})).stack);
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(40);
    const atDefaults = [
      'AwsSolutions-APIG3',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-SNS2',
      'AwsSolutions-SQS3',
      // The stall sweep's schedule: a dead-letter queue would only collect schedule ticks.
      'Serverless-EventBusDLQ',
      'Serverless-LambdaDLQ',
      'Serverless-SQSRedrivePolicy',
    ];
    expect([...new Set(acks.map((a) => a.id))].sort()).toEqual(atDefaults);
    const restAcks = acknowledgements(runNag(() => ({ apiType: ApiType.REST })).stack);
    for (const ack of restAcks) expect(ack.reason.length).toBeGreaterThan(40);
    expect([...new Set(restAcks.map((a) => a.id))].sort()).toEqual([...atDefaults, 'AwsSolutions-APIG2', 'AwsSolutions-COG4'].sort());
  });
});
