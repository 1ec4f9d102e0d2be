import * as path from 'path';
import {
  AssemblyStack, chooseStack, listAssemblyStacks, readAssemblyStack, readStackArtifact, StackArtifact, stackLabel,
} from './cloud-assembly';
import { ConstructInstance, findConstructs, matchConstructs, readConstructTree } from './construct-tree';
import type { ApiSelection } from './served-api';

/**
 * Which stack of a cloud assembly is served, and which LogisticsTrackingApi in it,
 * for apps written in any CDK language:
 *
 * - `--stack NAME` serves that stack (construct path, stack name or artifact id),
 *   with or without the construct in it.
 * - Else the one stack holding a LogisticsTrackingApi (Stages' stacks included),
 *   or the stack of the one `--construct PATH` names.
 * - In the stack, its one LogisticsTrackingApi's API is served (other APIs of the
 *   stack are listed as not served); with several, `--construct PATH` chooses.
 *
 * Without tree.json (an app synthesized with tree metadata off) the constructs
 * cannot be found: the only stack, or `--stack`, is served, and its only API, or
 * `--api`, as before constructs were looked for.
 */

export interface StackSelection {
  /** The stack: its construct path (`Prod/MyStack` in a Stage), stack name or artifact id. */
  readonly stackName?: string;
  /** The LogisticsTrackingApi: its construct path (`MyStack/Tracking`), or an ending of it unique in the app (`Tracking`). */
  readonly construct?: string;
}

const paths = (instances: readonly ConstructInstance[]) => instances.map((instance) => instance.path).join(', ');

/**
 * Reads the stack to serve from the assembly in `directory` (see the rules above),
 * with the LogisticsTrackingApi constructs tree.json shows in it (`constructs`)
 * and the construct path of each of its resources (`resourcePaths`).
 */
export function readServedStack(directory: string, selection: StackSelection = {}): AssemblyStack {
  const dir = path.resolve(directory);
  const stacks = listAssemblyStacks(dir);
  if (stacks.length === 0) throw new Error(`the cloud assembly in ${dir} holds no stack: synthesize an app with at least one (\`cdk synth\`)`);
  const tree = readConstructTree(dir);
  if (!tree) {
    if (selection.construct !== undefined) {
      throw new Error(`--construct ${selection.construct} needs the construct tree (tree.json), which the cloud assembly in ${dir} does not have `
        + '(the app was synthesized with tree metadata off): synthesize it with tree metadata, or choose the API by logical id with --api');
    }
    return readAssemblyStack(dir, selection.stackName);
  }

  const read = new Map<StackArtifact, AssemblyStack>();
  const readStack = (stack: StackArtifact) => {
    if (!read.has(stack)) read.set(stack, readStackArtifact(stack));
    return read.get(stack)!;
  };
  const found = findConstructs(tree, stacks, (stack) => readStack(stack).template);
  const holding = stacks.filter((stack) => found.constructs.has(stack));
  const all = holding.flatMap((stack) => found.constructs.get(stack)!.map((instance) => ({ ...instance, stack })));

  let chosen: StackArtifact;
  if (selection.stackName !== undefined) {
    chosen = chooseStack(dir, stacks, selection.stackName);
    const elsewhere = selection.construct === undefined
      ? []
      : matchConstructs(all, selection.construct).filter((instance) => instance.stack !== chosen);
    if (elsewhere.length > 0 && matchConstructs(found.constructs.get(chosen) ?? [], selection.construct!).length === 0) {
      throw new Error(`the LogisticsTrackingApi ${elsewhere[0].path} is in stack ${stackLabel(elsewhere[0].stack)}, not in ${stackLabel(chosen)}: `
        + `pass --stack ${elsewhere[0].stack.displayPath}, or leave --stack out`);
    }
  } else if (selection.construct !== undefined) {
    const matches = matchConstructs(all, selection.construct);
    if (matches.length === 0) {
      const held = all.length > 0 ? `its LogisticsTrackingApi constructs are ${paths(all)}` : 'it holds none';
      throw new Error(`--construct ${selection.construct}: no LogisticsTrackingApi at that path in the cloud assembly ${dir}; ${held}`);
    }
    if (matches.length > 1) {
      throw new Error(`--construct ${selection.construct} matches several LogisticsTrackingApi constructs (${paths(matches)}): pass the whole construct path, e.g. --construct ${matches[0].path}`);
    }
    chosen = matches[0].stack;
  } else if (holding.length === 1) {
    chosen = holding[0];
  } else if (holding.length === 0) {
    const nested = found.inNestedStacks.length > 0
      ? ` ${found.inNestedStacks.join(', ')}: the local runtime serves no nested stack, so create the construct in a stack (or a Stage's stack) instead.`
      : '';
    throw new Error(`no LogisticsTrackingApi in the cloud assembly ${dir} (it holds stacks ${stacks.map(stackLabel).join(', ')}): `
      + `synthesize an app that creates one (\`cdk synth\`), or pass --stack NAME to serve another stack.${nested}`);
  } else {
    const listing = holding.map((stack) => `${stackLabel(stack)}: ${paths(found.constructs.get(stack)!)}`).join('; ');
    throw new Error(`several stacks in the cloud assembly ${dir} hold a LogisticsTrackingApi (${listing}); `
      + `choose one with --stack NAME, e.g. --stack ${holding[0].displayPath} (a construct path, stack name or artifact id), or with --construct PATH`);
  }
  return { ...readStack(chosen), constructs: found.constructs.get(chosen) ?? [], resourcePaths: found.resourcePaths.get(chosen) ?? new Map() };
}

/**
 * The API to serve in `stack`, as an {@link ApiSelection}: the API of the
 * LogisticsTrackingApi `selection.construct` names, else of the stack's only one,
 * else the selection as given (an explicit `api` always wins, and without
 * `stack.constructs`, i.e. without tree.json, the selection is used as it is).
 */
export function chooseConstructApi(stack: AssemblyStack, selection: ApiSelection & { readonly construct?: string }): ApiSelection {
  const explicitApi = selection.api ?? selection.restApi;
  const instances = stack.constructs;
  const where = `stack ${stack.displayPath ?? stack.stackName}`;
  if (selection.construct !== undefined) {
    if (!instances) {
      throw new Error(`--construct ${selection.construct} needs the construct tree (tree.json) of the cloud assembly in ${stack.directory}, which it does not have: `
        + 'synthesize the app with tree metadata, or choose the API by logical id with --api');
    }
    const matches = matchConstructs(instances, selection.construct);
    if (matches.length === 0) {
      throw new Error(`no LogisticsTrackingApi at ${selection.construct} in ${where}; `
        + (instances.length > 0 ? `its LogisticsTrackingApi constructs are ${paths(instances)}` : 'it holds none: leave --construct out to serve its API, or pass --stack NAME for a stack that holds one'));
    }
    if (matches.length > 1) {
      throw new Error(`--construct ${selection.construct} matches several LogisticsTrackingApi constructs in ${where} (${paths(matches)}): pass the whole construct path, e.g. --construct ${matches[0].path}`);
    }
    const [instance] = matches;
    if (instance.apiLogicalId === undefined) {
      throw new Error(`the API of the LogisticsTrackingApi ${instance.path} is not in the template of ${where}: synthesize the app again (\`cdk synth\`) so that tree.json and the templates agree`);
    }
    if (explicitApi !== undefined && explicitApi !== instance.apiLogicalId) {
      throw new Error(`--construct ${selection.construct} serves API ${instance.apiLogicalId}, but --api ${explicitApi} was given: pass one of them`);
    }
    return { api: instance.apiLogicalId };
  }
  if (explicitApi !== undefined || !instances || instances.length === 0) return selection;
  if (instances.length > 1) {
    throw new Error(`${where} holds ${instances.length} LogisticsTrackingApi constructs (${paths(instances)}); choose one with --construct PATH, e.g. --construct ${instances[0].path}`);
  }
  return instances[0].apiLogicalId !== undefined ? { api: instances[0].apiLogicalId } : selection;
}

/** The construct path of the LogisticsTrackingApi whose API is `apiLogicalId`, if the stack's tree shows one. */
export function constructPathOfApi(stack: AssemblyStack, apiLogicalId: string): string | undefined {
  return stack.constructs?.find((instance) => instance.apiLogicalId === apiLogicalId)?.path;
}
