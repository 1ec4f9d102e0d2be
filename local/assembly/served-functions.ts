import * as fs from 'fs';
import type { AssemblyStack } from './cloud-assembly';
import { TemplateError } from './intrinsics';
import { describeResource } from './resource-names';
import { apiEndpoints } from './served-api';
import type { LocalTemplate } from './template';

/**
 * The functions the local runtime runs for a template (the served API's Lambda
 * integrations, the stream mappings' functions, the schedules' targets), and the
 * check, when the assembly is read, that each can run here: a Node.js runtime,
 * zip packaging, code staged by `cdk synth` as a directory. A function that
 * cannot run fails start-up with a message naming it (logical id and construct
 * path), what uses it, why it cannot run and what to do. Functions nothing
 * invokes locally are not checked. Whether this machine has the runtime's Node
 * major is checked later, by local/functions/node-runtime.ts.
 */

/** What invokes each served function, for messages: `POST /track`, `the event source mapping X`, `the schedule Y`. */
export function servedFunctionUses(template: LocalTemplate): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  const use = (functionLogicalId: string | undefined, by: string) => {
    if (functionLogicalId === undefined) return;
    if (!uses.has(functionLogicalId)) uses.set(functionLogicalId, []);
    uses.get(functionLogicalId)!.push(by);
  };
  for (const endpoint of apiEndpoints(template)) use(endpoint.functionLogicalId, endpoint.label);
  for (const mapping of template.streamMappings) use(mapping.functionLogicalId, `the event source mapping ${mapping.logicalId}`);
  for (const schedule of template.schedules) {
    for (const target of schedule.targets) use(target.functionLogicalId, `the schedule ${schedule.logicalId}`);
  }
  return uses;
}

/** How to leave a function out of what is served. */
const SERVE_WITHOUT = 'serve a stack without it (move it to another stack and pass --stack), or synthesize the app for local runs without it';

/** Throws a {@link TemplateError} for the first served function of `template` that cannot run locally. */
export function checkServedFunctions(template: LocalTemplate, stack: AssemblyStack): void {
  for (const [logicalId, uses] of servedFunctionUses(template)) {
    const fn = template.functions.get(logicalId);
    if (!fn) continue;
    const props = stack.template.Resources?.[logicalId]?.Properties ?? {};
    const subject = `function ${describeResource(logicalId, template.resourcePaths)}, which ${listed(uses)} ${uses.length > 1 ? 'invoke' : 'invokes'},`;
    if (props.PackageType === 'Image') {
      throw new TemplateError(`${subject} is a container image (PackageType Image): the local runtime runs zip-packaged Node.js functions only. `
        + `Give it Node.js code from an asset (lambda.Code.fromAsset, a NodejsFunction), or ${SERVE_WITHOUT}`);
    }
    if (!/^nodejs\d+\.x$/.test(fn.runtime)) {
      const runtime = props.Runtime === undefined ? 'no Runtime' : `runtime ${fn.runtime}`;
      throw new TemplateError(`${subject} has ${runtime}: the local runtime runs Node.js functions only (nodejs<major>.x). ${capitalized(SERVE_WITHOUT)}`);
    }
    if (props.Code?.ZipFile !== undefined) {
      throw new TemplateError(`${subject} has inline code (Code.ZipFile, e.g. lambda.Code.fromInline): the local runtime loads a function from the asset \`cdk synth\` stages. `
        + 'Use lambda.Code.fromAsset or a NodejsFunction, and synthesize again (`cdk synth`) so the asset is staged');
    }
    if (props.Code?.S3Key === undefined) {
      throw new TemplateError(`${subject} has no code staged in the cloud assembly (its Code is ${JSON.stringify(props.Code ?? null)}, not an asset): `
        + 'the local runtime runs code that `cdk synth` stages. Use lambda.Code.fromAsset or a NodejsFunction, and synthesize again');
    }
    if (!fs.existsSync(fn.codeDirectory)) {
      const unnamed = stack.assetDirectoryByObjectKey.has(String(props.Code.S3Key)) ? '' : `; no asset manifest of the stack names its S3 key ${JSON.stringify(props.Code.S3Key)}`;
      throw new TemplateError(`${subject} has no staged code at ${fn.codeDirectory}${unnamed}: synthesize with \`cdk synth\` so the asset is staged `
        + '(a cloud assembly copied without its asset.* directories cannot be served; code in a bucket, lambda.Code.fromBucket, is not run locally)');
    }
    if (!fs.statSync(fn.codeDirectory).isDirectory()) {
      throw new TemplateError(`${subject} has its code in a file asset (${fn.codeDirectory}), not a directory: the local runtime loads a function from a directory asset. `
        + 'Point lambda.Code.fromAsset at the directory rather than a .zip file, and synthesize again');
    }
  }
}

/** `a`, `a and b`, `a, b and c`, `a, b, c and 4 more`. */
function listed(items: readonly string[]): string {
  const shown = items.length > 4 ? [...items.slice(0, 3), `${items.length - 3} more`] : items;
  return shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
