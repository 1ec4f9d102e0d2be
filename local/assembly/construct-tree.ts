import * as fs from 'fs';
import * as path from 'path';
import { CfnTemplate, readManifest, StackArtifact } from './cloud-assembly';

/**
 * The LogisticsTrackingApi constructs of a synthesized app, found in its construct
 * tree: `tree.json`, which the manifest names in its `cdk:tree` artifact and which
 * holds every construct of the app (Stages included) with its path, its class
 * (`constructInfo.fqn`) and, for CloudFormation resources, type and logical id.
 * The CDK writes it in every language unless the app turns tree metadata off;
 * without it there is nothing to find, and served-stack.ts chooses by stack and
 * API alone.
 */

/** The construct's jsii type name, as tree.json gives it for apps that use the package. */
export const CONSTRUCT_FQN = 'logistics-tracking-api.LogisticsTrackingApi';

/**
 * The Description the construct gives its API. jsii's type information (the fqn
 * above) exists only in the compiled package: an app built from this repository's
 * TypeScript sources (the example app, the tests) shows the construct as a plain
 * `constructs.Construct`, recognized by its API instead. construct.test.ts under
 * test/local/assembly fails if the construct stops setting it.
 */
export const CONSTRUCT_API_DESCRIPTION = 'LogisticsTrackingApi: shipment tracking';

/** The fqn of a class without jsii type information (any TypeScript construct not from a jsii package). */
const PLAIN_CONSTRUCT_FQN = 'constructs.Construct';
const NESTED_STACK_FQN = 'aws-cdk-lib.NestedStack';
/** What the construct creates its API as: a RestApi (`Api`) or an HTTP API (`HttpApi`). */
const API_CHILD_IDS = ['Api', 'HttpApi'];
const API_TYPES = new Set(['AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api']);
const LOGICAL_ID = 'aws:cdk:cloudformation:logicalId';
const RESOURCE_TYPE = 'aws:cdk:cloudformation:type';

/** A node of tree.json. */
export interface TreeNode {
  readonly id: string;
  readonly path?: string;
  readonly children?: Readonly<Record<string, TreeNode>>;
  readonly constructInfo?: { readonly fqn?: string };
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** One LogisticsTrackingApi of the app. */
export interface ConstructInstance {
  /** Its construct path, e.g. `MyStack/Tracking` or `Prod/MyStack/Tracking`. */
  readonly path: string;
  /** The logical id of the API it creates, when the stack's template holds it. */
  readonly apiLogicalId?: string;
}

/** What the tree says about the assembly's stacks. */
export interface AssemblyConstructs {
  /** The LogisticsTrackingApi constructs of each stack (stacks without one are absent). */
  readonly constructs: ReadonlyMap<StackArtifact, readonly ConstructInstance[]>;
  /** Construct path by logical id, for each stack's own resources. */
  readonly resourcePaths: ReadonlyMap<StackArtifact, ReadonlyMap<string, string>>;
  /** LogisticsTrackingApi constructs inside nested stacks, which are not served: `<path> (in nested stack <path>)`. */
  readonly inNestedStacks: readonly string[];
}

/** The root of the assembly's tree.json; undefined when the app was synthesized without tree metadata. */
export function readConstructTree(directory: string): TreeNode | undefined {
  const dir = path.resolve(directory);
  const artifact = Object.values(readManifest(dir).artifacts ?? {}).find((candidate) => candidate.type === 'cdk:tree');
  const file = artifact?.properties?.file;
  if (!file || !fs.existsSync(path.join(dir, file))) return undefined;
  let tree: { readonly tree?: TreeNode };
  try {
    tree = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  } catch (error) {
    throw new Error(`the construct tree ${path.join(dir, file)} is not valid JSON (${(error as Error).message}): synthesize the app again (\`cdk synth\`)`);
  }
  if (!tree.tree) throw new Error(`the construct tree ${path.join(dir, file)} has no \`tree\`: synthesize the app again (\`cdk synth\`)`);
  return tree.tree;
}

const fqnOf = (node: TreeNode) => node.constructInfo?.fqn;
const attribute = (node: TreeNode | undefined, name: string) => {
  const value = node?.attributes?.[name];
  return typeof value === 'string' ? value : undefined;
};
const children = (node: TreeNode) => Object.values(node.children ?? {});

/** The API resource among the construct's own children (`Api/Resource`, `HttpApi/Resource`). */
function ownApi(node: TreeNode): TreeNode | undefined {
  return API_CHILD_IDS.map((id) => node.children?.[id]?.children?.Resource)
    .find((resource) => API_TYPES.has(attribute(resource, RESOURCE_TYPE) ?? ''));
}

/** The first API resource below `node`, within its stack. */
function anyApi(node: TreeNode, isStackBoundary: (node: TreeNode) => boolean): TreeNode | undefined {
  for (const child of children(node)) {
    if (isStackBoundary(child)) continue;
    if (API_TYPES.has(attribute(child, RESOURCE_TYPE) ?? '')) return child;
    const found = anyApi(child, isStackBoundary);
    if (found) return found;
  }
  return undefined;
}

/**
 * Every LogisticsTrackingApi of the app, by stack: a node whose fqn is
 * {@link CONSTRUCT_FQN}, or a plain construct whose `Api` or `HttpApi` child is an
 * API described as {@link CONSTRUCT_API_DESCRIPTION} (the construct built from
 * source). A node's stack is its nearest ancestor whose path is a stack's
 * construct path; one inside a nested stack is reported, not served.
 */
export function findConstructs(
  root: TreeNode,
  stacks: readonly StackArtifact[],
  templateOf: (stack: StackArtifact) => CfnTemplate,
): AssemblyConstructs {
  const stackByPath = new Map(stacks.map((stack) => [stack.displayPath, stack]));
  const constructs = new Map<StackArtifact, ConstructInstance[]>();
  const resourcePaths = new Map<StackArtifact, Map<string, string>>();
  const inNestedStacks: string[] = [];
  const isStackBoundary = (node: TreeNode) => stackByPath.has(node.path ?? '') || fqnOf(node) === NESTED_STACK_FQN;

  const templateResource = (stack: StackArtifact, logicalId: string | undefined) =>
    (logicalId === undefined ? undefined : templateOf(stack).Resources?.[logicalId]);

  const visit = (node: TreeNode, stack: StackArtifact | undefined, nestedStack: string | undefined) => {
    const nodePath = node.path ?? '';
    if (stackByPath.has(nodePath)) {
      stack = stackByPath.get(nodePath);
      nestedStack = undefined;
    } else if (fqnOf(node) === NESTED_STACK_FQN) {
      nestedStack = nodePath;
    }
    const logicalId = attribute(node, LOGICAL_ID);
    if (stack && !nestedStack && logicalId !== undefined) {
      if (!resourcePaths.has(stack)) resourcePaths.set(stack, new Map());
      resourcePaths.get(stack)!.set(logicalId, nodePath);
    }

    if (stack && fqnOf(node) === CONSTRUCT_FQN) {
      if (nestedStack) {
        inNestedStacks.push(`${nodePath} (in nested stack ${nestedStack})`);
      } else {
        const apiLogicalId = attribute(ownApi(node) ?? anyApi(node, isStackBoundary), LOGICAL_ID);
        const inTemplate = templateResource(stack, apiLogicalId) !== undefined;
        add(constructs, stack, { path: nodePath, ...(inTemplate ? { apiLogicalId } : {}) });
      }
    } else if (stack && !nestedStack && fqnOf(node) === PLAIN_CONSTRUCT_FQN) {
      const apiLogicalId = attribute(ownApi(node), LOGICAL_ID);
      if (apiLogicalId !== undefined && templateResource(stack, apiLogicalId)?.Properties?.Description === CONSTRUCT_API_DESCRIPTION) {
        add(constructs, stack, { path: nodePath, apiLogicalId });
      }
    }
    for (const child of children(node)) visit(child, stack, nestedStack);
  };
  visit(root, undefined, undefined);
  return { constructs, resourcePaths, inNestedStacks };
}

function add(constructs: Map<StackArtifact, ConstructInstance[]>, stack: StackArtifact, instance: ConstructInstance): void {
  if (!constructs.has(stack)) constructs.set(stack, []);
  constructs.get(stack)!.push(instance);
}

/**
 * The instances `given` designates: the one at that construct path, else those
 * whose path ends with it at a segment boundary (`Tracking`, `Service/Tracking`).
 */
export function matchConstructs<T extends ConstructInstance>(instances: readonly T[], given: string): T[] {
  const wanted = given.replace(/^\/+|\/+$/g, '');
  const exact = instances.filter((instance) => instance.path === wanted);
  return exact.length > 0 ? exact : instances.filter((instance) => instance.path.endsWith(`/${wanted}`));
}
