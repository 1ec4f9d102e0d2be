// The Java consumer app: the same stack as test/bindings/typescript/app.ts, compiled and run
// by Maven against the jar in dist/java (`npx projen test:bindings`). The README's Java example
// is the region between the markers.
package com.example.bindings;

// README:start
import java.util.List;

import com.example.logisticstracking.ApiAuthorization;
import com.example.logisticstracking.ApiLatencyAlarmOptions;
import com.example.logisticstracking.ApiType;
import com.example.logisticstracking.FeatureFlags;
import com.example.logisticstracking.HandlerThrottleAlarmOptions;
import com.example.logisticstracking.LogisticsTrackingApi;
import com.example.logisticstracking.ShipmentStalledRuleOptions;
import com.example.logisticstracking.StallThresholds;
import com.example.logisticstracking.StalledShipmentsOptions;
import com.example.logisticstracking.StatusChangedRuleOptions;
import com.example.logisticstracking.ThrottlingOptions;
import com.example.logisticstracking.TrackingAlarmOptions;
import com.example.logisticstracking.TrackingStatus;
import com.example.logisticstracking.WebhookProps;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ec2.VpcAttributes;
import software.amazon.awscdk.services.events.targets.SqsQueue;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sqs.Queue;

public final class BindingsConsumer {
    public static void main(final String[] args) {
        App app = new App();
        Stack stack = new Stack(app, "BindingsConsumer");
        Role scannerFleet = Role.Builder.create(stack, "ScannerFleet")
                .assumedBy(new AccountRootPrincipal())
                .build();
        Queue notifications = Queue.Builder.create(stack, "Notifications").enforceSsl(true).build();

        // Hardening, all optional: the functions in your VPC's private subnets (with the VPC endpoints
        // they need), your KMS key for data, logs and environments, reserved concurrency, a WAF web ACL.
        IVpc vpc = Vpc.fromVpcAttributes(stack, "Vpc", VpcAttributes.builder()
                .vpcId("vpc-0a1b2c3d4e5f60718")
                .availabilityZones(List.of("eu-west-1a", "eu-west-1b"))
                .privateSubnetIds(List.of("subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"))
                .privateSubnetRouteTableIds(List.of("rtb-0a1b2c3d4e5f60001", "rtb-0a1b2c3d4e5f60002"))
                .build());
        Key key = Key.Builder.create(stack, "Key").enableKeyRotation(true).build();

        LogisticsTrackingApi tracking = LogisticsTrackingApi.Builder.create(stack, "Tracking")
                .stageName("staging")
                // A REST API: the web ACL below needs one (the default is an HTTP API).
                .apiType(ApiType.REST)
                .authorization(ApiAuthorization.iam())
                .throttling(ThrottlingOptions.builder().rateLimit(200).burstLimit(400).build())
                .maxRequestBytes(65536)
                .configCacheTtl(Duration.seconds(30))
                .featureFlags(FeatureFlags.builder().batchProcessing(true).enhancedTracking(false).build())
                .logRetention(RetentionDays.ONE_MONTH)
                .alarmOptions(TrackingAlarmOptions.builder()
                        .apiLatency(ApiLatencyAlarmOptions.builder()
                                .maxLatency(Duration.seconds(1))
                                .datapointsToAlarm(2)
                                .build())
                        .handlerThrottles(HandlerThrottleAlarmOptions.builder().enabled(false).build())
                        .build())
                .removalPolicy(RemovalPolicy.DESTROY)
                // Stalled shipments: in transit for 3 days (not 5) is stalled; sweep every 30 minutes; expire after 45 days without news.
                .stalledShipments(StalledShipmentsOptions.builder()
                        .thresholds(StallThresholds.builder().inTransit(Duration.days(3)).build())
                        .sweepInterval(Duration.minutes(30))
                        .expireAfter(Duration.days(45))
                        .build())
                // Hardening:
                .encryptionKey(key)
                .vpc(vpc)
                .vpcSubnets(SubnetSelection.builder().subnetType(SubnetType.PRIVATE_WITH_EGRESS).build())
                .createVpcEndpoints(true)
                .handlerReservedConcurrency(50)
                .streamProcessorReservedConcurrency(5)
                .webAclArn("arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/platform/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7")
                .build();
        tracking.grantIngest(scannerFleet);
        tracking.onStatusChanged("Delivered", new SqsQueue(notifications), StatusChangedRuleOptions.builder()
                .statuses(List.of(TrackingStatus.DELIVERED, TrackingStatus.EXCEPTION))
                .build());
        tracking.onShipmentStalled("OutForDelivery", new SqsQueue(notifications), ShipmentStalledRuleOptions.builder()
                .statuses(List.of(TrackingStatus.OUT_FOR_DELIVERY))
                .build());
        // Erasure (DELETE /shipments/{tracking_id}) for the team that handles data requests, and word of every erasure.
        Role privacyTeam = Role.Builder.create(stack, "PrivacyTeam")
                .assumedBy(new AccountRootPrincipal())
                .build();
        tracking.grantErase(privacyTeam);
        tracking.onShipmentDeleted("Erased", new SqsQueue(notifications));
        // Deliveries and stalls POSTed to the order system, signed with a generated secret.
        tracking.addWebhook("Orders", WebhookProps.builder()
                .endpoint("https://orders.example.com/hooks/tracking")
                .statuses(List.of(TrackingStatus.DELIVERED))
                .includeStalled(true)
                .build());

        app.synth();
    }
}
// README:end
