"""The Python consumer app: the same stack as test/bindings/typescript/app.ts,
synthesized from the wheel in dist/python installed into a fresh virtual
environment by `npx projen test:bindings`. The README's Python example is the
region between the markers."""
# README:start
from aws_cdk import App, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from logistics_tracking_api import (
    ApiAuthorization,
    ApiType,
    ApiLatencyAlarmOptions,
    FeatureFlags,
    HandlerThrottleAlarmOptions,
    LogisticsTrackingApi,
    StallThresholds,
    StalledShipmentsOptions,
    ThrottlingOptions,
    TrackingAlarmOptions,
    TrackingStatus,
)

app = App()
stack = Stack(app, "BindingsConsumer")
scanner_fleet = iam.Role(stack, "ScannerFleet", assumed_by=iam.AccountRootPrincipal())
notifications = sqs.Queue(stack, "Notifications", enforce_ssl=True)

# Hardening, all optional: the functions in your VPC's private subnets (with the VPC endpoints
# they need), your KMS key for data, logs and environments, reserved concurrency, a WAF web ACL.
vpc = ec2.Vpc.from_vpc_attributes(stack, "Vpc",
    vpc_id="vpc-0a1b2c3d4e5f60718",
    availability_zones=["eu-west-1a", "eu-west-1b"],
    private_subnet_ids=["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
    private_subnet_route_table_ids=["rtb-0a1b2c3d4e5f60001", "rtb-0a1b2c3d4e5f60002"],
)
key = kms.Key(stack, "Key", enable_key_rotation=True)

tracking = LogisticsTrackingApi(stack, "Tracking",
    stage_name="staging",
    # A REST API: the web ACL below needs one (the default is an HTTP API).
    api_type=ApiType.REST,
    authorization=ApiAuthorization.iam(),
    throttling=ThrottlingOptions(rate_limit=200, burst_limit=400),
    max_request_bytes=65536,
    config_cache_ttl=Duration.seconds(30),
    feature_flags=FeatureFlags(batch_processing=True, enhanced_tracking=False),
    log_retention=logs.RetentionDays.ONE_MONTH,
    alarm_options=TrackingAlarmOptions(
        api_latency=ApiLatencyAlarmOptions(max_latency=Duration.seconds(1), datapoints_to_alarm=2),
        handler_throttles=HandlerThrottleAlarmOptions(enabled=False),
    ),
    removal_policy=RemovalPolicy.DESTROY,
    # Stalled shipments: in transit for 3 days (not 5) is stalled; sweep every 30 minutes; expire after 45 days without news.
    stalled_shipments=StalledShipmentsOptions(
        thresholds=StallThresholds(in_transit=Duration.days(3)),
        sweep_interval=Duration.minutes(30),
        expire_after=Duration.days(45),
    ),
    # Hardening:
    encryption_key=key,
    vpc=vpc,
    vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
    create_vpc_endpoints=True,
    handler_reserved_concurrency=50,
    stream_processor_reserved_concurrency=5,
    web_acl_arn="arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/platform/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7",
)
tracking.grant_ingest(scanner_fleet)
tracking.on_status_changed("Delivered", targets.SqsQueue(notifications),
    statuses=[TrackingStatus.DELIVERED, TrackingStatus.EXCEPTION],
)
tracking.on_shipment_stalled("OutForDelivery", targets.SqsQueue(notifications),
    statuses=[TrackingStatus.OUT_FOR_DELIVERY],
)
# Erasure (DELETE /shipments/{tracking_id}) for the team that handles data requests, and word of every erasure.
privacy_team = iam.Role(stack, "PrivacyTeam", assumed_by=iam.AccountRootPrincipal())
tracking.grant_erase(privacy_team)
tracking.on_shipment_deleted("Erased", targets.SqsQueue(notifications))
# Deliveries and stalls POSTed to the order system, signed with a generated secret.
tracking.add_webhook("Orders",
    endpoint="https://orders.example.com/hooks/tracking",
    statuses=[TrackingStatus.DELIVERED],
    include_stalled=True,
)

app.synth()
# README:end
