/**
 * A rule target's `InputTransformer`, rendered as EventBridge renders it. moto
 * cannot be used for this: it pastes every value in raw, so the template the CDK
 * writes for `RuleTargetInput.fromObject` (`{"id":<id>}`, placeholders unquoted)
 * becomes invalid JSON there and its PutEvents fails for every event on the bus.
 *
 * EventBridge's rules, as its documentation states them:
 * - an InputPathsMap value is a JSON path into the event (`$.detail.status`);
 * - in a JSON template, a placeholder outside quotes takes the value as JSON (a
 *   string arrives quoted, an object as an object); inside quotes it is pasted
 *   into the string (escaped, so the result stays valid JSON);
 * - a template that is not JSON (a plain string) takes every value as text;
 * - predefined: `<aws.events.rule-arn>`, `<aws.events.rule-name>`,
 *   `<aws.events.event.ingestion-time>`, `<aws.events.event>` and
 *   `<aws.events.event.json>` (the whole event).
 * A path that matches nothing renders as `null` (outside quotes) or nothing (inside).
 */

export interface InputTransformer {
  readonly InputPathsMap?: Record<string, string>;
  readonly InputTemplate: string;
}

export interface TransformContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** ISO-8601. */
  readonly ingestionTime: string;
}

/** The value at a JSON path (`$`, `$.a.b`, `$.list[0]`, `$['key-with-dash']`), or undefined. */
export function valueAtPath(event: unknown, jsonPath: string): unknown {
  if (!jsonPath.startsWith('$')) return undefined;
  const steps: Array<string | number> = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/gy;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < jsonPath.length) {
    const match = pattern.exec(jsonPath);
    if (!match) return undefined;
    steps.push(match[2] !== undefined ? Number(match[2]) : (match[1] ?? match[3] ?? match[4]));
  }
  let value: any = event;
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    value = value[step];
  }
  return value;
}

/** The target's input: `Input` as is, `InputPath`'s value, the transformer's rendering, or the whole event. */
export function renderInput(
  event: Record<string, unknown>,
  target: { readonly input?: string; readonly inputPath?: string; readonly inputTransformer?: InputTransformer },
  context: TransformContext,
): string {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) return JSON.stringify(valueAtPath(event, target.inputPath) ?? null);
  if (target.inputTransformer === undefined) return JSON.stringify(event);
  return renderTemplate(event, target.inputTransformer, context);
}

export function renderTemplate(event: Record<string, unknown>, transformer: InputTransformer, context: TransformContext): string {
  const values = new Map<string, unknown>();
  for (const [name, jsonPath] of Object.entries(transformer.InputPathsMap ?? {})) values.set(name, valueAtPath(event, jsonPath));
  values.set('aws.events.rule-arn', context.ruleArn);
  values.set('aws.events.rule-name', context.ruleName);
  values.set('aws.events.event.ingestion-time', context.ingestionTime);
  values.set('aws.events.event', event);
  values.set('aws.events.event.json', event);

  const template = transformer.InputTemplate;
  const isJson = /^\s*[[{]/.test(template);
  let output = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (char === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (values.has(name)) {
        output += placeholder(values.get(name), isJson, inString);
        i = end;
        continue;
      }
    }
    if (isJson) {
      if (char === '\\' && inString) {
        output += char + (template[i + 1] ?? '');
        i++;
        continue;
      }
      if (char === '"') inString = !inString;
    }
    output += char;
  }
  return output;
}

function placeholder(value: unknown, isJson: boolean, inString: boolean): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  if (!isJson) return text;
  // Inside a JSON string: the text, escaped as a JSON string's content.
  if (inString) return JSON.stringify(text).slice(1, -1);
  return value === undefined ? 'null' : JSON.stringify(value);
}
