import * as fs from 'fs';
import * as path from 'path';

/**
 * Reads a synthesized cloud assembly (`cdk.out`): which stacks it holds, their
 * templates, and where each file asset was staged. Only the manifest files the
 * CDK CLI itself reads are used, so any app that `cdk synth` accepts works here.
 */

/** A CloudFormation template as JSON. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Outputs?: Record<string, unknown>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
}

export interface AssemblyStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** The cloud assembly directory. */
  readonly directory: string;
  /** Staged directory (absolute) of a file asset, by the S3 object key the template names. */
  readonly assetDirectoryByObjectKey: ReadonlyMap<string, string>;
}

interface Manifest {
  readonly artifacts?: Record<string, {
    readonly type: string;
    readonly properties?: { readonly templateFile?: string; readonly stackName?: string; readonly file?: string };
    readonly dependencies?: readonly string[];
  }>;
}

interface AssetManifest {
  readonly files?: Record<string, {
    readonly source?: { readonly path?: string; readonly packaging?: string };
    readonly destinations?: Record<string, { readonly objectKey?: string }>;
  }>;
}

function readJson<T>(file: string, what: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${what} not found at ${file}: synthesize the app first (e.g. \`npx projen synth:example\`)`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${what} at ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * The stack to serve from `directory`: `stackName` when given, else the only
 * stack in the assembly (nested assemblies, i.e. CDK stages, are not searched).
 */
export function readAssemblyStack(directory: string, stackName?: string): AssemblyStack {
  const dir = path.resolve(directory);
  const manifest = readJson<Manifest>(path.join(dir, 'manifest.json'), 'cloud assembly manifest');
  const artifacts = Object.entries(manifest.artifacts ?? {});
  const stacks = artifacts.filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
  if (stacks.length === 0) throw new Error(`the cloud assembly in ${dir} holds no stack`);

  const names = stacks.map(([id, artifact]) => artifact.properties?.stackName ?? id);
  let index = 0;
  if (stackName !== undefined) {
    index = names.indexOf(stackName);
    if (index < 0) throw new Error(`stack ${stackName} is not in ${dir}; it holds: ${names.join(', ')}`);
  } else if (stacks.length > 1) {
    throw new Error(`the cloud assembly in ${dir} holds several stacks (${names.join(', ')}); choose one with --stack`);
  }
  const [artifactId, artifact] = stacks[index];
  const templateFile = artifact.properties?.templateFile;
  if (!templateFile) throw new Error(`stack ${names[index]} in ${dir} names no template file`);
  const template = readJson<CfnTemplate>(path.join(dir, templateFile), `template of ${names[index]}`);

  // The stack's asset manifest is one of its dependencies (`<artifact>.assets`).
  const assetDirectoryByObjectKey = new Map<string, string>();
  for (const dependency of artifact.dependencies ?? [`${artifactId}.assets`]) {
    const assetArtifact = manifest.artifacts?.[dependency];
    if (assetArtifact?.type !== 'cdk:asset-manifest' || !assetArtifact.properties?.file) continue;
    const assets = readJson<AssetManifest>(path.join(dir, assetArtifact.properties.file), 'asset manifest');
    for (const file of Object.values(assets.files ?? {})) {
      if (!file.source?.path) continue;
      for (const destination of Object.values(file.destinations ?? {})) {
        if (destination.objectKey) assetDirectoryByObjectKey.set(destination.objectKey, path.join(dir, file.source.path));
      }
    }
  }
  return { stackName: names[index], template, directory: dir, assetDirectoryByObjectKey };
}
