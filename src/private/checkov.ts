import { CfnResource } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** A resource-level checkov skip, as checkov reads it from a CloudFormation template. */
export interface CheckovSkip {
  readonly id: string;
  readonly comment: string;
}

const METADATA_KEY = 'checkov';

/**
 * Records in the template, on the resource itself, that a checkov check does not
 * apply and why. checkov reads `Metadata.checkov.skip` and reports the check as
 * skipped with this comment, so a reviewer scanning the template sees the reason
 * where the finding would have been. `addMetadata` replaces the whole key, so
 * skips already recorded on the resource are kept.
 */
export function skipCheckovCheck(construct: IConstruct, id: string, comment: string): void {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) {
    throw new Error(`skipCheckovCheck: ${construct.node.path} has no CloudFormation resource`);
  }
  const existing: CheckovSkip[] = resource.getMetadata(METADATA_KEY)?.skip ?? [];
  resource.addMetadata(METADATA_KEY, { skip: [...existing.filter((skip) => skip.id !== id), { id, comment }] });
}
