import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ApiType, LogisticsTrackingApiProps } from '../../src';

/** A regional web ACL the platform team owns; only its ARN reaches the construct. */
export const WEB_ACL_ARN = 'arn:aws:wafv2:eu-west-1:111111111111:regional/webacl/platform/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7';

/** The team's existing VPC, imported the way a consumer's app would: two private subnets. */
export function existingVpc(stack: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    vpcCidrBlock: '10.20.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
    privateSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60001', 'rtb-0a1b2c3d4e5f60002'],
  });
}

/**
 * The configuration a regulated platform team deploys: its own key, its VPC (with
 * the endpoints created), reserved concurrency on both functions, its web ACL (so
 * a REST API: WAF cannot be associated with an HTTP API).
 */
export function hardenedProps(stack: Stack): LogisticsTrackingApiProps {
  return {
    stageName: 'prod',
    apiType: ApiType.REST,
    encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true, description: 'tracking data' }),
    vpc: existingVpc(stack),
    createVpcEndpoints: true,
    handlerReservedConcurrency: 50,
    streamProcessorReservedConcurrency: 5,
    webAclArn: WEB_ACL_ARN,
  };
}
