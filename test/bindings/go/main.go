// The Go consumer app: the same stack as test/bindings/typescript/app.ts, built against the
// module that jsii-pacmak generated into dist/go (see the replace directive in go.mod) and run
// by `npx projen test:bindings`.
package main

// README:start
import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
	"github.com/example/logistics-tracking-api-go/logisticstrackingapi"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("BindingsConsumer"), nil)
	scannerFleet := awsiam.NewRole(stack, jsii.String("ScannerFleet"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewAccountRootPrincipal(),
	})
	notifications := awssqs.NewQueue(stack, jsii.String("Notifications"), &awssqs.QueueProps{
		EnforceSSL: jsii.Bool(true),
	})

	// Hardening, all optional: the functions in your VPC's private subnets (with the VPC endpoints
	// they need), your KMS key for data, logs and environments, reserved concurrency, a WAF web ACL.
	vpc := awsec2.Vpc_FromVpcAttributes(stack, jsii.String("Vpc"), &awsec2.VpcAttributes{
		VpcId:                      jsii.String("vpc-0a1b2c3d4e5f60718"),
		AvailabilityZones:          jsii.Strings("eu-west-1a", "eu-west-1b"),
		PrivateSubnetIds:           jsii.Strings("subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"),
		PrivateSubnetRouteTableIds: jsii.Strings("rtb-0a1b2c3d4e5f60001", "rtb-0a1b2c3d4e5f60002"),
	})
	key := awskms.NewKey(stack, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)})

	tracking := logisticstrackingapi.NewLogisticsTrackingApi(stack, jsii.String("Tracking"), &logisticstrackingapi.LogisticsTrackingApiProps{
		StageName:       jsii.String("staging"),
		ApiType:         logisticstrackingapi.ApiType_REST, // the web ACL below needs a REST API
		Authorization:   logisticstrackingapi.ApiAuthorization_Iam(),
		Throttling:      &logisticstrackingapi.ThrottlingOptions{RateLimit: jsii.Number(200), BurstLimit: jsii.Number(400)},
		MaxRequestBytes: jsii.Number(65536),
		ConfigCacheTtl:  awscdk.Duration_Seconds(jsii.Number(30)),
		FeatureFlags:    &logisticstrackingapi.FeatureFlags{BatchProcessing: jsii.Bool(true), EnhancedTracking: jsii.Bool(false)},
		LogRetention:    awslogs.RetentionDays_ONE_MONTH,
		AlarmOptions: &logisticstrackingapi.TrackingAlarmOptions{
			ApiLatency:       &logisticstrackingapi.ApiLatencyAlarmOptions{MaxLatency: awscdk.Duration_Seconds(jsii.Number(1)), DatapointsToAlarm: jsii.Number(2)},
			HandlerThrottles: &logisticstrackingapi.HandlerThrottleAlarmOptions{Enabled: jsii.Bool(false)},
		},
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		// Stalled shipments: in transit for 3 days (not 5) is stalled; sweep every 30 minutes; expire after 45 days without news.
		StalledShipments: &logisticstrackingapi.StalledShipmentsOptions{
			Thresholds:    &logisticstrackingapi.StallThresholds{InTransit: awscdk.Duration_Days(jsii.Number(3))},
			SweepInterval: awscdk.Duration_Minutes(jsii.Number(30)),
			ExpireAfter:   awscdk.Duration_Days(jsii.Number(45)),
		},
		// Hardening:
		EncryptionKey:                      key,
		Vpc:                                vpc,
		VpcSubnets:                         &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS},
		CreateVpcEndpoints:                 jsii.Bool(true),
		HandlerReservedConcurrency:         jsii.Number(50),
		StreamProcessorReservedConcurrency: jsii.Number(5),
		WebAclArn:                          jsii.String("arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/platform/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7"),
	})
	tracking.GrantIngest(scannerFleet)
	tracking.OnStatusChanged(jsii.String("Delivered"), awseventstargets.NewSqsQueue(notifications, nil), &logisticstrackingapi.StatusChangedRuleOptions{
		Statuses: &[]logisticstrackingapi.TrackingStatus{logisticstrackingapi.TrackingStatus_DELIVERED, logisticstrackingapi.TrackingStatus_EXCEPTION},
	})
	tracking.OnShipmentStalled(jsii.String("OutForDelivery"), awseventstargets.NewSqsQueue(notifications, nil), &logisticstrackingapi.ShipmentStalledRuleOptions{
		Statuses: &[]logisticstrackingapi.TrackingStatus{logisticstrackingapi.TrackingStatus_OUT_FOR_DELIVERY},
	})
	// Erasure (DELETE /shipments/{tracking_id}) for the team that handles data requests, and word of every erasure.
	privacyTeam := awsiam.NewRole(stack, jsii.String("PrivacyTeam"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewAccountRootPrincipal(),
	})
	tracking.GrantErase(privacyTeam)
	tracking.OnShipmentDeleted(jsii.String("Erased"), awseventstargets.NewSqsQueue(notifications, nil))
	// Deliveries and stalls POSTed to the order system, signed with a generated secret.
	tracking.AddWebhook(jsii.String("Orders"), &logisticstrackingapi.WebhookProps{
		Endpoint:       jsii.String("https://orders.example.com/hooks/tracking"),
		Statuses:       &[]logisticstrackingapi.TrackingStatus{logisticstrackingapi.TrackingStatus_DELIVERED},
		IncludeStalled: jsii.Bool(true),
	})

	app.Synth(nil)
}

// README:end
