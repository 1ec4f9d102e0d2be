import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { AwsStub } from 'aws-sdk-client-mock';
import { TEST_ENV } from './env';

type SsmMock = AwsStub<any, any, any>;

/** Makes the mocked SSM answer with these documents; `undefined` = the parameter does not exist. */
export function ssmReturns(ssm: SsmMock, documents: { config?: unknown; flags?: unknown }): void {
  const parameters = [];
  const invalid = [];
  for (const [name, value] of [[TEST_ENV.CONFIG_PARAMETER_NAME, documents.config], [TEST_ENV.FLAGS_PARAMETER_NAME, documents.flags]] as const) {
    if (value === undefined) invalid.push(name);
    else parameters.push({ Name: name, Type: 'String' as const, Value: typeof value === 'string' ? value : JSON.stringify(value), Version: 1 });
  }
  ssm.on(GetParametersCommand).resolves({ Parameters: parameters, InvalidParameters: invalid });
}

export { SSMClient };
