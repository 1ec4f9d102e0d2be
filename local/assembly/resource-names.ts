import type { AssemblyStack } from './cloud-assembly';

/**
 * How start-up messages name a template's resources: by logical id, with the
 * construct path that created it when the assembly says (the `aws:cdk:path`
 * metadata the CDK CLI writes on every resource, else tree.json), so that a
 * consumer finds the construct in their own app.
 */

const CDK_PATH = 'aws:cdk:path';

/** Construct path by logical id: each resource's `aws:cdk:path` metadata, else the stack's tree.json paths. */
export function resourcePathsOf(stack: AssemblyStack): Map<string, string> {
  const paths = new Map(stack.resourcePaths ?? []);
  for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
    const cdkPath = resource.Metadata?.[CDK_PATH];
    if (typeof cdkPath === 'string') paths.set(logicalId, cdkPath);
  }
  return paths;
}

/**
 * `Handler1A2B3C (MyStack/Tracking/Handler)`: the logical id and the construct's
 * path (its L2 construct's: a trailing `/Resource` is dropped), or the logical id alone.
 */
export function describeResource(logicalId: string, paths: ReadonlyMap<string, string> | undefined): string {
  const cdkPath = paths?.get(logicalId);
  return cdkPath ? `${logicalId} (${cdkPath.replace(/\/Resource$/, '')})` : logicalId;
}
