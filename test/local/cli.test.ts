import * as path from 'path';
import { parseArguments, parsePort } from '../../local/cli';

/**
 * The command line of `logistics-tracking-api local` (local/cli.ts): what each
 * flag means, and the usage mistakes it refuses before starting anything.
 */

const defaults = { command: 'npx logistics-tracking-api', cdkOut: 'cdk.out' };

describe('parseArguments', () => {
  test('local alone: ./cdk.out, everything else left to the runtime', () => {
    expect(parseArguments(['local'], defaults)).toEqual({
      help: false,
      cdkOut: path.resolve('cdk.out'),
      stack: undefined,
      construct: undefined,
      api: undefined,
      port: undefined,
      emulatorEndpoint: undefined,
      quiet: false,
      webhookEndpoints: {},
      webhookSecretValues: {},
    });
  });

  test('every flag, in both spellings (--flag value and --flag=value)', () => {
    const parsed = parseArguments([
      'local', '--cdk-out', 'out', '--stack=Prod/Service', '--construct', 'Service/Tracking', '--port=3005',
      '--emulator-endpoint', 'http://127.0.0.1:5000', '--quiet', '--webhook-endpoint', 'https://a.example/h?x=1=https://b/c',
      '--webhook-secret=arn:aws:secretsmanager:eu-west-1:1:secret:s=v=w', '--rest-api', 'Api1',
    ], defaults);
    expect(parsed).toMatchObject({
      cdkOut: path.resolve('out'),
      stack: 'Prod/Service',
      construct: 'Service/Tracking',
      port: '3005',
      emulatorEndpoint: 'http://127.0.0.1:5000',
      quiet: true,
      api: 'Api1',
      // Split at the first '=': the local URL and the secret may hold more.
      webhookEndpoints: { 'https://a.example/h?x': '1=https://b/c' },
      webhookSecretValues: { 'arn:aws:secretsmanager:eu-west-1:1:secret:s': 'v=w' },
    });
  });

  test('npx projen local passes a -- through; its default assembly is the example', () => {
    expect(parseArguments(['local', '--', '--quiet'], { command: 'npx projen', cdkOut: '/repo/example/cdk.out' }))
      .toMatchObject({ quiet: true, cdkOut: '/repo/example/cdk.out' });
  });

  test('--help needs no command', () => {
    expect(parseArguments(['--help'], defaults).help).toBe(true);
    expect(parseArguments(['local', '-h'], defaults).help).toBe(true);
  });

  test.each([
    [[], /say what to do: local/],
    [['serve'], /unknown command serve: the command is local/],
    [['local', '--colour'], /unknown argument --colour/],
    [['local', '--port'], /--port needs a value/],
    [['local', '--stack', '--quiet'], /--stack needs a value/],
    [['local', '--webhook-secret', 'novalue'], /--webhook-secret takes KEY=VALUE/],
    [['local', 'extra', 'words'], /unknown argument extra/],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseArguments(argv, defaults)).toThrow(message);
  });
});

describe('parsePort', () => {
  test('--port wins over PORT; 3000 without either', () => {
    expect(parsePort('3005', '4000')).toBe(3005);
    expect(parsePort(undefined, '4000')).toBe(4000);
    expect(parsePort(undefined, undefined)).toBe(3000);
    expect(parsePort(undefined, '')).toBe(3000);
  });

  test.each([['0'], ['65536'], ['80.5'], ['http']])('--port %s is refused, naming the flag', (text) => {
    expect(() => parsePort(text, undefined)).toThrow(/--port must be a port number from 1 to 65535/);
  });

  test('a bad PORT is named as PORT', () => {
    expect(() => parsePort(undefined, 'x')).toThrow(/^PORT must be a port number/);
  });
});
