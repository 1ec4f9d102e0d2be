import * as fs from 'fs';
import { resolveNode24 } from './node-binary';

/**
 * The Node.js executable for a Lambda runtime identifier: the function runs on the
 * same major version Lambda would run it on, never on whatever Node started the
 * local runtime.
 */
export interface NodeExecutable {
  readonly path: string;
  readonly version: string;
}

/** Majors this machine can provide, and how. */
const PROVIDERS: Record<number, () => NodeExecutable> = {
  24: () => resolveNode24(),
};

export function nodeForRuntime(runtime: string, functionName: string): NodeExecutable {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!match) {
    throw new Error(`function ${functionName} has runtime ${runtime}: the local runtime runs Node.js functions only (nodejs<major>.x)`);
  }
  const major = Number(match[1]);
  const provider = PROVIDERS[major];
  if (provider) return provider();
  // The Node running this process is the right one when the majors agree.
  if (process.versions.node.split('.')[0] === String(major)) return { path: process.execPath, version: process.version };
  const served = [...Object.keys(PROVIDERS).map((m) => `nodejs${m}.x`), `nodejs${process.versions.node.split('.')[0]}.x`];
  throw new Error(`function ${functionName} has runtime ${runtime}, which the local runtime cannot serve: no Node ${major} here (it serves ${served.join(', ')})`);
}

/** Where the function's code must be for a worker to load it. */
export function checkCodeDirectory(codeDirectory: string, functionName: string): void {
  if (!fs.existsSync(codeDirectory) || !fs.statSync(codeDirectory).isDirectory()) {
    throw new Error(`function ${functionName}: its code is not a staged directory (${codeDirectory}); only file assets from \`cdk synth\` are served locally`);
  }
}
