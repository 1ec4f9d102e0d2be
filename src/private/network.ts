import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { FunctionNetwork } from './bundled-function';

export interface NetworkOptions {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly createVpcEndpoints: boolean;
}

/**
 * The interface endpoints the functions call through (the table is reached through
 * the DynamoDB gateway endpoint): SSM for the configuration and flags, EventBridge
 * and SQS for the stream processor, X-Ray for active tracing. CloudWatch needs none:
 * metrics leave as embedded-metric-format log lines, which Lambda ships itself.
 */
const INTERFACE_ENDPOINTS: ReadonlyArray<[string, ec2.InterfaceVpcEndpointAwsService]> = [
  ['SsmEndpoint', ec2.InterfaceVpcEndpointAwsService.SSM],
  ['EventBridgeEndpoint', ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE],
  ['SqsEndpoint', ec2.InterfaceVpcEndpointAwsService.SQS],
  ['XRayEndpoint', ec2.InterfaceVpcEndpointAwsService.XRAY],
];

const HTTPS = ec2.Port.tcp(443);

/**
 * The functions' place in the consumer's VPC: their security groups (one created
 * for both, outbound HTTPS only, unless given) and, on request, the endpoints
 * they need, open on 443 to those security groups alone.
 */
export function createNetwork(scope: Construct, options: NetworkOptions): FunctionNetwork {
  const securityGroups = options.securityGroups ?? [createFunctionSecurityGroup(scope, options.vpc)];
  if (options.createVpcEndpoints) {
    new ec2.GatewayVpcEndpoint(scope, 'DynamoDbEndpoint', {
      vpc: options.vpc,
      service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [options.vpcSubnets ?? {}],
    });
    // One group for the four endpoints instead of one each (InterfaceVpcEndpoint's
    // default): open on 443 to the functions alone, not to the VPC's CIDR, and no
    // outbound rule, since an endpoint only answers.
    const endpointGroup = new ec2.SecurityGroup(scope, 'EndpointSecurityGroup', {
      vpc: options.vpc,
      description: 'LogisticsTrackingApi VPC endpoints: HTTPS from the functions only',
      allowAllOutbound: false,
    });
    for (const group of securityGroups) endpointGroup.connections.allowFrom(group, HTTPS, 'HTTPS from the LogisticsTrackingApi functions');
    for (const [id, service] of INTERFACE_ENDPOINTS) {
      new ec2.InterfaceVpcEndpoint(scope, id, {
        vpc: options.vpc,
        service,
        subnets: options.vpcSubnets,
        privateDnsEnabled: true,
        securityGroups: [endpointGroup],
        open: false,
      });
    }
  }
  return { vpc: options.vpc, vpcSubnets: options.vpcSubnets, securityGroups };
}

function createFunctionSecurityGroup(scope: Construct, vpc: ec2.IVpc): ec2.SecurityGroup {
  const group = new ec2.SecurityGroup(scope, 'FunctionSecurityGroup', {
    vpc,
    description: 'LogisticsTrackingApi functions: outbound HTTPS to AWS APIs only, no inbound',
    allowAllOutbound: false,
  });
  // The functions only ever call AWS APIs over HTTPS; DNS goes to the VPC resolver,
  // which security groups do not filter.
  group.addEgressRule(ec2.Peer.anyIpv4(), HTTPS, 'HTTPS to AWS APIs (through VPC endpoints or NAT)');
  return group;
}
