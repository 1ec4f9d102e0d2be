import type { FunctionSpec } from '../../../local/assembly/template';
import { lambdaEnvironment } from '../../../local/functions/lambda-environment';

/** What a function's process.env holds locally: the template's variables, Lambda's own, the emulator. */

const fn: FunctionSpec = {
  logicalId: 'Handler',
  name: 'Stack-Handler',
  arn: 'arn:aws:lambda:us-east-1:123456789012:function:Stack-Handler',
  runtime: 'nodejs24.x',
  handler: 'index.handler',
  codeDirectory: '/cdk.out/asset.abc',
  timeoutSeconds: 10,
  memoryMb: 512,
  environment: { TABLE_NAME: 'Stack-Table', AWS_REGION: 'eu-west-1' },
  logGroupName: '/aws/lambda/Stack-Handler',
};

const environment = lambdaEnvironment(fn, {
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:4566',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

test("the template's variables, and the variables Lambda sets itself", () => {
  expect(environment).toMatchObject({
    TABLE_NAME: 'Stack-Table',
    AWS_LAMBDA_FUNCTION_NAME: 'Stack-Handler',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/Stack-Handler',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    LAMBDA_TASK_ROOT: '/cdk.out/asset.abc',
    _HANDLER: 'index.handler',
    TZ: ':UTC',
  });
});

test('every SDK call goes to the emulator with the local credentials, in us-east-1 whatever the template says', () => {
  expect(environment).toMatchObject({
    AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
  });
});

test("nothing leaks in from the developer's shell (a profile could reach a real account)", () => {
  process.env.AWS_PROFILE = 'production';
  try {
    expect(lambdaEnvironment(fn, { region: 'us-east-1', endpoint: 'http://x', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }).AWS_PROFILE).toBeUndefined();
  } finally {
    delete process.env.AWS_PROFILE;
  }
  expect(Object.keys(environment).sort()).toEqual(expect.not.arrayContaining(['HOME', 'NODE_OPTIONS', 'AWS_SESSION_TOKEN']));
});

test('behind the fault proxy, queue URLs move to the proxy too (the SQS client sends to the queue URL\'s host)', () => {
  const withQueue = { ...fn, environment: { QUEUE_URL: 'http://127.0.0.1:4566/123456789012/dlq', BUS: 'bus' } };
  const proxied = lambdaEnvironment(withQueue, {
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:5000',
    emulatorEndpoint: 'http://127.0.0.1:4566',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  expect(proxied).toMatchObject({ QUEUE_URL: 'http://127.0.0.1:5000/123456789012/dlq', BUS: 'bus', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' });
});

test('a function logging in JSON is told so, with its application log level; the text format sets neither variable', () => {
  expect(environment.AWS_LAMBDA_LOG_FORMAT).toBeUndefined();
  expect(environment.AWS_LAMBDA_LOG_LEVEL).toBeUndefined();
  const json = lambdaEnvironment({ ...fn, jsonLogLevel: 'WARN' }, { region: 'us-east-1', endpoint: 'http://x', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  expect(json).toMatchObject({ AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' });
});
