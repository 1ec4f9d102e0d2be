import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { existingVpc, WEB_ACL_ARN } from './hardened';
import { byId, only, synth, trackingHandler } from './harness';
import { ApiType } from '../../src';

const functions = (template: Template) => Object.values(template.findResources('AWS::Lambda::Function')).map((r: any) => r.Properties);
const keyRef = (stack: Stack) => {
  const key = stack.node.findAll().find((c): c is kms.CfnKey => c instanceof kms.CfnKey)!;
  return { 'Fn::GetAtt': [stack.getLogicalId(key), 'Arn'] };
};
const roleStatements = (template: Template) => Object.values(template.findResources('AWS::IAM::Policy'))
  .flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);

describe('encryptionKey: everything stored at rest is under the consumer\'s key', () => {
  const { template, stack } = synth((s) => ({ encryptionKey: new kms.Key(s, 'Key', { enableKeyRotation: true }) }));

  test('all four log groups', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')).map((r: any) => r.Properties);
    expect(groups).toHaveLength(4);
    for (const group of groups) expect(group.KmsKeyId).toEqual(keyRef(stack));
  });

  test('the three functions\' environment variables', () => {
    const all = functions(template);
    expect(all).toHaveLength(3);
    for (const fn of all) expect(fn.KmsKeyArn).toEqual(keyRef(stack));
  });

  test('the table, the queue and the topic, as before', () => {
    expect(only(template, 'AWS::DynamoDB::Table').props.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyRef(stack) });
    expect(only(template, 'AWS::SQS::Queue').props.KmsMasterKeyId).toEqual(keyRef(stack));
    expect(only(template, 'AWS::SNS::Topic').props.KmsMasterKeyId).toEqual(keyRef(stack));
  });

  test('the key policy lets CloudWatch Logs use the key for this account\'s and region\'s log groups only', () => {
    const statements = only(template, 'AWS::KMS::Key').props.KeyPolicy.Statement;
    const logs = statements.find((statement: any) => statement.Sid === 'LogisticsTrackingApiLogGroups');
    expect(logs).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:111111111111:log-group:*']] } } },
    });
  });

  test('an imported key cannot be given that statement: the construct warns with an id', () => {
    const imported = synth((s) => ({ encryptionKey: kms.Key.fromKeyArn(s, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7') }));
    Annotations.fromStack(imported.stack).hasWarning('/TestStack/Tracking',
      Match.stringLikeRegexp('encryptionKey is imported.*logs.<region>.amazonaws.com.*logistics-tracking-api:importedKeyPolicy'));
    for (const fn of functions(imported.template)) expect(fn.KmsKeyArn).toBe('arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7');
  });

  test('without a key: the services\' own encryption, no key ids anywhere', () => {
    const plain = synth().template;
    for (const group of Object.values(plain.findResources('AWS::Logs::LogGroup')) as any[]) expect(group.Properties.KmsKeyId).toBeUndefined();
    for (const fn of functions(plain)) expect(fn.KmsKeyArn).toBeUndefined();
  });
});

describe('vpc: both functions in the consumer\'s VPC', () => {
  const { template } = synth((stack) => ({ vpc: existingVpc(stack) }));
  const securityGroup = () => only(template, 'AWS::EC2::SecurityGroup');

  test('both functions get the private subnets and one security group', () => {
    const group = securityGroup();
    for (const fn of functions(template)) {
      expect(fn.VpcConfig).toEqual({
        SubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
        SecurityGroupIds: [{ 'Fn::GetAtt': [group.id, 'GroupId'] }],
      });
    }
  });

  test('the security group allows outbound HTTPS only and nothing inbound', () => {
    const group = securityGroup().props;
    expect(group.SecurityGroupEgress).toEqual([{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: expect.any(String) }]);
    expect(group.SecurityGroupIngress).toBeUndefined();
    expect(template.findResources('AWS::EC2::SecurityGroupIngress')).toEqual({});
  });

  test('the three roles may manage their function\'s network interfaces, in this region only', () => {
    const eni = roleStatements(template).filter((statement: any) => [statement.Action].flat().includes('ec2:CreateNetworkInterface'));
    expect(eni).toHaveLength(3);
    for (const statement of eni) {
      expect(statement).toEqual({
        Effect: 'Allow',
        Action: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } },
      });
    }
  });

  test('no endpoints unless asked for', () => {
    expect(template.findResources('AWS::EC2::VPCEndpoint')).toEqual({});
  });

  test('without a VPC: no VpcConfig, no security group, no network interface permissions', () => {
    const plain = synth().template;
    for (const fn of functions(plain)) expect(fn.VpcConfig).toBeUndefined();
    expect(plain.findResources('AWS::EC2::SecurityGroup')).toEqual({});
    expect(roleStatements(plain).filter((statement: any) => JSON.stringify(statement.Action).includes('ec2:'))).toEqual([]);
  });

  test('vpcSubnets and securityGroups are the consumer\'s choice; no security group is created then', () => {
    const chosen = synth((stack) => {
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        privateSubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
        isolatedSubnetIds: ['subnet-0a1b2c3d4e5f60003', 'subnet-0a1b2c3d4e5f60004'],
      });
      return {
        vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Group', 'sg-0a1b2c3d4e5f60718')],
      };
    }).template;
    for (const fn of functions(chosen)) {
      expect(fn.VpcConfig).toEqual({ SubnetIds: ['subnet-0a1b2c3d4e5f60003', 'subnet-0a1b2c3d4e5f60004'], SecurityGroupIds: ['sg-0a1b2c3d4e5f60718'] });
    }
    expect(chosen.findResources('AWS::EC2::SecurityGroup')).toEqual({});
  });

  test('public subnets are refused, with Lambda\'s reason', () => {
    expect(() => synth((stack) => ({
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'], publicSubnetIds: ['subnet-1'] }),
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    }))).toThrow(/public subnet can NOT access the internet/);
  });

  test('an empty securityGroups list is refused', () => {
    expect(() => synth((stack) => ({ vpc: existingVpc(stack), securityGroups: [] }))).toThrow(/securityGroups must name at least one security group/);
  });
});

describe('createVpcEndpoints: the endpoints the functions call through', () => {
  const { template } = synth((stack) => ({ vpc: existingVpc(stack), createVpcEndpoints: true }));
  const functionGroup = () => byId(template, 'AWS::EC2::SecurityGroup', 'TrackingFunctionSecurityGroup').id;
  const endpoints = () => Object.entries(template.findResources('AWS::EC2::VPCEndpoint')).map(([id, r]: [string, any]) => ({ id, ...r.Properties }));

  test('a DynamoDB gateway endpoint on the subnets\' route tables', () => {
    const gateway = endpoints().filter((e) => e.VpcEndpointType === 'Gateway');
    expect(gateway).toHaveLength(1);
    expect(JSON.stringify(gateway[0].ServiceName)).toContain('.dynamodb');
    expect(gateway[0].RouteTableIds).toEqual(['rtb-0a1b2c3d4e5f60001', 'rtb-0a1b2c3d4e5f60002']);
    expect(gateway[0].VpcId).toBe('vpc-0a1b2c3d4e5f60718');
  });

  test.each(['ssm', 'events', 'sqs', 'xray'])('an interface endpoint for %s, private DNS, in the functions\' subnets', (service) => {
    const matching = endpoints().filter((e) => e.VpcEndpointType === 'Interface' && JSON.stringify(e.ServiceName).includes(`.${service}`));
    expect(matching).toHaveLength(1);
    expect(matching[0]).toMatchObject({ PrivateDnsEnabled: true, SubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'] });
  });

  test('four interface endpoints in all, sharing one security group: 443 from the functions\' group only, nothing outbound', () => {
    const interfaces = endpoints().filter((e) => e.VpcEndpointType === 'Interface');
    expect(interfaces).toHaveLength(4);
    const endpointGroup = byId(template, 'AWS::EC2::SecurityGroup', 'TrackingEndpointSecurityGroup');
    for (const endpoint of interfaces) expect(endpoint.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [endpointGroup.id, 'GroupId'] }]);
    // Not open to the VPC's CIDR (InterfaceVpcEndpoint's default): no CIDR ingress at all.
    expect(endpointGroup.props.SecurityGroupIngress).toBeUndefined();
    // CDK's placeholder for "no outbound rule": a rule no traffic matches.
    expect(endpointGroup.props.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp' })]);
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties);
    expect(ingress).toEqual([{
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      GroupId: { 'Fn::GetAtt': [endpointGroup.id, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [functionGroup(), 'GroupId'] },
      Description: 'HTTPS from the LogisticsTrackingApi functions',
    }]);
  });
});

describe('reserved concurrency', () => {
  test('each prop reserves its own function\'s concurrency', () => {
    const { template } = synth({ handlerReservedConcurrency: 40, streamProcessorReservedConcurrency: 4 });
    expect(trackingHandler(template).props.ReservedConcurrentExecutions).toBe(40);
    expect(byId(template, 'AWS::Lambda::Function', 'TrackingStreamProcessor').props.ReservedConcurrentExecutions).toBe(4);
  });

  test('no reservation by default but the stall sweep\'s one, which keeps runs from overlapping', () => {
    for (const fn of functions(synth().template)) {
      expect(fn.ReservedConcurrentExecutions).toBe(fn.Description.includes('stalled shipments') ? 1 : undefined);
    }
  });

  test('on an HTTP API, a handler reservation warns that over it clients get a 500 without Retry-After; a REST API answers 503 and does not warn', () => {
    const warned = synth({ handlerReservedConcurrency: 40 }).stack;
    Annotations.fromStack(warned).hasWarning('/TestStack/Tracking',
      Match.stringLikeRegexp('handlerReservedConcurrency with an HTTP API.*answered 500.*logistics-tracking-api:httpApiThrottledHandler'));
    Annotations.fromStack(synth({ apiType: ApiType.REST, handlerReservedConcurrency: 40 }).stack).hasNoWarning('*', Match.anyValue());
    Annotations.fromStack(synth({ streamProcessorReservedConcurrency: 4 }).stack).hasNoWarning('*', Match.anyValue());
  });

  test('at the limit, the REST API answers 503 with Retry-After: 1 in the contract\'s shape; over the stage limits, 429 with Retry-After: 1', () => {
    const responses = Object.values(synth({ apiType: ApiType.REST }).template.findResources('AWS::ApiGateway::GatewayResponse')).map((r: any) => r.Properties);
    expect(responses.find((r) => r.ResponseType === 'INTEGRATION_FAILURE')).toMatchObject({
      StatusCode: '503',
      ResponseParameters: { 'gatewayresponse.header.Retry-After': "'1'" },
      ResponseTemplates: { 'application/json': '{"error":"service temporarily unavailable, retry later"}' },
    });
    expect(responses.find((r) => r.ResponseType === 'THROTTLED')).toMatchObject({
      StatusCode: '429',
      ResponseParameters: { 'gatewayresponse.header.Retry-After': "'1'" },
      ResponseTemplates: { 'application/json': '{"error":$context.error.messageString}' },
    });
  });
});

describe('webAclArn', () => {
  test('associates the web ACL with the stage', () => {
    const { template } = synth({ apiType: ApiType.REST, webAclArn: WEB_ACL_ARN });
    const stage = only(template, 'AWS::ApiGateway::Stage').id;
    const association = only(template, 'AWS::WAFv2::WebACLAssociation').props;
    expect(association.WebACLArn).toBe(WEB_ACL_ARN);
    expect(JSON.stringify(association.ResourceArn)).toContain(`{"Ref":"${stage}"}`);
    expect(JSON.stringify(association.ResourceArn)).toContain('/stages/');
  });

  test('no association by default', () => {
    expect(synth({ apiType: ApiType.REST }).template.findResources('AWS::WAFv2::WebACLAssociation')).toEqual({});
  });
});
