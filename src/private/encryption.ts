import { Annotations, ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { WARNINGS } from './validate-props';

/**
 * Lets CloudWatch Logs encrypt this account's and region's log groups with `key`,
 * the key policy statement CloudWatch Logs documents for encrypted log groups. The
 * encryption-context condition cannot name the construct's own log groups: they
 * reference the key, so a key policy that referenced them would be a dependency
 * cycle. A key imported into the app keeps its own policy: then the construct warns,
 * because the log groups fail to deploy until the key's owner adds the statement.
 */
export function allowLogsToUseKey(scope: Construct, key: kms.IKey): void {
  const stack = Stack.of(scope);
  const logGroups = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'LogisticsTrackingApiLogGroups',
    principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logGroups } },
  }), true);
  if (!statementAdded) {
    Annotations.of(scope).addWarningV2(WARNINGS.importedKeyPolicy,
      `encryptionKey is imported, so its key policy cannot be changed here: it must let the logs.<region>.amazonaws.com principal use the key for log groups matching ${'`arn:aws:logs:<region>:<account>:log-group:*`'} (kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe*), or the three log groups fail to deploy. Acknowledge this warning once the key policy allows it.`);
  }
}
