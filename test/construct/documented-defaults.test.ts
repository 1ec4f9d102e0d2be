import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as ts from 'typescript';
import { DEFAULT_CONFIG_CACHE_TTL_SECONDS, DEFAULT_FEATURE_FLAGS, DEFAULT_MAX_REQUEST_BYTES } from '../../src/contract/runtime-config';
import { ALARM_DEFAULTS, AlarmName } from '../../src/private/alarm-defaults';

/**
 * Defaults are kept once, in constants (ALARM_DEFAULTS, src/contract/runtime-config.ts);
 * the `@default` lines of the public structs (which become API.md and every language's
 * docs) state them in prose. These tests read those lines and fail when the two disagree.
 */
function parse(name: string) {
  const source = path.join(__dirname, '..', '..', 'src', name);
  const file = ts.createSourceFile(source, fs.readFileSync(source, 'utf8'), ts.ScriptTarget.Latest, true);
  return { file, interfaces: new Map(file.statements.filter(ts.isInterfaceDeclaration).map((i) => [i.name.text, i])) };
}
const { file, interfaces } = parse('alarm-options.ts');
const props = parse('props.ts').interfaces;

/** `@default` text of each property of an interface, by property name. */
function defaultsOf(interfaceName: string, declarations = interfaces): Map<string, string> {
  const declaration = declarations.get(interfaceName);
  if (!declaration) throw new Error(`no interface ${interfaceName}`);
  const result = new Map<string, string>();
  for (const member of declaration.members.filter(ts.isPropertySignature)) {
    const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'default');
    if (tag) result.set((member.name as ts.Identifier).text, ts.getTextOfJSDocComment(tag.comment)?.trim() ?? '');
  }
  return result;
}

/** A documented amount in milliseconds (`Duration.seconds(2)`, `2 s`, `1 minute`), or a plain count. */
function amount(text: string): number {
  const call = /^Duration\.(millis|seconds|minutes|hours|days)\((\d+)\)$/.exec(text);
  if (call) return (Duration[call[1] as 'seconds'](Number(call[2]))).toMilliseconds();
  const unit = /^(\d+) (ms|s|seconds?|minutes?|hours?)$/.exec(text);
  if (unit) {
    const ms: Record<string, number> = { ms: 1, s: 1000, second: 1000, minute: 60_000, hour: 3_600_000 };
    return Number(unit[1]) * ms[unit[2] === 's' || unit[2] === 'ms' ? unit[2] : unit[2].replace(/s$/, '')];
  }
  return Number(text);
}

/** The default threshold of an alarm, in the unit its `@default` line uses (ms for durations). */
function threshold(alarm: AlarmName): [string, number] {
  const [[name, value]] = Object.entries(ALARM_DEFAULTS[alarm]).filter(([key]) => key.startsWith('max'));
  return [name, value instanceof Duration ? value.toMilliseconds() : value as number];
}

const ALARMS = Object.keys(ALARM_DEFAULTS) as AlarmName[];
const perAlarm = defaultsOf('TrackingAlarmOptions');
const structOf = (alarm: AlarmName) => {
  const member = interfaces.get('TrackingAlarmOptions')!.members.filter(ts.isPropertySignature)
    .find((m) => (m.name as ts.Identifier).text === alarm)!;
  return member.type!.getText(file);
};

describe('the documented alarm defaults are the ones applied', () => {
  test('TrackingAlarmOptions documents exactly the alarms that have defaults', () => {
    expect([...perAlarm.keys()].sort()).toEqual([...ALARMS].sort());
  });

  test.each(ALARMS)('%s: the threshold\'s @default is the default threshold', (alarm) => {
    const [name, value] = threshold(alarm);
    const documented = defaultsOf(structOf(alarm)).get(name);
    expect(documented).toBeDefined();
    expect(amount(documented!)).toBe(value);
  });

  test.each(ALARMS)('%s: the summary states the threshold and "in <datapoints> of <periods> minutes" (or sweep intervals)', (alarm) => {
    const unit = alarm === 'sweepErrors' ? 'sweep intervals?' : 'minutes?';
    const summary = new RegExp(`^- on, (.+?)(?: per minute| messages?| errors?)? in (\\d+) of (\\d+) ${unit}$`).exec(perAlarm.get(alarm) ?? '');
    expect(summary).not.toBeNull();
    const [, documentedThreshold, datapoints, periods] = summary!;
    expect(amount(documentedThreshold)).toBe(threshold(alarm)[1]);
    expect(Number(datapoints)).toBe(ALARM_DEFAULTS[alarm].datapointsToAlarm);
    expect(Number(periods)).toBe(ALARM_DEFAULTS[alarm].evaluationPeriods);
  });

  test('AlarmOptions documents the common evaluation and the dead-letter queue\'s and stall sweep\'s own', () => {
    const common = defaultsOf('AlarmOptions');
    for (const setting of ['evaluationPeriods', 'datapointsToAlarm'] as const) {
      const documented = /^(\d+) \((\d+) for the dead-letter queue and stall sweep alarms\)$/.exec(common.get(setting) ?? '');
      expect(documented).not.toBeNull();
      for (const alarm of ALARMS) {
        const own = alarm === 'deadLetterQueue' || alarm === 'sweepErrors';
        expect([alarm, ALARM_DEFAULTS[alarm][setting]]).toEqual([alarm, Number(documented![own ? 2 : 1])]);
      }
    }
    expect(common.get('enabled')).toBe('true');
  });
});

describe('the documented prop defaults are the ones applied', () => {
  const documented = defaultsOf('LogisticsTrackingApiProps', props);

  test('configCacheTtl', () => {
    expect(amount(documented.get('configCacheTtl')!)).toBe(DEFAULT_CONFIG_CACHE_TTL_SECONDS * 1000);
  });

  test('maxRequestBytes', () => {
    expect(Number(documented.get('maxRequestBytes'))).toBe(DEFAULT_MAX_REQUEST_BYTES);
  });

  test('featureFlags', () => {
    const flags = defaultsOf('FeatureFlags', props);
    expect({
      enhanced_tracking: flags.get('enhancedTracking'),
      batch_processing: flags.get('batchProcessing'),
      real_time_notifications: flags.get('realTimeNotifications'),
    }).toEqual(Object.fromEntries(Object.entries(DEFAULT_FEATURE_FLAGS).map(([key, value]) => [key, String(value)])));
  });
});
