import * as fs from 'fs';
import { resolveNode24 } from './node-binary';

/**
 * The Node.js executable for a Lambda runtime identifier: the function runs on the
 * same major version Lambda would run it on, never on whatever Node started the
 * local runtime. Failures name the function (with its logical id and construct
 * path when the caller passes them), say why and what to do.
 */
export interface NodeExecutable {
  readonly path: string;
  readonly version: string;
}

/** How messages name a function: a template's FunctionSpec fits. */
export interface FunctionIdentity {
  readonly name: string;
  readonly logicalId?: string;
  readonly constructPath?: string;
}

/** `name (logical id LogicalId, MyStack/Path)`, or the name alone. */
function describe(fn: string | FunctionIdentity): string {
  if (typeof fn === 'string') return fn;
  const where = [fn.logicalId !== undefined && fn.logicalId !== fn.name ? `logical id ${fn.logicalId}` : undefined, fn.constructPath].filter(Boolean);
  return where.length > 0 ? `${fn.name} (${where.join(', ')})` : fn.name;
}

/** Majors this machine can provide, and how. */
const PROVIDERS: Record<number, () => NodeExecutable> = {
  24: () => resolveNode24(),
};

/** The Node for `runtime` (`nodejs<major>.x`); `fn` is the function's name, or its spec for a fuller message. */
export function nodeForRuntime(runtime: string, fn: string | FunctionIdentity): NodeExecutable {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!match) {
    throw new Error(`function ${describe(fn)} has runtime ${runtime}: the local runtime runs Node.js functions only (nodejs<major>.x). `
      + 'Serve a stack without it (move it to another stack and pass --stack), or synthesize the app for local runs without it');
  }
  const major = Number(match[1]);
  // The Node running this process is the right one when the majors agree: nothing to find.
  const ownMajor = process.versions.node.split('.')[0];
  if (ownMajor === String(major)) return { path: process.execPath, version: process.version };
  const provider = PROVIDERS[major];
  if (provider) return provider();
  const served = [...new Set([...Object.keys(PROVIDERS).map((m) => `nodejs${m}.x`), `nodejs${ownMajor}.x`])];
  throw new Error(`function ${describe(fn)} has runtime ${runtime}, which the local runtime cannot serve: no Node ${major} here (it serves ${served.join(', ')}). `
    + `Use one of those runtimes, or run the local runtime itself on Node ${major} (it also serves the major of the Node it runs on)`);
}

/** Where the function's code must be for a worker to load it: a directory `cdk synth` staged. */
export function checkCodeDirectory(codeDirectory: string, fn: string | FunctionIdentity): void {
  if (!fs.existsSync(codeDirectory) || !fs.statSync(codeDirectory).isDirectory()) {
    throw new Error(`function ${describe(fn)}: its code is not a staged directory (${codeDirectory}); only directory assets from \`cdk synth\` are served locally. `
      + 'Synthesize again (`cdk synth`) so the asset is staged; for inline code (lambda.Code.fromInline), a .zip file or a container image, '
      + 'use lambda.Code.fromAsset on a directory or a NodejsFunction instead');
  }
}
