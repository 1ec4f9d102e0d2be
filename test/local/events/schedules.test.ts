import * as http from 'http';
import type { AddressInfo } from 'net';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { AssemblyStack, CfnTemplate } from '../../../local/assembly/cloud-assembly';
import { IntrinsicResolver, TemplateError } from '../../../local/assembly/intrinsics';
import { readRules } from '../../../local/assembly/rules';
import { rateMilliseconds, readSchedules, type ScheduleSpec } from '../../../local/assembly/schedules';
import { toLocalTemplate, type FunctionSpec } from '../../../local/assembly/template';
import { Schedules, SCHEDULES_PATH, type SchedulesOptions } from '../../../local/events/schedules';
import type { InvokeOutcome } from '../../../local/functions/workers';
import { ApiType, LogisticsTrackingApi } from '../../../src';

/**
 * Scheduled rules in the local runtime: read from the template
 * (template-schedules.ts), run at their rate and on demand (schedules.ts) —
 * moto runs no schedules — and no longer reported as not served by the rule
 * reader (template-rules.ts).
 */

const EMULATOR = 'http://127.0.0.1:4566';
const ACCOUNT = '123456789012';
const FN_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:S-Sweep`;

describe('rateMilliseconds reads the period of a rate() expression', () => {
  test.each<[string, number | undefined]>([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(2 hours)', 7_200_000],
    ['rate(1 day)', 86_400_000],
    ['  rate(1 hour) ', 3_600_000],
    ['rate(0 minutes)', undefined],
    ['rate(1 week)', undefined],
    ['rate(1.5 hours)', undefined],
    ['cron(0 * * * ? *)', undefined],
  ])('%p → %p', (expression, expected) => {
    expect(rateMilliseconds(expression)).toBe(expected);
  });
});

describe("the construct's sweep schedule, read from its synthesized template", () => {
  const app = new App();
  const stack = new Stack(app, 'ReaderTest');
  new LogisticsTrackingApi(stack, 'Tracking', { stageName: 'qa', apiType: ApiType.REST });
  const template: CfnTemplate = JSON.parse(JSON.stringify(Template.fromStack(stack).toJSON()));
  const assembly: AssemblyStack = { stackName: 'ReaderTest', template, directory: '/cdk.out', assetDirectoryByObjectKey: new Map() };
  const local = toLocalTemplate(assembly, { emulatorEndpoint: EMULATOR });
  const ruleId = Object.entries<any>(template.Resources!).find(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties.ScheduleExpression)![0];

  test('is one hourly, enabled schedule that invokes the sweep function', () => {
    expect(local.schedules).toHaveLength(1);
    const [schedule] = local.schedules;
    expect(schedule).toMatchObject({
      logicalId: ruleId,
      expression: 'rate(1 hour)',
      rateMs: 3_600_000,
      enabled: true,
      arn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/${schedule.name}`,
    });
    expect(schedule.targets).toHaveLength(1);
    expect(schedule.targets[0].functionLogicalId).toMatch(/^TrackingSweep/);
    expect(local.functions.has(schedule.targets[0].functionLogicalId)).toBe(true);
  });

  test('is neither reported as not served nor created as a rule in moto', () => {
    expect(local.notServed.join('\n')).not.toContain(ruleId);
    expect(local.rules.map((rule) => rule.logicalId)).not.toContain(ruleId);
  });
});

/** A resolver and the functions of a hand-written template of EventBridge rules. */
function readHandWritten(rules: Record<string, Record<string, unknown>>) {
  const template: CfnTemplate = {
    Resources: Object.fromEntries(Object.entries(rules).map(([id, properties]) => [id, { Type: 'AWS::Events::Rule', Properties: properties }])),
  };
  const resolver = new IntrinsicResolver(template, { stackName: 'S', region: 'us-east-1', accountId: ACCOUNT, emulatorEndpoint: EMULATOR });
  const functions = new Map<string, FunctionSpec>([['Sweep', { logicalId: 'Sweep', arn: FN_ARN } as FunctionSpec]]);
  const notServed: string[] = [];
  const warnings: string[] = [];
  const schedules = readSchedules(Object.keys(rules), resolver, functions, notServed);
  const read = readRules(Object.keys(rules), resolver, [], notServed, warnings);
  return { schedules, rules: read, notServed, warnings };
}

describe('readSchedules reads the scheduled rules whose targets are functions of the template', () => {
  test('a rate() rule: its name, ARN, period and targets, enabled unless its State says otherwise', () => {
    const { schedules, notServed } = readHandWritten({
      Nightly: { ScheduleExpression: 'rate(1 day)', Targets: [{ Id: 'Target0', Arn: FN_ARN }] },
      Paused: { Name: 'paused', ScheduleExpression: 'rate(5 minutes)', State: 'DISABLED', Targets: [{ Id: 'T', Arn: FN_ARN }] },
    });

    expect(schedules).toEqual([
      {
        logicalId: 'Nightly',
        name: 'S-Nightly',
        arn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/S-Nightly`,
        expression: 'rate(1 day)',
        rateMs: 86_400_000,
        enabled: true,
        targets: [{ id: 'Target0', functionLogicalId: 'Sweep', input: undefined }],
      },
      expect.objectContaining({ logicalId: 'Paused', name: 'paused', rateMs: 300_000, enabled: false }),
    ]);
    expect(notServed).toEqual([]);
  });

  test('a cron() rule is kept, to run on demand, and reported as not running by itself', () => {
    const { schedules, notServed } = readHandWritten({ Cron: { ScheduleExpression: 'cron(0 3 * * ? *)', Targets: [{ Id: 'T', Arn: FN_ARN }] } });

    expect(schedules).toEqual([expect.objectContaining({ logicalId: 'Cron', rateMs: undefined, enabled: true })]);
    expect(notServed).toEqual(['Cron on its schedule (cron(0 3 * * ? *): only rate() runs by itself locally; it runs on demand)']);
  });

  test('keeps a target\'s constant Input, and numbers a target without an Id', () => {
    const { schedules } = readHandWritten({ Job: { ScheduleExpression: 'rate(1 hour)', Targets: [{ Arn: FN_ARN, Input: '{"mode":"full"}' }] } });

    expect(schedules[0].targets).toEqual([{ id: '0', functionLogicalId: 'Sweep', input: '{"mode":"full"}' }]);
  });

  test('reports a target that is not a function of the template, and leaves out a schedule left without targets', () => {
    const elsewhere = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:other`;
    const { schedules, notServed } = readHandWritten({
      Mixed: { ScheduleExpression: 'rate(1 hour)', Targets: [{ Id: 'Ours', Arn: FN_ARN }, { Id: 'Theirs', Arn: elsewhere }] },
      Foreign: { ScheduleExpression: 'rate(1 hour)', Targets: [{ Id: 'Theirs', Arn: elsewhere }] },
    });

    expect(schedules.map((schedule) => [schedule.logicalId, schedule.targets.map((target) => target.id)])).toEqual([['Mixed', ['Ours']]]);
    expect(notServed).toEqual([
      `target Theirs of schedule Mixed (${elsewhere}): only functions of this template are invoked locally`,
      `target Theirs of schedule Foreign (${elsewhere}): only functions of this template are invoked locally`,
    ]);
  });

  test('fails at start-up, naming the path, on an Input that is not a JSON string', () => {
    expect(() => readHandWritten({ Job: { ScheduleExpression: 'rate(1 hour)', Targets: [{ Id: 'T', Arn: FN_ARN, Input: { mode: 'full' } }] } }))
      .toThrow(new TemplateError('Resources.Job.Properties.Targets[0].Input must be a JSON string'));
  });

  test('ignores a rule without a schedule (the rule reader\'s)', () => {
    const { schedules } = readHandWritten({ Pattern: { EventPattern: { source: ['x'] }, Targets: [] } });

    expect(schedules).toEqual([]);
  });
});

describe('the rule reader leaves scheduled rules to the schedules', () => {
  test('a scheduled rule is neither a rule for moto nor reported as not served', () => {
    const { rules, notServed } = readHandWritten({ Nightly: { ScheduleExpression: 'rate(1 day)', Targets: [{ Id: 'T', Arn: FN_ARN }] } });

    expect(rules).toEqual([]);
    expect(notServed).toEqual([]);
  });

  test('a rule with neither an event pattern nor a schedule is still reported as not served', () => {
    const { rules, notServed } = readHandWritten({ Empty: { Targets: [] } });

    expect(rules).toEqual([]);
    expect(notServed).toEqual(['Empty (a rule without an event pattern or a schedule)']);
  });
});

/** A schedule of the Sweep function. */
const scheduleSpec = (overrides: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  logicalId: 'SweepSchedule1A2B3C4D',
  name: 'S-SweepSchedule',
  arn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/S-SweepSchedule`,
  expression: 'rate(1 hour)',
  rateMs: 3_600_000,
  enabled: true,
  targets: [{ id: 'Target0', functionLogicalId: 'Sweep' }],
  ...overrides,
});

type Invoke = jest.Mock<Promise<InvokeOutcome>, Parameters<SchedulesOptions['invoke']>>;
const invokeMock = (implementation?: (...args: Parameters<SchedulesOptions['invoke']>) => Promise<InvokeOutcome>): Invoke =>
  jest.fn<Promise<InvokeOutcome>, Parameters<SchedulesOptions['invoke']>>(implementation);

function schedulesOf(specs: ScheduleSpec[], invoke?: Invoke) {
  const log = jest.fn();
  const calls = invoke ?? invokeMock(async () => ({ kind: 'result', payload: '{"stalled":1,"expired":0,"complete":true}' }));
  const schedules = new Schedules({ schedules: specs, accountId: ACCOUNT, region: 'us-east-1', invoke: calls, log });
  return { schedules, invoke: calls, log };
}

describe('Schedules.run invokes a schedule now', () => {
  test('sends each target EventBridge\'s "Scheduled Event" for the rule, with a request id, and answers each outcome', async () => {
    const { schedules, invoke, log } = schedulesOf([scheduleSpec()]);
    const runs = await schedules.run('S-SweepSchedule');

    expect(invoke).toHaveBeenCalledTimes(1);
    const [functionLogicalId, event, options] = invoke.mock.calls[0];
    expect(functionLogicalId).toBe('Sweep');
    expect(event).toEqual({
      'version': '0',
      'id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Scheduled Event',
      'source': 'aws.events',
      'account': ACCOUNT,
      'time': expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      'region': 'us-east-1',
      'resources': [`arn:aws:events:us-east-1:${ACCOUNT}:rule/S-SweepSchedule`],
      'detail': {},
    });
    expect(options).toEqual({ requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(runs).toEqual([{ target: 'Target0', functionLogicalId: 'Sweep', outcome: { kind: 'result', payload: '{"stalled":1,"expired":0,"complete":true}' } }]);
    expect(log).toHaveBeenCalledWith('schedule S-SweepSchedule → Sweep: result');
  });

  test('sends a target\'s constant Input instead of the scheduled event', async () => {
    const { schedules, invoke } = schedulesOf([scheduleSpec({ targets: [{ id: 'T', functionLogicalId: 'Sweep', input: '{"mode":"full"}' }] })]);
    await schedules.run('S-SweepSchedule');

    expect(invoke.mock.calls[0][1]).toEqual({ mode: 'full' });
  });

  test('invokes the targets one after another, in order', async () => {
    const order: string[] = [];
    const invoke = invokeMock(async (id) => {
      order.push(`start ${id}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(`end ${id}`);
      return { kind: 'result', payload: 'null' };
    });
    const { schedules } = schedulesOf([scheduleSpec({ targets: [{ id: 'A', functionLogicalId: 'First' }, { id: 'B', functionLogicalId: 'Second' }] })], invoke);
    await schedules.run('S-SweepSchedule');

    expect(order).toEqual(['start First', 'end First', 'start Second', 'end Second']);
  });

  test('finds a schedule by rule name or by logical id', () => {
    const { schedules } = schedulesOf([scheduleSpec(), scheduleSpec({ logicalId: 'Other', name: 'other' })]);

    expect(schedules.find('S-SweepSchedule')?.logicalId).toBe('SweepSchedule1A2B3C4D');
    expect(schedules.find('SweepSchedule1A2B3C4D')?.name).toBe('S-SweepSchedule');
    expect(schedules.find('other')?.logicalId).toBe('Other');
    expect(schedules.find('Sweep')).toBeUndefined();
  });

  test('refuses an unknown name, listing the template\'s schedules', async () => {
    const { schedules, invoke } = schedulesOf([scheduleSpec(), scheduleSpec({ logicalId: 'Other', name: 'other' })]);

    await expect(schedules.run('nightly')).rejects.toThrow("no schedule named nightly; the template's are: S-SweepSchedule, other");
    await expect(schedulesOf([]).schedules.run('nightly')).rejects.toThrow("no schedule named nightly; the template's are: none");
    expect(invoke).not.toHaveBeenCalled();
  });
});

describe('Schedules.serve answers POST /_local/schedules/<name>', () => {
  let server: http.Server;
  let port: number;
  let current: Schedules;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (current.matches(request)) current.serve(request, response);
      else response.writeHead(418).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function send(method: string, path: string): Promise<{ status: number; body: any; allow?: string | null }> {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
    const allow = response.headers.get('allow');
    return { status: response.status, body: await response.json(), ...(allow !== null ? { allow } : {}) };
  }

  test('runs the schedule and answers 200 with each target\'s outcome, the payload parsed', async () => {
    const { schedules, invoke } = schedulesOf([scheduleSpec()]);
    current = schedules;
    const answer = await send('POST', `${SCHEDULES_PATH}S-SweepSchedule`);

    expect(answer).toEqual({
      status: 200,
      body: { schedule: 'S-SweepSchedule', results: [{ target: 'Target0', outcome: 'result', payload: { stalled: 1, expired: 0, complete: true } }] },
    });
    expect(invoke).toHaveBeenCalledTimes(1);
  });

  test('accepts the logical id, and names the schedule by its rule name', async () => {
    current = schedulesOf([scheduleSpec()]).schedules;
    const answer = await send('POST', `${SCHEDULES_PATH}SweepSchedule1A2B3C4D`);

    expect(answer.status).toBe(200);
    expect(answer.body.schedule).toBe('S-SweepSchedule');
  });

  test('answers a function error with its type and message, and a payload that is not JSON as a string', async () => {
    const invoke: Invoke = invokeMock()
      .mockResolvedValueOnce({ kind: 'error', errorType: 'ThrottlingException', errorMessage: 'Rate exceeded' })
      .mockResolvedValueOnce({ kind: 'result', payload: 'plain text' })
      .mockResolvedValueOnce({ kind: 'timeout' });
    current = schedulesOf([scheduleSpec({
      targets: [{ id: 'A', functionLogicalId: 'Sweep' }, { id: 'B', functionLogicalId: 'Sweep' }, { id: 'C', functionLogicalId: 'Sweep' }],
    })], invoke).schedules;
    const answer = await send('POST', `${SCHEDULES_PATH}S-SweepSchedule`);

    expect(answer.body.results).toEqual([
      { target: 'A', outcome: 'error', errorType: 'ThrottlingException', errorMessage: 'Rate exceeded' },
      { target: 'B', outcome: 'result', payload: 'plain text' },
      { target: 'C', outcome: 'timeout' },
    ]);
  });

  test('answers 404 with the template\'s schedules for an unknown name, invoking nothing', async () => {
    const { schedules, invoke } = schedulesOf([scheduleSpec()]);
    current = schedules;
    const answer = await send('POST', `${SCHEDULES_PATH}nightly`);

    expect(answer).toEqual({ status: 404, body: { message: 'no schedule named nightly', schedules: ['S-SweepSchedule'] } });
    expect(invoke).not.toHaveBeenCalled();
  });

  test.each(['GET', 'PUT', 'DELETE'])('answers %s with 405 and Allow: POST, invoking nothing', async (method) => {
    const { schedules, invoke } = schedulesOf([scheduleSpec()]);
    current = schedules;
    const answer = await send(method, `${SCHEDULES_PATH}S-SweepSchedule`);

    expect(answer).toEqual({ status: 405, body: { message: `POST ${SCHEDULES_PATH}<schedule> runs a schedule` }, allow: 'POST' });
    expect(invoke).not.toHaveBeenCalled();
  });

  test('answers 500 with the message when the invocation itself fails', async () => {
    current = schedulesOf([scheduleSpec()], invokeMock(async () => {
      throw new Error('no worker for Sweep');
    })).schedules;
    const answer = await send('POST', `${SCHEDULES_PATH}S-SweepSchedule`);

    expect(answer).toEqual({ status: 500, body: { message: 'no worker for Sweep' } });
  });

  test('decodes the name and ignores a query string', async () => {
    current = schedulesOf([scheduleSpec({ name: 'bus|rule' })]).schedules;
    const answer = await send('POST', `${SCHEDULES_PATH}bus%7Crule?now=1`);

    expect(answer.status).toBe(200);
    expect(answer.body.schedule).toBe('bus|rule');
  });

  test('claims only paths under /_local/schedules/', () => {
    const { schedules } = schedulesOf([scheduleSpec()]);
    const at = (url: string) => schedules.matches({ url } as http.IncomingMessage);

    expect([at(`${SCHEDULES_PATH}x`), at('/qa/track'), at('/_local/other')]).toEqual([true, false, false]);
  });
});

describe('Schedules.start runs the enabled rate() schedules at their rate', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  test('invokes an enabled rate() schedule once per period, and stop() ends it', async () => {
    const { schedules, invoke } = schedulesOf([scheduleSpec({ rateMs: 60_000 })]);
    schedules.start();

    await jest.advanceTimersByTimeAsync(59_999);
    expect(invoke).toHaveBeenCalledTimes(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(invoke).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(120_000);
    expect(invoke).toHaveBeenCalledTimes(3);

    schedules.stop();
    await jest.advanceTimersByTimeAsync(600_000);
    expect(invoke).toHaveBeenCalledTimes(3);
  });

  test('never runs a disabled schedule or a cron() one by itself', async () => {
    const { schedules, invoke } = schedulesOf([
      scheduleSpec({ logicalId: 'Off', name: 'off', rateMs: 60_000, enabled: false }),
      scheduleSpec({ logicalId: 'Cron', name: 'cron', expression: 'cron(* * * * ? *)', rateMs: undefined }),
    ]);
    schedules.start();
    await jest.advanceTimersByTimeAsync(24 * 3_600_000);

    expect(invoke).not.toHaveBeenCalled();
    schedules.stop();
  });

  test('logs a failed run and keeps the schedule going', async () => {
    const invoke: Invoke = invokeMock()
      .mockRejectedValueOnce(new Error('worker crashed'))
      .mockResolvedValue({ kind: 'result', payload: '{}' });
    const { schedules, log } = schedulesOf([scheduleSpec({ rateMs: 60_000 })], invoke);
    schedules.start();
    await jest.advanceTimersByTimeAsync(120_000);
    schedules.stop();

    expect(log).toHaveBeenCalledWith('schedule S-SweepSchedule: worker crashed');
    expect(invoke).toHaveBeenCalledTimes(2);
  });

  test('does not keep the process alive (its timers are unref\'d)', () => {
    const setIntervalSpy = jest.spyOn(global, 'setInterval');
    const { schedules } = schedulesOf([scheduleSpec({ rateMs: 60_000 })]);
    schedules.start();
    const timer = setIntervalSpy.mock.results[0].value as NodeJS.Timeout;

    expect(timer.hasRef()).toBe(false);
    schedules.stop();
    setIntervalSpy.mockRestore();
  });
});
