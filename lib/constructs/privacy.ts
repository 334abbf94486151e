import { type CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { type FunctionDefaults, OmnApiFunction } from './omnapi-function';
import { secureBucket } from './shared/secure-bucket';

export interface PrivacyProps {
  readonly defaults: FunctionDefaults;
  readonly privacyRequests: dynamodb.Table;
  readonly accessLogs: s3.IBucket;
  readonly retainData: boolean;
}

/**
 * The privacy-request workflow (Standard Step Functions) and the bucket its exports land in.
 * Until each request type is automated, the workflow records the request as in progress and hands it
 * to a person with its legal deadline attached.
 */
export class Privacy extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly exportBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PrivacyProps) {
    super(scope, id);
    this.exportBucket = secureBucket(this, 'Exports', {
      key: props.defaults.key,
      accessLogs: props.accessLogs,
      retainData: false,
      expireAfterDays: 7,
    });

    const track = new OmnApiFunction(this, 'TrackRequest', {
      ...props.defaults,
      entry: 'lambdas/privacy/handlers/track-request.ts',
      description: 'Records the status of a privacy request as the workflow moves it along',
      serviceName: 'privacy',
    }).bindTable('privacyRequests', props.privacyRequests, 'readWrite');

    const setStatus = (stateId: string, status: string) =>
      new tasks.LambdaInvoke(this, stateId, {
        lambdaFunction: track,
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject({ 'requestId.$': '$.requestId', status }),
        resultPath: '$.tracking',
      });

    const handToPerson = setStatus('HandToPerson', 'needs_manual_action').next(new sfn.Succeed(this, 'Done'));
    const definition = setStatus('MarkInProgress', 'in_progress').next(
      new sfn.Choice(this, 'RouteByType')
        .when(sfn.Condition.stringEquals('$.type', 'access'), new sfn.Pass(this, 'Access').next(handToPerson))
        .when(sfn.Condition.stringEquals('$.type', 'portability'), new sfn.Pass(this, 'Portability').next(handToPerson))
        .when(sfn.Condition.stringEquals('$.type', 'deletion'), new sfn.Pass(this, 'Deletion').next(handToPerson))
        .when(sfn.Condition.stringEquals('$.type', 'correction'), new sfn.Pass(this, 'Correction').next(handToPerson))
        .when(sfn.Condition.stringEquals('$.type', 'objection'), new sfn.Pass(this, 'Objection').next(handToPerson))
        .otherwise(new sfn.Fail(this, 'UnknownType', { error: 'UnknownRequestType', cause: 'type is not a privacy right' })),
    );

    this.stateMachine = new sfn.StateMachine(this, 'Workflow', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.days(45),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'WorkflowLogs', {
          encryptionKey: props.defaults.key,
          retention: props.defaults.logRetention ?? logs.RetentionDays.ONE_MONTH,
          removalPolicy: props.defaults.logRemovalPolicy ?? RemovalPolicy.DESTROY,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    Validations.of(this.stateMachine.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'CloudWatch Logs delivery and X-Ray actions support no resource-level permissions.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).resolve((track.node.defaultChild as CfnResource).logicalId)}.Arn>:*]`,
        reason: 'Invoking any version or alias of the workflow\'s own task function.',
      },
    );
  }
}
