import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LogisticsTrackingApi, LogisticsTrackingApiProps } from '../../src';

export interface Synthesized {
  readonly app: App;
  readonly stack: Stack;
  readonly construct: LogisticsTrackingApi;
  readonly template: Template;
}

/**
 * A fresh app and stack holding one construct, synthesized. Props may be a
 * function of the stack, for props that are themselves constructs.
 */
export function synth(
  props?: LogisticsTrackingApiProps | ((stack: Stack) => LogisticsTrackingApiProps),
  afterwards?: (construct: LogisticsTrackingApi, stack: Stack) => void,
): Synthesized {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: { account: '111111111111', region: 'eu-west-1' } });
  const construct = new LogisticsTrackingApi(stack, 'Tracking', typeof props === 'function' ? props(stack) : props);
  afterwards?.(construct, stack);
  return { app, stack, construct, template: Template.fromStack(stack) };
}

/** The only resource of `type` in the template, with its logical id. */
export function only(template: Template, type: string): { id: string; props: any } {
  const found = template.findResources(type);
  const ids = Object.keys(found);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return { id: ids[0], props: found[ids[0]].Properties ?? {} };
}

/** The one resource of `type` whose logical id starts with `idPrefix`. */
export function byId(template: Template, type: string, idPrefix: string): { id: string; props: any } {
  const found = template.findResources(type);
  const ids = Object.keys(found).filter((id) => id.startsWith(idPrefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} with id ${idPrefix}*, found ${ids.length}`);
  return { id: ids[0], props: found[ids[0]].Properties ?? {} };
}

/** The tracking handler (the construct has a second function, the stream processor). */
export const trackingHandler = (template: Template) => byId(template, 'AWS::Lambda::Function', 'TrackingHandler');
