import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { E2E_TIMEOUT_MS, E2eStack, ReceivedMessage, startE2eStack, uniqueTrackingId, update } from './harness';

/**
 * Erasure end to end: DELETE /shipments/{tracking_id} through the local API
 * (signed, the real handler bundle) removes every item of the shipment from
 * moto's table — so from both indexes too — and the stream processor publishes
 * `Tracking Shipment Deleted` (and no status change) to the e2e app's
 * `onShipmentDeleted` queue.
 */

jest.setTimeout(E2E_TIMEOUT_MS);

/** Stream poll, a processor cold start and the publish, on a slow machine. */
const EVENT_WINDOW_MS = 15_000;

let e2e: E2eStack;

beforeAll(async () => {
  e2e = await startE2eStack('erasure');
});

afterAll(async () => {
  await e2e?.stop();
});

const erase = (trackingId: string) => e2e.request({ method: 'DELETE', path: `/shipments/${encodeURIComponent(trackingId)}` });

/** Every item of the shipment in the table, read from moto directly. */
async function itemsOf(trackingId: string): Promise<string[]> {
  const output = await e2e.dynamodb.send(new QueryCommand({
    TableName: e2e.tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': { S: `TRACK#${trackingId}` } },
    ConsistentRead: true,
  }));
  return (output.Items ?? []).map((item) => item.sk.S!);
}

/** The status index entries of the shipment, every status and shard. */
async function statusIndexEntriesOf(trackingId: string): Promise<string[]> {
  const entries: string[] = [];
  for (const status of ['in_transit', 'delivered']) {
    for (let shard = 0; shard < 8; shard++) {
      const output = await e2e.dynamodb.send(new QueryCommand({
        TableName: e2e.tableName,
        IndexName: 'by-status',
        KeyConditionExpression: 'status_pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `STATUS#${status}#${shard}` } },
      }));
      entries.push(...(output.Items ?? []).map((item) => item.status_sk.S!).filter((sk) => sk.endsWith(`#${trackingId}`)));
    }
  }
  return entries;
}

const forShipment = (detailType: string, trackingId: string) => (message: ReceivedMessage) =>
  message.body['detail-type'] === detailType && message.body.detail?.tracking_id === trackingId;

describe('DELETE /shipments/{tracking_id}', () => {
  test('removes every item of the shipment, publishes one Deleted event and no status change; a second DELETE is a 404', async () => {
    const gone = uniqueTrackingId('erase');
    const kept = uniqueTrackingId('keep');
    for (const [status, eventId] of [['in_transit', 'scan-1'], ['in_transit', 'scan-2'], ['delivered', 'scan-3']]) {
      expect((await e2e.track(update(gone, { status, event_id: eventId }))).status).toBe(200);
    }
    expect((await e2e.track(update(kept, { event_id: 'scan-1' }))).status).toBe(200);
    await e2e.queues.statusChanges.waitFor(forShipment('Tracking Status Changed', gone), 2, EVENT_WINDOW_MS);
    const before = await itemsOf(gone);
    expect(before).toEqual(expect.arrayContaining(['STATE', 'EVENT#scan-1', 'EVENT#scan-2', 'EVENT#scan-3']));

    const response = await erase(gone);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ message: 'Shipment deleted', tracking_id: gone, deleted_items: before.length });

    expect(await itemsOf(gone)).toEqual([]);
    expect(await statusIndexEntriesOf(gone)).toEqual([]);
    expect((await e2e.status(gone)).status).toBe(404);
    expect(await itemsOf(kept)).toEqual(expect.arrayContaining(['STATE', 'EVENT#scan-1']));

    const [deleted] = await e2e.queues.deletions.waitFor(forShipment('Tracking Shipment Deleted', gone), 1, EVENT_WINDOW_MS);
    expect(deleted.body.detail).toEqual({ tracking_id: gone, status: 'delivered', reason: 'request', version: expect.any(Number) });
    // The state item's removal is the shipment's last stream record: every earlier one
    // was handled before it, and the two status changes are all there is.
    const changes = (await e2e.queues.statusChanges.drain()).filter(forShipment('Tracking Status Changed', gone));
    expect(changes.map((message) => message.body.detail.status)).toEqual(['in_transit', 'delivered']);

    const second = await erase(gone);
    expect(second.status).toBe(404);
    expect(second.json).toEqual({ error: 'shipment not found' });
    expect(await itemsOf(kept)).toEqual(expect.arrayContaining(['STATE', 'EVENT#scan-1']));
  });

  test('a shipment tracked again after its erasure starts afresh', async () => {
    const reborn = uniqueTrackingId('reborn');
    expect((await e2e.track(update(reborn, { status: 'exception', event_id: 'old' }))).status).toBe(200);
    expect((await erase(reborn)).status).toBe(200);
    expect((await e2e.track(update(reborn, { event_id: 'new' }))).status).toBe(200);
    const status = await e2e.status(reborn);
    expect(status.json.current.status).toBe('in_transit');
    expect(status.json.updates.map((event: { event_id: string }) => event.event_id)).toEqual(['new']);
  });

  test('an unknown shipment is a 404 and an invalid tracking id a 400, and neither changes anything', async () => {
    const kept = uniqueTrackingId('bystander');
    expect((await e2e.track(update(kept))).status).toBe(200);
    const itemsBefore = await itemsOf(kept);

    const unknown = await erase(uniqueTrackingId('never-seen'));
    expect(unknown.status).toBe(404);
    const invalid = await erase('not a tracking id!');
    expect(invalid.status).toBe(400);
    expect(invalid.json.details).toEqual([{ path: '/tracking_id', message: 'must be 1-100 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-"' }]);
    expect(await itemsOf(kept)).toEqual(itemsBefore);
  });

  test('GET on the erasure path is a 405 naming DELETE', async () => {
    const response = await e2e.request({ method: 'GET', path: `/shipments/${uniqueTrackingId('any')}` });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('DELETE');
  });
});
