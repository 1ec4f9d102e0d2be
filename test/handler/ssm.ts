import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { TEST_ENV } from './env';

/**
 * Makes the mocked SSM answer GetParameters with these documents (objects are
 * sent as JSON, strings as they are); `undefined` = the parameter does not exist.
 */
export function ssmReturns(ssm: AwsClientStub<SSMClient>, documents: { config?: unknown; flags?: unknown }): void {
  const parameters = [];
  const invalid = [];
  const wanted = [[TEST_ENV.CONFIG_PARAMETER_NAME, documents.config], [TEST_ENV.FLAGS_PARAMETER_NAME, documents.flags]] as const;
  for (const [name, value] of wanted) {
    if (value === undefined) invalid.push(name);
    else parameters.push({ Name: name, Type: 'String' as const, Value: typeof value === 'string' ? value : JSON.stringify(value), Version: 1 });
  }
  ssm.on(GetParametersCommand).resolves({ Parameters: parameters, InvalidParameters: invalid });
}
