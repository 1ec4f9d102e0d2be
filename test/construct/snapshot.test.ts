import { synth } from './harness';

/**
 * Asset hashes change with every handler edit and say nothing about the
 * template's shape, so the serializer masks them; every other change to the
 * default stack shows up as a real snapshot diff.
 */
expect.addSnapshotSerializer({
  test: (value) => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  print: (value) => JSON.stringify((value as string).replace(/[0-9a-f]{64}/g, '<asset-hash>')),
});

test('the default stack matches its snapshot', () => {
  expect(synth().template.toJSON()).toMatchSnapshot();
});
