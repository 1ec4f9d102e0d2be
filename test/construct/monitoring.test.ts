import { only, synth } from './harness';
import { SHIPMENT_METRIC } from '../../src/contract/analytics';
import { TERMINAL_STATUSES, TRACKING_STATUSES } from '../../src/contract/statuses';

/**
 * The dashboard's shipment widgets (delivery analytics, stalls, exceptions): each
 * reads the metric the stream processor emits, by the namespace and the `service`
 * dimension the construct gives the processor, so a widget never graphs nothing.
 */

interface Widget {
  readonly type: string;
  readonly properties: { readonly title?: string; readonly metrics?: unknown[][]; readonly stacked?: boolean; readonly yAxis?: any };
}

/** The dashboard body as JSON, its tokens (region, resource names) replaced by `TOKEN`. */
function dashboardWidgets(template: ReturnType<typeof synth>['template']): Widget[] {
  const body = only(template, 'AWS::CloudWatch::Dashboard').props.DashboardBody;
  const parts: unknown[] = body['Fn::Join'][1];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')).widgets;
}

/** A graph metric line as `{ namespace, name, dimensions, options }`, or `{ expression, options }` for metric math. */
function lines(widget: Widget): { namespace?: string; name?: string; dimensions?: Record<string, string>; options: any }[] {
  return (widget.properties.metrics ?? []).map((line) => {
    const options = typeof line[line.length - 1] === 'object' ? line[line.length - 1] : {};
    const values = line.filter((part) => typeof part === 'string') as string[];
    if (values.length === 0) return { options };
    const [namespace, name, ...pairs] = values;
    const dimensions = Object.fromEntries(pairs.flatMap((_, i) => (i % 2 === 0 ? [[pairs[i], pairs[i + 1]]] : [])));
    return { namespace, name, dimensions, options };
  });
}

const SERVICE = { service: 'logistics-tracking-notifications' };

describe('dashboard: shipments at a glance', () => {
  const { template } = synth();
  const widgets = dashboardWidgets(template);
  const widget = (title: string) => {
    const found = widgets.filter((candidate) => candidate.properties.title === title);
    expect(found).toHaveLength(1);
    return found[0];
  };

  test('the processor emits into the namespace and service the widgets read', () => {
    const processor = Object.values(template.findResources('AWS::Lambda::Function'))
      .find((fn: any) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === SERVICE.service) as any;
    expect(processor.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('LogisticsTracking');
  });

  test('transit time: p50 and p90 per hour', () => {
    expect(lines(widget('Transit time, first event to delivery (s)'))).toEqual([
      { namespace: 'LogisticsTracking', name: 'TransitTime', dimensions: SERVICE, options: expect.objectContaining({ stat: 'p50', period: 3600 }) },
      { namespace: 'LogisticsTracking', name: 'TransitTime', dimensions: SERVICE, options: expect.objectContaining({ stat: 'p90', period: 3600 }) },
    ]);
  });

  test('on-time rate: on time over on time plus late, a missing count read as 0', () => {
    const [rate, ...inputs] = lines(widget('Deliveries on time (%)'));
    const ids = Object.fromEntries(inputs.map((input) => [input.name, input.options.id]));
    expect(rate.options.expression).toBe(`100 * FILL(${ids.DeliveredOnTime}, 0) / (FILL(${ids.DeliveredOnTime}, 0) + FILL(${ids.DeliveredLate}, 0))`);
    expect(inputs).toEqual([
      { namespace: 'LogisticsTracking', name: 'DeliveredOnTime', dimensions: SERVICE, options: expect.objectContaining({ stat: 'Sum', visible: false }) },
      { namespace: 'LogisticsTracking', name: 'DeliveredLate', dimensions: SERVICE, options: expect.objectContaining({ stat: 'Sum', visible: false }) },
    ]);
    expect(widget('Deliveries on time (%)').properties.yAxis.left).toMatchObject({ min: 0, max: 100 });
  });

  test('deliveries per hour by punctuality, stacked', () => {
    const graph = widget('Deliveries per hour');
    expect(graph.properties.stacked).toBe(true);
    expect(lines(graph).map((line) => [line.name, line.options.stat])).toEqual([
      ['DeliveredOnTime', 'Sum'], ['DeliveredLate', 'Sum'], ['DeliveredWithoutEta', 'Sum'],
    ]);
  });

  test('stalled shipments: one line per status that can stall (none terminal), by its Status dimension', () => {
    const stalled = lines(widget('Stalled shipments by status, per hour'));
    const open = TRACKING_STATUSES.filter((status) => !TERMINAL_STATUSES.includes(status));
    expect(open).toHaveLength(7);
    expect(stalled).toEqual(open.map((status) => ({
      namespace: 'LogisticsTracking',
      name: 'ShipmentsStalled',
      dimensions: { ...SERVICE, Status: status },
      options: expect.objectContaining({ stat: 'Sum', label: status, period: 3600 }),
    })));
  });

  test('exceptions per hour', () => {
    expect(lines(widget('Shipment exceptions per hour'))).toEqual([
      { namespace: 'LogisticsTracking', name: 'ShipmentExceptions', dimensions: SERVICE, options: expect.objectContaining({ stat: 'Sum' }) },
    ]);
  });

  test('no alarm watches a shipment figure: they are not the operator\'s to act on', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
    expect(alarms.length).toBeGreaterThan(0);
    const figures: string[] = Object.values(SHIPMENT_METRIC);
    for (const alarm of alarms) expect(figures).not.toContain(alarm.Properties.MetricName);
  });
});
