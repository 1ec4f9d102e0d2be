import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { ModelHarness, startModelHarness } from './harness';
import { emptyOperationsFigures, OperationsDriver, OperationsFigures } from './operations-driver';
import { OperationsScenario, operationsScenarioArbitrary } from './operations-scenarios';

/**
 * The promises of the operations beside tracking, proven on generated scenarios
 * against the real handler, stream processor and stall sweep over moto's real
 * DynamoDB, stream, EventBridge and SQS (see harness.ts, operations-scenarios.ts
 * and operations-driver.ts):
 *
 * - the stall sweep marks exactly the open shipments whose status is older than
 *   its threshold, once per status run (a second sweep marks nothing and moves no
 *   version), and each marking publishes one `Tracking Shipment Stalled`;
 *   shipments without news for 30 days get one `expired` event instead, which
 *   then counts like any other (current, history, status_since, listings);
 * - DELETE /shipments/{tracking_id} leaves no item of the shipment, also after
 *   503s and the retries that finish it, even with the stream behind; GET /status
 *   answers 404 and no listing shows it; one `Tracking Shipment Deleted` is
 *   published; an unknown shipment is a 404 that changes nothing; a shipment
 *   tracked again is a new one;
 * - GET /shipments with updated_before / updated_after, page after page, is the
 *   model's listing filtered strictly by status_since.
 *
 * Seeds as guarantees.test.ts: a fixed seed and a random seed printed for
 * reproduction (MODEL_SEED replays one). Sizes: a scenario here costs about
 * three of guarantees.test.ts's (every sweep is 2 × 56 shard queries, each a walk
 * of moto's table), so each seed runs half of MODEL_RUNS — about 60 s at the
 * default, on a CI machine's 2 cores. A failure is shrunk for as long as the
 * test's time allows, then reported as shrunk so far; MODEL_NO_SHRINK=1 reports
 * the first failing scenario as it was generated.
 */

const MODEL_RUNS = Number(process.env.MODEL_RUNS ?? 30);
const RUNS = Math.max(1, Math.ceil(MODEL_RUNS / 2));
const SOAK = process.env.MODEL_SOAK === '1';
const RANDOM_SEED = process.env.MODEL_SEED !== undefined ? Number(process.env.MODEL_SEED) : Math.floor(Math.random() * 2 ** 31);
const FIXED_SEED = SOAK ? RANDOM_SEED + 1 : 20261202;

const TEST_TIMEOUT_MS = Math.max(300_000, RUNS * 8_000);
jest.setTimeout(TEST_TIMEOUT_MS);

let harness: ModelHarness;
const figures: OperationsFigures = emptyOperationsFigures();
let scenarioCount = 0;
let violations = 0;
const started = Date.now();

beforeAll(async () => {
  harness = await startModelHarness({ name: process.env.MODEL_WORK_SUFFIX ? `operations-${process.env.MODEL_WORK_SUFFIX}` : 'operations' });
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
  console.log(`model-based operations run: ${JSON.stringify(report)}`);
  if (process.env.MODEL_FIGURES) {
    fs.mkdirSync(path.dirname(process.env.MODEL_FIGURES), { recursive: true });
    fs.writeFileSync(process.env.MODEL_FIGURES, `${JSON.stringify(report, null, 2)}\n`);
  }
  await harness?.stop();
});

async function play(scenario: OperationsScenario): Promise<void> {
  await harness.reset();
  try {
    await new OperationsDriver(harness, scenario, figures, `O${++scenarioCount}`).run();
  } catch (error) {
    violations++;
    throw error;
  }
}

const scenarios = operationsScenarioArbitrary({ maxShipments: 3, minSteps: 6, maxSteps: 14 });

describe.each([
  [SOAK ? `seed ${FIXED_SEED}` : 'a fixed seed', FIXED_SEED],
  [`a random seed (MODEL_SEED=${RANDOM_SEED} replays it)`, RANDOM_SEED],
])('tracking, sweeps, erasures and bounded listings on %s', (_name, seed) => {
  test('the sweep marks and expires what the model says, erasure leaves nothing, bounded listings equal the model, and each is published once', async () => {
    await fc.assert(fc.asyncProperty(scenarios, play), {
      seed,
      numRuns: RUNS,
      endOnFailure: SOAK || process.env.MODEL_NO_SHRINK === '1',
      // Shrinking replays whole scenarios: stop it in time to report the smallest failure found so far.
      interruptAfterTimeLimit: TEST_TIMEOUT_MS - 60_000,
      markInterruptAsFailure: true,
    });
  });
});
