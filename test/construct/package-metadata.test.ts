import * as fs from 'fs';
import * as path from 'path';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

describe('package metadata', () => {
  test('publishes for Python, Java, .NET and Go under names derived from one product name', () => {
    expect(pkg.name).toBe('logistics-tracking-api');
    expect(pkg.jsii.targets).toEqual({
      python: { distName: 'logistics-tracking-api', module: 'logistics_tracking_api' },
      java: { package: 'com.example.logisticstracking', maven: { groupId: 'com.example', artifactId: 'logistics-tracking-api' } },
      dotnet: { namespace: 'Example.LogisticsTracking', packageId: 'Example.LogisticsTrackingApi' },
      go: { moduleName: 'github.com/example/logistics-tracking-api-go', packageName: 'logisticstrackingapi' },
    });
  });

  test('carries the keywords Construct Hub indexes (awscdk) and the ones people search for (aws-cdk, cdk)', () => {
    expect(pkg.keywords).toEqual(expect.arrayContaining(['awscdk', 'aws-cdk', 'cdk']));
  });

  test('releases from main on the 0.x line, versioned by conventional commits, npm through trusted publishing', () => {
    const tasks = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '.projen', 'tasks.json'), 'utf8')).tasks;
    expect(tasks.release.env).toMatchObject({ MAJOR: '0' });
    expect(tasks['bump:releasable-commits'].steps[0].exec).toContain("--grep '^(feat|fix|perf|revert)");
    const releaseWorkflow = fs.readFileSync(path.join(__dirname, '..', '..', '.github', 'workflows', 'release.yml'), 'utf8');
    for (const registry of ['NPM', 'PYPI', 'NUGET']) {
      expect(releaseWorkflow).toContain(`${registry}_TRUSTED_PUBLISHER: "true"`);
    }
    expect(releaseWorkflow).not.toMatch(/NPM_TOKEN|TWINE_PASSWORD|NUGET_API_KEY/);
  });

  test('aws-cdk-lib and constructs are peer dependencies with a stated minimum, tested at that minimum', () => {
    expect(pkg.peerDependencies).toEqual({ 'aws-cdk-lib': '^2.258.0', 'constructs': '^10.5.1' });
    expect(pkg.devDependencies['aws-cdk-lib']).toBe('2.258.0');
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  test('the SDK and Powertools that get bundled into the handler are pinned exactly', () => {
    for (const name of ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/client-ssm',
      '@aws-lambda-powertools/logger', '@aws-lambda-powertools/metrics', 'ajv', 'esbuild']) {
      expect(pkg.devDependencies[name]).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
});
