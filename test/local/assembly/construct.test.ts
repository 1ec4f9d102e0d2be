import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps, Stack, Stage } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { httpApiTemplate, withRestApi } from './http-api-fixture';
import type { CfnTemplate } from '../../../local/assembly/cloud-assembly';
import { CONSTRUCT_FQN, TreeNode } from '../../../local/assembly/construct-tree';
import { readServedStack } from '../../../local/assembly/served-stack';
import { LocalTemplate, readLocalTemplate } from '../../../local/assembly/template';
import { checkCodeDirectory, nodeForRuntime } from '../../../local/functions/node-runtime';
import { startRuntime } from '../../../local/runtime';
import { ApiAuthorization, ApiType, LogisticsTrackingApi, LogisticsTrackingApiProps } from '../../../src';

/**
 * Which stack and which LogisticsTrackingApi `npx logistics-tracking-api local`
 * serves from a consumer's cloud assembly (stacks, Stages, tree.json), and the
 * start-up messages for what it cannot serve. Real assemblies are synthesized
 * here from the construct; small hand-written ones cover what an app in another
 * language (or an older CDK) may write.
 */

const EMULATOR = 'http://127.0.0.1:4566';
const directories: string[] = [];
afterAll(() => {
  for (const dir of directories) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'construct-assembly-'));
  directories.push(dir);
  return dir;
}

/** Synthesizes the app `build` makes into a new directory. */
function synth(build: (app: App) => void, props: AppProps = {}): string {
  const outdir = tempDir();
  const app = new App({ outdir, ...props });
  build(app);
  app.synth();
  return outdir;
}

const read = (cdkOut: string, options: { stackName?: string; construct?: string; api?: string } = {}): LocalTemplate =>
  readLocalTemplate(cdkOut, { emulatorEndpoint: EMULATOR, ...options });

const apiLogicalId = (template: LocalTemplate) => (template.protocol === 'REST' ? template.api.logicalId : template.httpApi.logicalId);

function tracking(scope: Construct, id: string, props: Partial<LogisticsTrackingApiProps> = {}): LogisticsTrackingApi {
  return new LogisticsTrackingApi(scope, id, { stageName: 'dev', ...props });
}

/** A stack with an API of the app's own (a mock integration: no function). */
function ownApi(scope: Construct, id = 'Own'): apigateway.RestApi {
  const api = new apigateway.RestApi(scope, id, { cloudWatchRole: false });
  api.root.addMethod('GET', new apigateway.MockIntegration());
  return api;
}

describe('a real assembly: the stack and the LogisticsTrackingApi to serve', () => {
  test("the stack holding the construct is served among several, with the construct's API even beside one of the app's own", () => {
    const cdkOut = synth((app) => {
      const other = new Stack(app, 'Other');
      new sqs.Queue(other, 'Jobs');
      ownApi(other);
      const service = new Stack(app, 'Service');
      tracking(service, 'Tracking');
      ownApi(service);
    });
    const template = read(cdkOut);
    expect(template.stackName).toBe('Service');
    expect(template.constructPath).toBe('Service/Tracking');
    expect(template.protocol).toBe('HTTP');
    expect(apiLogicalId(template)).toMatch(/^TrackingHttpApi/);
    expect(template.notServed).toContainEqual(expect.stringMatching(/^Own[0-9A-F]{8} \(only one API is served\)$/));
    // Resources are named by their construct path in messages, from tree.json.
    const handler = [...template.functions.values()].find((fn) => fn.logicalId.startsWith('TrackingHandler'))!;
    expect(handler.constructPath).toBe('Service/Tracking/Handler');
  });

  test('an assembly without the construct says so and lists its stacks; --stack serves one of them anyway', () => {
    const cdkOut = synth((app) => {
      ownApi(new Stack(app, 'Web'));
      new sqs.Queue(new Stack(app, 'Jobs'), 'Queue');
    });
    expect(() => read(cdkOut)).toThrow(`no LogisticsTrackingApi in the cloud assembly ${cdkOut} (it holds stacks Web, Jobs): `
      + 'synthesize an app that creates one (`cdk synth`), or pass --stack NAME to serve another stack.');
    const web = read(cdkOut, { stackName: 'Web' });
    expect(web.stackName).toBe('Web');
    expect(web.constructPath).toBeUndefined();
    expect(apiLogicalId(web)).toMatch(/^Own/);
  });

  describe('two stacks with the construct', () => {
    let cdkOut: string;
    beforeAll(() => {
      cdkOut = synth((app) => {
        tracking(new Stack(app, 'Eu'), 'Tracking');
        tracking(new Stack(app, 'Us'), 'Tracking', { apiType: ApiType.REST });
      });
    });

    test('are listed with their construct paths, and --stack NAME is asked for', () => {
      expect(() => read(cdkOut)).toThrow(`several stacks in the cloud assembly ${cdkOut} hold a LogisticsTrackingApi (Eu: Eu/Tracking; Us: Us/Tracking); `
        + 'choose one with --stack NAME, e.g. --stack Eu (a construct path, stack name or artifact id), or with --construct PATH');
    });

    test('--stack chooses, and so does --construct with the whole path; its last segment alone is ambiguous', () => {
      expect(read(cdkOut, { stackName: 'Us' })).toMatchObject({ stackName: 'Us', constructPath: 'Us/Tracking', protocol: 'REST' });
      expect(read(cdkOut, { construct: 'Eu/Tracking' })).toMatchObject({ stackName: 'Eu', constructPath: 'Eu/Tracking', protocol: 'HTTP' });
      expect(read(cdkOut, { stackName: 'Eu', construct: 'Tracking' }).constructPath).toBe('Eu/Tracking');
      expect(() => read(cdkOut, { construct: 'Tracking' }))
        .toThrow('--construct Tracking matches several LogisticsTrackingApi constructs (Eu/Tracking, Us/Tracking): pass the whole construct path, e.g. --construct Eu/Tracking');
    });

    test('--stack with the construct of another stack says where it is; an unknown stack lists the choices', () => {
      expect(() => read(cdkOut, { stackName: 'Eu', construct: 'Us/Tracking' }))
        .toThrow('the LogisticsTrackingApi Us/Tracking is in stack Us, not in Eu: pass --stack Us, or leave --stack out');
      expect(() => read(cdkOut, { stackName: 'Asia' }))
        .toThrow(`stack Asia is not in ${cdkOut}; it holds: Eu, Us (--stack takes a construct path, stack name or artifact id)`);
    });
  });

  describe('two constructs in one stack', () => {
    let cdkOut: string;
    const apis: Record<string, string> = {};
    beforeAll(() => {
      cdkOut = synth((app) => {
        const stack = new Stack(app, 'Logistics');
        const parcels = tracking(stack, 'Parcels', { stageName: 'parcels' });
        const freight = tracking(new Construct(stack, 'Freight'), 'Tracking', { stageName: 'freight', apiType: ApiType.REST });
        apis.parcels = stack.resolve((parcels.httpApi!.node.defaultChild as any).logicalId);
        apis.freight = stack.resolve((freight.api!.node.defaultChild as any).logicalId);
      });
    });

    test('name both construct paths and --construct PATH', () => {
      expect(() => read(cdkOut)).toThrow('stack Logistics holds 2 LogisticsTrackingApi constructs (Logistics/Parcels, Logistics/Freight/Tracking); '
        + 'choose one with --construct PATH, e.g. --construct Logistics/Parcels');
    });

    test("--construct serves that construct's API, by whole path, by id or by a path ending", () => {
      expect(apiLogicalId(read(cdkOut, { construct: 'Logistics/Parcels' }))).toBe(apis.parcels);
      const freight = read(cdkOut, { construct: 'Tracking' });
      expect(freight).toMatchObject({ constructPath: 'Logistics/Freight/Tracking', protocol: 'REST' });
      expect(apiLogicalId(freight)).toBe(apis.freight);
      expect(freight.notServed).toContain(`${apis.parcels} (only one API is served)`);
      expect(read(cdkOut, { construct: 'Freight/Tracking' }).constructPath).toBe('Logistics/Freight/Tracking');
    });

    test('an unknown --construct lists the constructs; --api chooses as before, naming the construct it belongs to', () => {
      expect(() => read(cdkOut, { construct: 'Returns' }))
        .toThrow(`--construct Returns: no LogisticsTrackingApi at that path in the cloud assembly ${cdkOut}; its LogisticsTrackingApi constructs are Logistics/Parcels, Logistics/Freight/Tracking`);
      expect(read(cdkOut, { api: apis.freight }).constructPath).toBe('Logistics/Freight/Tracking');
      expect(() => read(cdkOut, { construct: 'Parcels', api: apis.freight }))
        .toThrow(`--construct Parcels serves API ${apis.parcels}, but --api ${apis.freight} was given: pass one of them`);
    });
  });

  test('a stack in a Stage (as a pipeline deploys it) is found; --stack takes its path, stack name or artifact id', () => {
    let artifactId = '';
    const cdkOut = synth((app) => {
      new Stack(app, 'Pipeline');
      const prod = new Stage(app, 'Prod');
      const stack = new Stack(prod, 'Service');
      tracking(stack, 'Tracking');
      artifactId = stack.artifactId;
    });
    const served = read(cdkOut);
    expect(served).toMatchObject({ stackName: 'Prod-Service', constructPath: 'Prod/Service/Tracking' });
    // The Stage's asset manifest (in assembly-Prod/) names the assets staged at the top (../asset.<hash>).
    const handler = [...served.functions.values()].find((fn) => fn.logicalId.startsWith('TrackingHandler'))!;
    expect(path.dirname(handler.codeDirectory)).toBe(cdkOut);
    expect(fs.statSync(handler.codeDirectory).isDirectory()).toBe(true);
    for (const name of ['Prod/Service', 'Prod-Service', artifactId]) expect(read(cdkOut, { stackName: name }).constructPath).toBe('Prod/Service/Tracking');
    expect(() => read(cdkOut, { stackName: 'Service' }))
      .toThrow(`stack Service is not in ${cdkOut}; it holds: Pipeline, Prod/Service (stack name Prod-Service) (--stack takes a construct path, stack name or artifact id)`);
  });

  test('the same in two Stages: the error lists each by its path, and --stack takes it', () => {
    const cdkOut = synth((app) => {
      for (const stage of ['Beta', 'Prod']) tracking(new Stack(new Stage(app, stage), 'Service'), 'Tracking');
    });
    expect(() => read(cdkOut)).toThrow(/\(Beta\/Service \(stack name Beta-Service\): Beta\/Service\/Tracking; Prod\/Service \(stack name Prod-Service\): Prod\/Service\/Tracking\); choose one with --stack NAME, e\.g\. --stack Beta\/Service/);
    expect(read(cdkOut, { stackName: 'Prod/Service' }).constructPath).toBe('Prod/Service/Tracking');
  });

  test('without tree.json (tree metadata off): the only stack and its only API, as before constructs were looked for', () => {
    const single = synth((app) => tracking(new Stack(app, 'Service'), 'Tracking'), { treeMetadata: false });
    expect(fs.existsSync(path.join(single, 'tree.json'))).toBe(false);
    const served = read(single);
    expect(served.stackName).toBe('Service');
    expect(served.constructPath).toBeUndefined();
    expect(() => read(single, { construct: 'Tracking' })).toThrow(/--construct Tracking needs the construct tree \(tree\.json\), which the cloud assembly in .* does not have/);

    const several = synth((app) => {
      new Stack(app, 'Other');
      const stack = new Stack(app, 'Service');
      tracking(stack, 'Tracking');
      ownApi(stack);
    }, { treeMetadata: false });
    expect(() => read(several)).toThrow(/holds several stacks \(Other, Service\); choose one with --stack/);
    expect(() => read(several, { stackName: 'Service' })).toThrow(/the template holds RestApis \(Own[0-9A-F]{8}\) and HTTP APIs \(TrackingHttpApi[0-9A-F]{8}\); choose one with --api/);
  });

  test("the construct as the published package's class: found by its jsii type name", () => {
    // What jsii compiles into lib/: the class carries its type name, which tree.json records.
    class Packaged extends LogisticsTrackingApi {}
    Object.defineProperty(Packaged, Symbol.for('jsii.rtti'), { value: { fqn: CONSTRUCT_FQN, version: '1.0.0' } });
    const cdkOut = synth((app) => {
      new Stack(app, 'Other');
      new Packaged(new Stack(app, 'Service'), 'Tracking', { stageName: 'dev' });
    });
    const tree = JSON.parse(fs.readFileSync(path.join(cdkOut, 'tree.json'), 'utf8'));
    expect(tree.tree.children.Service.children.Tracking.constructInfo.fqn).toBe(CONSTRUCT_FQN);
    expect(read(cdkOut).constructPath).toBe('Service/Tracking');
  });
});

/** A hand-written cloud assembly: stacks (with their templates) and tree.json. */
interface FakeStack {
  readonly id: string;
  readonly stackName?: string;
  readonly displayName?: string;
  readonly template: CfnTemplate;
}

function writeAssembly(dir: string, stacks: readonly FakeStack[], tree?: TreeNode, nested: Record<string, readonly FakeStack[]> = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const artifacts: Record<string, unknown> = {};
  for (const stack of stacks) {
    fs.writeFileSync(path.join(dir, `${stack.id}.template.json`), JSON.stringify(stack.template));
    fs.mkdirSync(path.join(dir, 'asset.abc'), { recursive: true });
    artifacts[stack.id] = {
      type: 'aws:cloudformation:stack',
      ...(stack.displayName ? { displayName: stack.displayName } : {}),
      properties: { templateFile: `${stack.id}.template.json`, ...(stack.stackName ? { stackName: stack.stackName } : {}) },
      dependencies: [],
    };
  }
  for (const [directoryName, nestedStacks] of Object.entries(nested)) {
    writeAssembly(path.join(dir, directoryName), nestedStacks);
    artifacts[directoryName] = { type: 'cdk:cloud-assembly', properties: { directoryName } };
  }
  if (tree) {
    fs.writeFileSync(path.join(dir, 'tree.json'), JSON.stringify({ version: 'tree-0.1', tree }));
    artifacts.Tree = { type: 'cdk:tree', properties: { file: 'tree.json' } };
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '1', artifacts }));
  return dir;
}

function node(nodePath: string, fqn: string, children: TreeNode[] = [], attributes?: Record<string, unknown>): TreeNode {
  return {
    id: nodePath.split('/').pop() || 'App',
    path: nodePath,
    constructInfo: { fqn },
    children: Object.fromEntries(children.map((child) => [child.id, child])),
    ...(attributes ? { attributes } : {}),
  };
}

const resource = (nodePath: string, type: string, logicalId: string) =>
  node(nodePath, 'aws-cdk-lib.CfnResource', [], { 'aws:cdk:cloudformation:type': type, 'aws:cdk:cloudformation:logicalId': logicalId });

/** A LogisticsTrackingApi node (as the published package's class) whose HTTP API is `Api`, its function `Handler`. */
const trackingNode = (nodePath: string, fqn = CONSTRUCT_FQN) => node(nodePath, fqn, [
  node(`${nodePath}/HttpApi`, 'aws-cdk-lib.aws_apigatewayv2.HttpApi', [resource(`${nodePath}/HttpApi/Resource`, 'AWS::ApiGatewayV2::Api', 'Api')]),
  node(`${nodePath}/Handler`, 'aws-cdk-lib.aws_lambda.Function', [resource(`${nodePath}/Handler/Resource`, 'AWS::Lambda::Function', 'Handler')]),
]);

describe('a hand-written assembly (another language, another CDK version)', () => {
  test("the construct is found by its jsii type name and served over the stack's other API, named by the tree's logical id", () => {
    const dir = writeAssembly(tempDir(), [
      { id: 'Web', displayName: 'Web', template: withRestApi(httpApiTemplate()) },
      { id: 'Api', displayName: 'Api', template: withRestApi(httpApiTemplate()) },
    ], node('', 'aws-cdk-lib.App', [
      node('Web', 'aws-cdk-lib.Stack'),
      node('Api', 'aws-cdk-lib.Stack', [trackingNode('Api/Tracking')]),
    ]));
    const served = read(dir);
    expect(served).toMatchObject({ stackName: 'Api', constructPath: 'Api/Tracking', protocol: 'HTTP' });
    expect(served.notServed).toContain('Rest (only one API is served)');
    expect(served.functions.get('Handler')!.constructPath).toBe('Api/Tracking/Handler');
  });

  test('a plain construct is not taken for the construct unless its API is described as the construct describes it', () => {
    const described = httpApiTemplate();
    (described.Resources!.Api.Properties as any).Description = 'LogisticsTrackingApi: shipment tracking';
    const tree = node('', 'aws-cdk-lib.App', [node('S', 'aws-cdk-lib.Stack', [trackingNode('S/Tracking', 'constructs.Construct')])]);
    expect(read(writeAssembly(tempDir(), [{ id: 'S', template: described }], tree)).constructPath).toBe('S/Tracking');
    expect(() => read(writeAssembly(tempDir(), [{ id: 'S', template: httpApiTemplate() }], tree))).toThrow(/^no LogisticsTrackingApi in the cloud assembly/);
  });

  test('a construct inside a nested stack is reported, not served', () => {
    const dir = writeAssembly(tempDir(), [{ id: 'S', template: httpApiTemplate() }], node('', 'aws-cdk-lib.App', [
      node('S', 'aws-cdk-lib.Stack', [node('S/Inner', 'aws-cdk-lib.NestedStack', [trackingNode('S/Inner/Tracking')])]),
    ]));
    expect(() => read(dir)).toThrow('S/Inner/Tracking (in nested stack S/Inner): the local runtime serves no nested stack, '
      + "so create the construct in a stack (or a Stage's stack) instead.");
  });

  test("stacks of nested assemblies (Stages) without displayName are found by artifact id; the served stack's files are its assembly's", () => {
    const dir = writeAssembly(tempDir(), [], node('', 'aws-cdk-lib.App', [
      node('Beta', 'aws-cdk-lib.Stage', [node('BetaSvc1234', 'aws-cdk-lib.Stack', [trackingNode('BetaSvc1234/Tracking')])]),
    ]), { 'assembly-Beta': [{ id: 'BetaSvc1234', stackName: 'Beta-Svc', template: httpApiTemplate() }] });
    const stack = readServedStack(dir);
    expect(stack).toMatchObject({ stackName: 'Beta-Svc', artifactId: 'BetaSvc1234', displayPath: 'BetaSvc1234', directory: path.join(dir, 'assembly-Beta') });
    expect(stack.constructs).toEqual([{ path: 'BetaSvc1234/Tracking', apiLogicalId: 'Api' }]);
    expect(read(dir).functions.get('Handler')!.codeDirectory).toBe(path.join(dir, 'assembly-Beta', 'asset.abc'));
  });

  test('two stacks of one stack name (in two Stages) are told apart by their paths', () => {
    const dir = writeAssembly(tempDir(), [
      { id: 'A', stackName: 'svc', displayName: 'Beta/Svc', template: httpApiTemplate() },
      { id: 'B', stackName: 'svc', displayName: 'Prod/Svc', template: httpApiTemplate() },
    ]);
    expect(() => read(dir, { stackName: 'svc' })).toThrow(`several stacks of the cloud assembly ${dir} are named svc (Beta/Svc (stack name svc), Prod/Svc (stack name svc)): `
      + 'pass --stack the construct path instead, e.g. --stack Beta/Svc');
    expect(read(dir, { stackName: 'Prod/Svc' }).stackName).toBe('svc');
  });
});

describe('what the local runtime cannot serve fails at start-up, naming the resource, why and what to do', () => {
  /** An on-disk assembly of one stack holding the HTTP API fixture, changed by `change`; its function has a construct path. */
  function cdkOutWith(change: (resources: Record<string, any>) => void): string {
    const template: any = httpApiTemplate();
    template.Resources.Handler.Metadata = { 'aws:cdk:path': 'Service/Worker/Resource' };
    change(template.Resources);
    return writeAssembly(tempDir(), [{ id: 'Service', template }]);
  }
  const subject = 'function Handler (Service/Worker), which POST /track, ANY /track, GET /status and 4 more invoke,';

  test('a function of another runtime behind the API', () => {
    const dir = cdkOutWith((r) => {
      r.Handler.Properties.Runtime = 'python3.12';
    });
    expect(() => read(dir)).toThrow(`${subject} has runtime python3.12: the local runtime runs Node.js functions only (nodejs<major>.x). `
      + 'Serve a stack without it (move it to another stack and pass --stack), or synthesize the app for local runs without it');
  });

  test('a container image function', () => {
    const dir = cdkOutWith((r) => {
      r.Handler.Properties = { PackageType: 'Image', Code: { ImageUri: 'repo:latest' } };
    });
    expect(() => read(dir)).toThrow(`${subject} is a container image (PackageType Image): the local runtime runs zip-packaged Node.js functions only. `
      + 'Give it Node.js code from an asset (lambda.Code.fromAsset, a NodejsFunction), or serve a stack without it (move it to another stack and pass --stack)');
  });

  test('inline code', () => {
    const dir = cdkOutWith((r) => {
      r.Handler.Properties.Code = { ZipFile: 'exports.handler = async () => ({})' };
    });
    expect(() => read(dir)).toThrow(`${subject} has inline code (Code.ZipFile, e.g. lambda.Code.fromInline): the local runtime loads a function from the asset \`cdk synth\` stages. `
      + 'Use lambda.Code.fromAsset or a NodejsFunction, and synthesize again (`cdk synth`) so the asset is staged');
  });

  test('an asset that was not staged, and a .zip file asset', () => {
    const missing = cdkOutWith(() => undefined);
    fs.rmSync(path.join(missing, 'asset.abc'), { recursive: true });
    expect(() => read(missing)).toThrow(`${subject} has no staged code at ${path.join(missing, 'asset.abc')}; no asset manifest of the stack names its S3 key "abc.zip": `
      + 'synthesize with `cdk synth` so the asset is staged');
    const zip = cdkOutWith(() => undefined);
    fs.rmSync(path.join(zip, 'asset.abc'), { recursive: true });
    fs.writeFileSync(path.join(zip, 'asset.abc'), 'PK');
    expect(() => read(zip)).toThrow(`${subject} has its code in a file asset (${path.join(zip, 'asset.abc')}), not a directory`);
  });

  test('a function no route invokes is not checked', () => {
    const dir = cdkOutWith((r) => {
      r.Other = { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.12', Handler: 'app.handler', Code: { ZipFile: 'x' } } };
    });
    expect(read(dir).functions.get('Other')!.runtime).toBe('python3.12');
  });

  test("a Cognito user pool authorizer on the construct's REST API, naming the method and its construct path", async () => {
    const cdkOut = synth((app) => {
      const stack = new Stack(app, 'Service');
      tracking(stack, 'Tracking', { apiType: ApiType.REST, authorization: ApiAuthorization.cognito(new cognito.UserPool(stack, 'Users')) });
    });
    await expect(startRuntime({ cdkOut, logDir: path.join(cdkOut, 'logs'), projectDir: path.join(__dirname, '..', '..', '..') })).rejects.toThrow(new RegExp(
      '^[A-Z]+ /\\S* \\(method TrackingApi\\w+ \\(Service/Tracking/Api/Default/\\S+\\)\\) uses COGNITO_USER_POOLS authorization, which the local runtime does not serve: '
      + 'it checks AWS_IAM signatures and NONE only, no tokens or Lambda authorizers\\. Use AWS_IAM or NONE authorization locally, '
      + 'e\\.g\\. synthesize the LogisticsTrackingApi with ApiAuthorization\\.iam\\(\\) \\(the default\\) for local runs$'));
  });

  test("a function's Node major this machine lacks, and code that is not a directory, named by the function's spec", () => {
    const fn = { name: 'Service-Handler', logicalId: 'Handler1A2B', constructPath: 'Service/Tracking/Handler' };
    expect(() => nodeForRuntime('nodejs16.x', fn)).toThrow(/^function Service-Handler \(logical id Handler1A2B, Service\/Tracking\/Handler\) has runtime nodejs16\.x, which the local runtime cannot serve: no Node 16 here \(it serves nodejs24\.x.*\)\. Use one of those runtimes, or run the local runtime itself on Node 16/);
    expect(() => nodeForRuntime('java21', fn)).toThrow('function Service-Handler (logical id Handler1A2B, Service/Tracking/Handler) has runtime java21: '
      + 'the local runtime runs Node.js functions only (nodejs<major>.x). Serve a stack without it (move it to another stack and pass --stack)');
    expect(() => checkCodeDirectory('<inline ZipFile>', fn)).toThrow('function Service-Handler (logical id Handler1A2B, Service/Tracking/Handler): its code is not a staged directory (<inline ZipFile>); '
      + 'only directory assets from `cdk synth` are served locally. Synthesize again (`cdk synth`) so the asset is staged');
  });
});
