import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ApiConfigDocument, FeatureFlagsDocument } from '../contract/runtime-config';

export interface TrackingParametersOptions {
  readonly path: string;
  readonly config: ApiConfigDocument;
  readonly flags: FeatureFlagsDocument;
  readonly tableName: string;
}

export interface TrackingParameters {
  readonly config: ssm.StringParameter;
  readonly featureFlags: ssm.StringParameter;
  readonly tableName: ssm.StringParameter;
}

/**
 * The three parameters under `path`, as plain `String` parameters: CloudFormation
 * cannot create `SecureString`s, and none of these values is a secret.
 */
export function createParameters(scope: Construct, options: TrackingParametersOptions): TrackingParameters {
  return {
    config: new ssm.StringParameter(scope, 'ConfigParameter', {
      parameterName: `${options.path}/config`,
      description: 'LogisticsTrackingApi configuration (JSON), read by the tracking handler at run time',
      stringValue: JSON.stringify(options.config),
    }),
    featureFlags: new ssm.StringParameter(scope, 'FeatureFlagsParameter', {
      parameterName: `${options.path}/feature-flags`,
      description: 'LogisticsTrackingApi feature flags (JSON), read by the tracking handler at run time',
      stringValue: JSON.stringify(options.flags),
    }),
    tableName: new ssm.StringParameter(scope, 'TableNameParameter', {
      parameterName: `${options.path}/table-name`,
      description: 'Name of the LogisticsTrackingApi DynamoDB table',
      stringValue: options.tableName,
    }),
  };
}
