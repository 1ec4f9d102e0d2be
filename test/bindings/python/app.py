"""The Python consumer app: the same stack as test/bindings/typescript/app.ts,
synthesized from the wheel in dist/python installed into a fresh virtual
environment by `npx projen test:bindings`. The README's Python example is the
region between the markers."""
# README:start
from aws_cdk import App, Duration, RemovalPolicy, Stack
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from logistics_tracking_api import (
    ApiAuthorization,
    ApiLatencyAlarmOptions,
    FeatureFlags,
    HandlerThrottleAlarmOptions,
    LogisticsTrackingApi,
    ThrottlingOptions,
    TrackingAlarmOptions,
    TrackingStatus,
)

app = App()
stack = Stack(app, "BindingsConsumer")
scanner_fleet = iam.Role(stack, "ScannerFleet", assumed_by=iam.AccountRootPrincipal())
notifications = sqs.Queue(stack, "Notifications", enforce_ssl=True)

tracking = LogisticsTrackingApi(stack, "Tracking",
    stage_name="staging",
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
)
tracking.grant_ingest(scanner_fleet)
tracking.on_status_changed("Delivered", targets.SqsQueue(notifications),
    statuses=[TrackingStatus.DELIVERED, TrackingStatus.EXCEPTION],
)

app.synth()
# README:end
