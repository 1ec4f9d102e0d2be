import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { TEST_ENV } from './env';
import 'aws-sdk-client-mock-jest';
import { NOW } from './fixtures';
import { ssmReturns } from './ssm';
import {
  cacheTtlMsFromEnvironment,
  defaultsFromEnvironment,
  RuntimeConfig,
  RuntimeConfigLoader,
} from '../../lambda/shared/config';
import { DEFAULT_FEATURE_FLAGS, DEFAULT_MAX_REQUEST_BYTES } from '../../src/contract/runtime-config';

const ssm = mockClient(SSMClient);
const TTL_MS = 60_000;

const DEPLOY_DEFAULTS: RuntimeConfig = {
  api: { max_request_bytes: 16_384 },
  flags: { enhanced_tracking: true, batch_processing: true, real_time_notifications: false },
};

let clock: number;
let onFallback: jest.Mock;

function newLoader(defaults: RuntimeConfig = DEPLOY_DEFAULTS): RuntimeConfigLoader {
  return new RuntimeConfigLoader({
    ssm: new SSMClient({ region: 'us-east-1' }),
    configParameterName: TEST_ENV.CONFIG_PARAMETER_NAME,
    flagsParameterName: TEST_ENV.FLAGS_PARAMETER_NAME,
    ttlMs: TTL_MS,
    defaults,
    onFallback,
  });
}

const ssmCalls = () => ssm.commandCalls(GetParametersCommand).length;
const advance = (ms: number) => {
  clock += ms;
};

beforeEach(() => {
  ssm.reset();
  clock = NOW;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
  onFallback = jest.fn();
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('config: both documents in one SSM round trip', () => {
  test('asks GetParameters for the config and flags parameters together', async () => {
    ssmReturns(ssm, { config: { max_request_bytes: 2048 }, flags: { enhanced_tracking: false } });
    const config = await newLoader().get();

    expect(ssm).toHaveReceivedCommandTimes(GetParametersCommand, 1);
    expect(ssm).toHaveReceivedCommandWith(GetParametersCommand, { Names: [TEST_ENV.CONFIG_PARAMETER_NAME, TEST_ENV.FLAGS_PARAMETER_NAME] });
    // Partial documents are merged over the deploy-time defaults.
    expect(config).toEqual({
      api: { max_request_bytes: 2048 },
      flags: { enhanced_tracking: false, batch_processing: true, real_time_notifications: false },
    });
    expect(onFallback).not.toHaveBeenCalled();
  });

  test('asks SSM nothing when no parameter names are configured', async () => {
    const loader = new RuntimeConfigLoader({ ssm: new SSMClient({ region: 'us-east-1' }), ttlMs: TTL_MS, defaults: DEPLOY_DEFAULTS });

    expect(await loader.get()).toEqual(DEPLOY_DEFAULTS);
    expect(ssmCalls()).toBe(0);
  });
});

describe('config: cached for the TTL', () => {
  test('makes one SSM call per TTL however many requests come', async () => {
    ssmReturns(ssm, { config: { max_request_bytes: 2048 }, flags: {} });
    const loader = newLoader();
    await loader.get();
    advance(TTL_MS - 1);
    await loader.get();
    await loader.get();

    expect(ssmCalls()).toBe(1);
  });

  test('refreshes once the TTL has passed and serves the new value', async () => {
    ssmReturns(ssm, { config: { max_request_bytes: 2048 }, flags: {} });
    const loader = newLoader();
    await loader.get();
    ssmReturns(ssm, { config: { max_request_bytes: 4096 }, flags: {} });
    advance(TTL_MS);

    expect((await loader.get()).api.max_request_bytes).toBe(4096);
    expect(ssmCalls()).toBe(2);
  });

  test('shares one SSM call between concurrent requests', async () => {
    ssmReturns(ssm, { config: {}, flags: {} });
    const loader = newLoader();
    await Promise.all([loader.get(), loader.get(), loader.get()]);

    expect(ssmCalls()).toBe(1);
  });
});

describe('config: fail safe', () => {
  test('keeps the last known good value when SSM fails after a success', async () => {
    ssmReturns(ssm, { config: { max_request_bytes: 2048 }, flags: { enhanced_tracking: false } });
    const loader = newLoader();
    const good = await loader.get();
    ssm.on(GetParametersCommand).rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', $metadata: {} }));
    advance(TTL_MS);

    expect(await loader.get()).toEqual(good);
    expect(onFallback).toHaveBeenCalledTimes(1);
    expect(onFallback.mock.calls[0][0]).toEqual([
      `config parameter ${TEST_ENV.CONFIG_PARAMETER_NAME}: SSM request failed`,
      `flags parameter ${TEST_ENV.FLAGS_PARAMETER_NAME}: SSM request failed`,
    ]);
  });

  test('uses the deploy-time defaults when SSM fails from the start', async () => {
    ssm.on(GetParametersCommand).rejects(new Error('AccessDeniedException'));

    expect(await newLoader().get()).toEqual(DEPLOY_DEFAULTS);
    expect(onFallback).toHaveBeenCalledTimes(1);
  });

  test('does not hammer a failing SSM: the fallback is kept until the TTL passes again', async () => {
    ssm.on(GetParametersCommand).rejects(new Error('timeout'));
    const loader = newLoader();
    await loader.get();
    advance(TTL_MS - 1);
    await loader.get();
    expect(ssmCalls()).toBe(1);

    ssmReturns(ssm, { config: { max_request_bytes: 2048 }, flags: {} });
    advance(1);
    expect((await loader.get()).api.max_request_bytes).toBe(2048);
    expect(ssmCalls()).toBe(2);
  });

  test('uses the default flags when the flags parameter is missing, and still the config from SSM', async () => {
    ssmReturns(ssm, { config: { max_request_bytes: 2048 }, flags: undefined });
    const config = await newLoader().get();

    expect(config).toEqual({ api: { max_request_bytes: 2048 }, flags: DEPLOY_DEFAULTS.flags });
    expect(onFallback.mock.calls[0][0]).toEqual([`flags parameter ${TEST_ENV.FLAGS_PARAMETER_NAME}: not found`]);
  });

  test.each([
    ['not JSON', '{enhanced_tracking: off'],
    ['a JSON array', '[true]'],
    ['a flag that is not a boolean', { enhanced_tracking: 'no' }],
  ])('falls back to the last known flags when the parameter is %s', async (_case, flags) => {
    ssmReturns(ssm, { config: {}, flags: { enhanced_tracking: false } });
    const loader = newLoader();
    await loader.get();
    ssmReturns(ssm, { config: {}, flags });
    advance(TTL_MS);

    expect((await loader.get()).flags.enhanced_tracking).toBe(false);
    expect(onFallback.mock.calls[0][0]).toEqual([`flags parameter ${TEST_ENV.FLAGS_PARAMETER_NAME}: not a valid flags document`]);
  });

  test.each([
    ['below the minimum', 100],
    ['above the maximum a DynamoDB item can hold', 10 * 1024 * 1024],
    ['not an integer', 2048.5],
  ])('refuses a max_request_bytes %s and keeps the default', async (_case, maxRequestBytes) => {
    ssmReturns(ssm, { config: { max_request_bytes: maxRequestBytes }, flags: {} });

    expect((await newLoader().get()).api.max_request_bytes).toBe(DEPLOY_DEFAULTS.api.max_request_bytes);
    expect(onFallback).toHaveBeenCalledTimes(1);
  });
});

describe('config: deploy-time defaults from the environment', () => {
  test('merges DEFAULT_CONFIG and DEFAULT_FLAGS over the built-in defaults', () => {
    const { defaults, problems } = defaultsFromEnvironment({
      DEFAULT_CONFIG: '{"max_request_bytes": 4096}',
      DEFAULT_FLAGS: '{"batch_processing": true}',
    });

    expect(defaults).toEqual({ api: { max_request_bytes: 4096 }, flags: { ...DEFAULT_FEATURE_FLAGS, batch_processing: true } });
    expect(problems).toEqual([]);
  });

  test('falls back to the built-in defaults when the variables are absent or invalid', () => {
    expect(defaultsFromEnvironment({}).defaults).toEqual({ api: { max_request_bytes: DEFAULT_MAX_REQUEST_BYTES }, flags: DEFAULT_FEATURE_FLAGS });
    const invalid = defaultsFromEnvironment({ DEFAULT_CONFIG: 'nope', DEFAULT_FLAGS: '{"enhanced_tracking": 1}' });
    expect(invalid.defaults).toEqual({ api: { max_request_bytes: DEFAULT_MAX_REQUEST_BYTES }, flags: DEFAULT_FEATURE_FLAGS });
    expect(invalid.problems).toHaveLength(2);
  });

  test.each([
    [undefined, 60_000],
    ['300', 300_000],
    ['0', 0],
    ['-5', 60_000],
    ['soon', 60_000],
  ])('reads CONFIG_CACHE_TTL_SECONDS=%p as %p ms', (value, expected) => {
    expect(cacheTtlMsFromEnvironment(value === undefined ? {} : { CONFIG_CACHE_TTL_SECONDS: value })).toBe(expected);
  });
});
