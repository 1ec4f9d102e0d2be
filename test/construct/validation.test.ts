import { Duration, RemovalPolicy, Annotations as CdkAnnotations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { synth } from './harness';
import { ApiType, LogisticsTrackingApiProps } from '../../src';

const rejects = (props: LogisticsTrackingApiProps) => () => synth(props);

describe('invalid props fail at synth with the prop, the value and what is allowed', () => {
  test.each<[string, LogisticsTrackingApiProps, RegExp]>([
    ['a stage with a slash', { stageName: 'prod/eu' }, /stageName must be 1-64 letters, digits, '-' or '_' \(got 'prod\/eu'\)/],
    ['a parameter path without a leading slash', { parameterPath: 'team/tracking' }, /parameterPath must look like '\/team\/tracking\/prod'.*\(got 'team\/tracking'\)/],
    ['a parameter path with a trailing slash', { parameterPath: '/team/' }, /parameterPath must look like.*\(got '\/team\/'\)/],
    ['a parameter path under /aws', { parameterPath: '/aws/tracking' }, /parameterPath must not start with \/aws or \/ssm \(got '\/aws\/tracking'\)/],
    ['a rate limit of 0', { throttling: { rateLimit: 0 } }, /throttling.rateLimit must be between 1 and 10000 \(got 0\)/],
    ['a fractional burst', { throttling: { burstLimit: 2.5 } }, /throttling.burstLimit must be a whole number between 1 and 5000 \(got 2.5\)/],
    ['maxRequestBytes over the DynamoDB item limit', { maxRequestBytes: 500_000 }, /maxRequestBytes must be a whole number between 1024 and 358400 \(got 500000\): a DynamoDB item holds at most 400 KB/],
    ['maxRequestBytes too small', { maxRequestBytes: 100 }, /maxRequestBytes must be a whole number between 1024 and 358400 \(got 100\)/],
    ['memory below Lambda\'s minimum', { handlerMemorySize: 64 }, /handlerMemorySize must be a whole number between 128 and 10240 \(got 64\)/],
    ['a config cache of zero', { configCacheTtl: Duration.seconds(0) }, /configCacheTtl must be between 1 second and 1 hour \(got 0 ms\)/],
    ['a config cache of a day', { configCacheTtl: Duration.days(1) }, /configCacheTtl must be between 1 second and 1 hour \(got 1 day\)/],
    ['event retention under a day', { eventRetention: Duration.hours(2) }, /eventRetention must be at least 1 day \(got 2 hours\)/],
    ['a latency alarm past API Gateway\'s 29 s', { alarmOptions: { apiLatency: { maxLatency: Duration.seconds(45) } } }, /alarmOptions.apiLatency.maxLatency must be between 1 ms and 29 seconds \(got 45 seconds\): API Gateway stops waiting at 29 s/],
    ['an error alarm at 0', { alarmOptions: { apiServerErrors: { maxErrorCount: 0 } } }, /alarmOptions.apiServerErrors.maxErrorCount must be a whole number between 1 and 1000000000 \(got 0\)/],
    ['a 4XX alarm at 0', { alarmOptions: { apiClientErrors: { maxErrorCount: 0 } } }, /alarmOptions.apiClientErrors.maxErrorCount must be/],
    ['a handler error alarm at -1', { alarmOptions: { handlerErrors: { maxErrorCount: -1 } } }, /alarmOptions.handlerErrors.maxErrorCount must be.*\(got -1\)/],
    ['a throttle alarm at 0', { alarmOptions: { handlerThrottles: { maxThrottleCount: 0 } } }, /alarmOptions.handlerThrottles.maxThrottleCount must be/],
    ['a table throttle alarm at 0', { alarmOptions: { tableThrottles: { maxThrottledRequestCount: 0 } } }, /alarmOptions.tableThrottles.maxThrottledRequestCount must be/],
    ['more datapoints than periods', { alarmOptions: { apiLatency: { evaluationPeriods: 2, datapointsToAlarm: 3 } } }, /alarmOptions.apiLatency.datapointsToAlarm must be a whole number between 1 and 2 \(got 3\)/],
    ['a dead-letter alarm at 0', { alarmOptions: { deadLetterQueue: { maxMessageCount: 0 } } }, /alarmOptions.deadLetterQueue.maxMessageCount must be.*\(got 0\)/],
    ['dead-letter datapoints over its default single period', { alarmOptions: { deadLetterQueue: { datapointsToAlarm: 2 } } }, /alarmOptions.deadLetterQueue.datapointsToAlarm must be a whole number between 1 and 1 \(got 2\)/],
    ['an iterator age past the stream\'s 24 h retention', { alarmOptions: { streamIteratorAge: { maxIteratorAge: Duration.hours(25) } } }, /alarmOptions.streamIteratorAge.maxIteratorAge must be between 1 second and 1 day \(got 1 day 1 hour\): a DynamoDB stream keeps records for 24 hours/],
    ['zero evaluation periods', { alarmOptions: { handlerErrors: { evaluationPeriods: 0 } } }, /alarmOptions.handlerErrors.evaluationPeriods must be a whole number between 1 and 1440 \(got 0\)/],
    ['a reserved concurrency of 0', { handlerReservedConcurrency: 0 }, /handlerReservedConcurrency must be a whole number of at least 1 \(got 0\): a reservation of 0 throttles every invocation/],
    ['a fractional processor reservation', { streamProcessorReservedConcurrency: 1.5 }, /streamProcessorReservedConcurrency must be a whole number of at least 1 \(got 1.5\)/],
    ['subnets without a VPC', { vpcSubnets: {} }, /vpcSubnets needs vpc/],
    ['endpoints without a VPC', { createVpcEndpoints: true }, /createVpcEndpoints needs vpc/],
    ['a CloudFront-scope web ACL', { apiType: ApiType.REST, webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/edge/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7' },
      /webAclArn names a CloudFront-scope web ACL.*needs a web ACL of REGIONAL scope/],
    ['a WAF Classic web ACL id', { apiType: ApiType.REST, webAclArn: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' },
      /webAclArn must be the ARN of a regional WAFv2 web ACL, arn:aws:wafv2:<region>:<account>:regional\/webacl\/<name>\/<id> \(got 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111'\)/],
  ])('rejects %s', (_name, props, message) => {
    expect(rejects(props)).toThrow(message);
  });

  test('every message names the construct', () => {
    expect(rejects({ handlerMemorySize: 1 })).toThrow(/^LogisticsTrackingApi: /);
  });
});

describe('risky but legal props are acknowledgeable warnings', () => {
  test('DESTROY on a prod stage warns with an id', () => {
    const { stack } = synth({ stageName: 'production', removalPolicy: RemovalPolicy.DESTROY });
    Annotations.fromStack(stack).hasWarning('/TestStack/Tracking',
      Match.stringLikeRegexp('removalPolicy is DESTROY on stage \'production\'.*logistics-tracking-api:destroyOnProductionStage'));
  });

  test('DESTROY on a dev stage does not warn', () => {
    const { stack } = synth({ removalPolicy: RemovalPolicy.DESTROY });
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Tracking', Match.stringLikeRegexp('removalPolicy'));
  });

  test('infinite log retention warns with an id', () => {
    const { stack } = synth({ logRetention: logs.RetentionDays.INFINITE });
    Annotations.fromStack(stack).hasWarning('/TestStack/Tracking',
      Match.stringLikeRegexp('logRetention is INFINITE.*logistics-tracking-api:infiniteLogRetention'));
  });

  test('an acknowledged warning disappears', () => {
    const { stack } = synth({ logRetention: logs.RetentionDays.INFINITE }, (construct) => {
      CdkAnnotations.of(construct).acknowledgeWarning('logistics-tracking-api:infiniteLogRetention', 'audit logs kept forever');
    });
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Tracking', Match.anyValue());
  });
});
