import * as fs from 'fs';
import * as path from 'path';
import type { ConstructInstance } from './construct-tree';

/**
 * Reads a synthesized cloud assembly (`cdk.out`): which stacks it holds (its own
 * and those of its nested assemblies, i.e. CDK Stages), their templates, and where
 * each file asset was staged. Only the manifest files the CDK CLI itself reads are
 * used, so any app that `cdk synth` accepts works here, whatever its language.
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
  /** The cloud assembly directory (for a stack of a CDK Stage, its nested assembly's). */
  readonly directory: string;
  /** Staged directory (absolute) of a file asset, by the S3 object key the template names. */
  readonly assetDirectoryByObjectKey: ReadonlyMap<string, string>;
  /** The stack's artifact id in its manifest, when read from an assembly. */
  readonly artifactId?: string;
  /** The stack's construct path (`MyStack`, `Prod/MyStack` in a Stage), when read from an assembly. */
  readonly displayPath?: string;
  /**
   * The LogisticsTrackingApi constructs in this stack, from the assembly's tree.json.
   * Absent when the assembly has no tree.json (or the stack was not read from one):
   * then no construct is chosen and the API is chosen as before (the only one, or `api`).
   */
  readonly constructs?: readonly ConstructInstance[];
  /** Construct path by logical id, from tree.json (construct-tree.ts), for messages. */
  readonly resourcePaths?: ReadonlyMap<string, string>;
}

/** A stack artifact of the assembly or of one of its nested assemblies (CDK Stages). */
export interface StackArtifact {
  readonly artifactId: string;
  /** The stack's `stackName` property, else its artifact id. */
  readonly stackName: string;
  /** The stack's construct path (`displayName`), else its artifact id. */
  readonly displayPath: string;
  /** The (nested) assembly directory the stack's files are in. */
  readonly assemblyDirectory: string;
  readonly templateFile?: string;
  /** The stack's asset manifests, absolute. */
  readonly assetManifestFiles: readonly string[];
}

interface ManifestArtifact {
  readonly type: string;
  readonly displayName?: string;
  readonly properties?: {
    readonly templateFile?: string;
    readonly stackName?: string;
    readonly file?: string;
    readonly directoryName?: string;
  };
  readonly dependencies?: readonly string[];
}

interface Manifest {
  readonly artifacts?: Record<string, ManifestArtifact>;
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
    throw new Error(`${what} not found at ${file}: synthesize the app first (\`cdk synth\`; in this repository \`npx projen synth:example\`)`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${what} at ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The manifest of the assembly in `directory` (absolute). */
export function readManifest(directory: string): Manifest {
  return readJson<Manifest>(path.join(directory, 'manifest.json'), 'cloud assembly manifest');
}

/**
 * Every stack of the assembly in `directory`, in manifest order, then the stacks
 * of its nested assemblies (artifacts of type `cdk:cloud-assembly`: CDK Stages,
 * e.g. a pipeline's), depth first.
 */
export function listAssemblyStacks(directory: string): StackArtifact[] {
  const stacks: StackArtifact[] = [];
  const visit = (dir: string, seen: ReadonlySet<string>) => {
    const artifacts = readManifest(dir).artifacts ?? {};
    for (const [artifactId, artifact] of Object.entries(artifacts)) {
      if (artifact.type !== 'aws:cloudformation:stack') continue;
      const assetManifestFiles = (artifact.dependencies ?? [`${artifactId}.assets`]).flatMap((dependency) => {
        const assets = artifacts[dependency];
        return assets?.type === 'cdk:asset-manifest' && assets.properties?.file ? [path.join(dir, assets.properties.file)] : [];
      });
      stacks.push({
        artifactId,
        stackName: artifact.properties?.stackName ?? artifactId,
        displayPath: artifact.displayName ?? artifactId,
        assemblyDirectory: dir,
        templateFile: artifact.properties?.templateFile,
        assetManifestFiles,
      });
    }
    for (const artifact of Object.values(artifacts)) {
      const nested = artifact.type === 'cdk:cloud-assembly' ? artifact.properties?.directoryName : undefined;
      if (nested === undefined) continue;
      const nestedDir = path.resolve(dir, nested);
      if (!seen.has(nestedDir)) visit(nestedDir, new Set([...seen, nestedDir]));
    }
  };
  const root = path.resolve(directory);
  visit(root, new Set([root]));
  return stacks;
}

/** How messages name a stack: its construct path, and its stack name when that differs. */
export function stackLabel(stack: StackArtifact): string {
  return stack.stackName === stack.displayPath ? stack.displayPath : `${stack.displayPath} (stack name ${stack.stackName})`;
}

/**
 * The stacks `name` designates: by construct path (`Prod/MyStack`), else by stack
 * name, else by artifact id. Several only when stack names collide across Stages.
 */
export function findStacks(stacks: readonly StackArtifact[], name: string): StackArtifact[] {
  for (const key of ['displayPath', 'stackName', 'artifactId'] as const) {
    const found = stacks.filter((stack) => stack[key] === name);
    if (found.length > 0) return found;
  }
  return [];
}

/** The one stack `name` designates, or an error listing the choices. */
export function chooseStack(directory: string, stacks: readonly StackArtifact[], name: string): StackArtifact {
  const found = findStacks(stacks, name);
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    throw new Error(`several stacks of the cloud assembly ${directory} are named ${name} (${found.map(stackLabel).join(', ')}): pass --stack the construct path instead, e.g. --stack ${found[0].displayPath}`);
  }
  throw new Error(`stack ${name} is not in ${directory}; it holds: ${stacks.map(stackLabel).join(', ')} (--stack takes a construct path, stack name or artifact id)`);
}

/** Reads a stack's template and where its file assets were staged. */
export function readStackArtifact(stack: StackArtifact): AssemblyStack {
  const label = stackLabel(stack);
  if (!stack.templateFile) throw new Error(`stack ${label} in ${stack.assemblyDirectory} names no template file`);
  const template = readJson<CfnTemplate>(path.join(stack.assemblyDirectory, stack.templateFile), `template of ${label}`);
  const assetDirectoryByObjectKey = new Map<string, string>();
  for (const file of stack.assetManifestFiles) {
    const assets = readJson<AssetManifest>(file, 'asset manifest');
    for (const asset of Object.values(assets.files ?? {})) {
      if (!asset.source?.path) continue;
      for (const destination of Object.values(asset.destinations ?? {})) {
        if (destination.objectKey) assetDirectoryByObjectKey.set(destination.objectKey, path.join(stack.assemblyDirectory, asset.source.path));
      }
    }
  }
  return {
    stackName: stack.stackName,
    template,
    directory: stack.assemblyDirectory,
    assetDirectoryByObjectKey,
    artifactId: stack.artifactId,
    displayPath: stack.displayPath,
  };
}

/**
 * The stack to serve from `directory`, ignoring which stack holds a
 * LogisticsTrackingApi (see served-stack.ts for that): `stackName` when given (a
 * construct path, stack name or artifact id), else the only stack in the assembly
 * and its nested assemblies (CDK Stages).
 */
export function readAssemblyStack(directory: string, stackName?: string): AssemblyStack {
  const dir = path.resolve(directory);
  const stacks = listAssemblyStacks(dir);
  if (stacks.length === 0) throw new Error(`the cloud assembly in ${dir} holds no stack: synthesize an app with at least one (\`cdk synth\`)`);
  if (stackName !== undefined) return readStackArtifact(chooseStack(dir, stacks, stackName));
  if (stacks.length > 1) {
    throw new Error(`the cloud assembly in ${dir} holds several stacks (${stacks.map(stackLabel).join(', ')}); choose one with --stack NAME`);
  }
  return readStackArtifact(stacks[0]);
}
