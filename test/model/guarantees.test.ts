import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { emptyFigures, RunFigures, ScenarioDriver } from './driver';
import { ModelHarness, startModelHarness } from './harness';
import { CLIENT_STATUSES, EVENT_TIMES, faultArbitrary, Scenario, scenarioArbitrary } from './scenarios';

/**
 * The service's promises, proven on generated scenarios against the real handler
 * and stream processor over moto's real DynamoDB (see harness.ts, model.ts,
 * scenarios.ts and driver.ts):
 *
 * - an acknowledged event is stored exactly once, whatever the retries, resends
 *   and faults (throttling, refused connections, timeouts before and after a write
 *   reached the table) between the event write and the state write;
 * - a shipment's current state, milestones, history and status listing are those
 *   of the set of its events: arrival order, ties and batching do not matter;
 * - input the contract refuses gets a 400 naming the field and stores nothing;
 *   nothing generated gets a 5xx other than the 503 of an injected fault;
 * - the stream processor publishes each status change once, as a chain from the
 *   first status to the current one (repeats removable by version).
 *
 * Sizes: MODEL_RUNS scenarios per property (default: a CI-sized run), on a fixed
 * seed and on a random seed printed for reproduction (MODEL_SEED replays one).
 * `npx projen test:soak` (test/model/soak.ts) runs several of these files at once
 * with MODEL_SOAK set: then both seeds derive from MODEL_SEED, shrinking is off, and
 * the figures go to MODEL_FIGURES for the soak to add up.
 */

const RUNS = Number(process.env.MODEL_RUNS ?? 30);
const SOAK = process.env.MODEL_SOAK === '1';
const RANDOM_SEED = process.env.MODEL_SEED !== undefined ? Number(process.env.MODEL_SEED) : Math.floor(Math.random() * 2 ** 31);
const FIXED_SEED = SOAK ? RANDOM_SEED + 1 : 20261201;

jest.setTimeout(Math.max(300_000, RUNS * 4_000));

let harness: ModelHarness;
const figures: RunFigures = emptyFigures();
let scenarioCount = 0;
/** Scenarios that broke an invariant (fast-check stops at the first, then shrinks it unless soaking). */
let violations = 0;

/** Counts a broken invariant, then lets it fail the property. */
async function counted(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    violations++;
    throw error;
  }
}
const started = Date.now();

beforeAll(async () => {
  // Soak workers run this file side by side: each needs its own work directory.
  harness = await startModelHarness({ name: process.env.MODEL_WORK_SUFFIX ? `guarantees-${process.env.MODEL_WORK_SUFFIX}` : 'guarantees' });
}, 120_000);

afterAll(async () => {
  const report = {
    ...figures,
    faultsInjected: harness?.faults.fired,
    faultsByKind: harness?.faults.firedByKind,
    invariantViolations: violations,
    seeds: { fixed: FIXED_SEED, random: RANDOM_SEED },
    runsPerProperty: RUNS,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  // Printed for reproducing a random-seed failure, and for the soak's figures.
  console.log(`model-based run: ${JSON.stringify(report)}`);
  if (process.env.MODEL_FIGURES) {
    fs.mkdirSync(path.dirname(process.env.MODEL_FIGURES), { recursive: true });
    fs.writeFileSync(process.env.MODEL_FIGURES, `${JSON.stringify(report, null, 2)}\n`);
  }
  await harness?.stop();
});

/** One scenario: a fresh table, a fresh model, the generated client. */
async function play(scenario: Scenario): Promise<void> {
  await harness.reset();
  await counted(() => new ScenarioDriver(harness, scenario, figures, `M${++scenarioCount}`).run());
}

const sequential = scenarioArbitrary({ maxShipments: 3, maxOperations: 10, faults: true });

describe.each([
  [SOAK ? `seed ${FIXED_SEED}` : 'a fixed seed', FIXED_SEED],
  [`a random seed (MODEL_SEED=${RANDOM_SEED} replays it)`, RANDOM_SEED],
])('generated scenarios on %s', (_name, seed) => {
  test('after the contract\'s retries, every answer, the table, GET /status, GET /shipments and the published changes agree with the model', async () => {
    await fc.assert(fc.asyncProperty(sequential, play), { seed, numRuns: RUNS, endOnFailure: SOAK });
  });
});

/** Several writers on one shipment at once, with faults: contention ends in success or a 503 a retry completes. */
const concurrentWriters = fc.record({
  updates: fc.array(fc.record({
    shipment: fc.constant(0),
    status: fc.constantFrom(...CLIENT_STATUSES),
    location: fc.constant({ lat: 52.52, lng: 13.405 }),
    eventTime: fc.option(fc.constantFrom(...EVENT_TIMES), { nil: undefined, freq: 4 }),
    withEventId: fc.boolean(),
  }, { requiredKeys: ['shipment', 'status', 'location', 'withEventId'] }), { minLength: 2, maxLength: 8 }),
  fault: fc.option(faultArbitrary, { nil: undefined }),
});

describe('concurrent writers on one shipment', () => {
  test.each([
    [SOAK ? `seed ${FIXED_SEED}` : 'a fixed seed', FIXED_SEED],
    [`a random seed (MODEL_SEED=${RANDOM_SEED} replays it)`, RANDOM_SEED],
  ])('lose no update and publish a consistent chain, on %s', async (_name, seed) => {
    await fc.assert(fc.asyncProperty(concurrentWriters, async ({ updates, fault }) => {
      await harness.reset();
      await counted(() => new ScenarioDriver(harness, { shipments: 1, operations: [] }, figures, `C${++scenarioCount}`).concurrently(updates, fault));
    }), { seed, numRuns: Math.max(1, Math.round(RUNS / 2)), endOnFailure: SOAK });
  });
});
