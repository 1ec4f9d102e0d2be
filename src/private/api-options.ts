import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiAuthorization } from '../authorization';

/** What both API types are built from (http-api.ts, rest-api.ts). */
export interface TrackingApiOptions {
  readonly stageName: string;
  readonly handler: lambda.IFunction;
  readonly authorization: ApiAuthorization;
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly encryptionKey?: kms.IKey;
}
