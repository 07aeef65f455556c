import { CustomResource, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { EFS_INFERENCE_DEFAULTS, EFS_INFERENCE_ENV, MODEL_SYNC_ATTRIBUTES } from './contract';
import { InferenceHandler } from './inference-handler';
import { ModelSource } from './model-source';
import { checkMountTargets } from './private/mount-targets';
import { checkBucketRegion, createVpc, existingVpc, InferenceNetwork } from './private/network';
import { createStorage, mountFor, restrictFileSystem } from './private/storage';
import { SERVICE_TIMEOUT_MARGIN, validateProps, validateUnzippedSize } from './private/validation';
import { PatternAlarmOptions } from '../core/alarms';
import { PatternFunction } from '../core/pattern-function';
import { AlarmFactory, functionErrorsMetric } from '../core/private/alarm-factory';
import { bundledHandlerCode } from '../core/private/assets';
import { Problems } from '../core/private/validation';

/** Properties of an {@link EfsModelInference}. */
export interface EfsModelInferenceProps extends PatternAlarmOptions {
  /** Where the model comes from: `ModelSource.fromDirectory(path)` or `ModelSource.fromBucket(bucket, prefix)`. */
  readonly model: ModelSource;
  /**
   * The inference function's code.
   * @default InferenceHandler.onnx() (the built-in ONNX handler, model file `model.onnx`)
   */
  readonly handler?: InferenceHandler;
  /**
   * An existing VPC. It is checked: the selected subnets must not be public, and when the VPC is defined in the app
   * each must reach S3 without the internet (an S3 endpoint, or a NAT route); an imported VPC gets a warning.
   * @default - a new VPC: isolated subnets in two zones, an S3 gateway endpoint, no NAT gateway, flow logs
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The subnets of `vpc` for the functions and the mount targets.
   * @default - the VPC's default selection (private subnets, else isolated)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * An existing EFS file system in `vpc` (the construct adds an access point, a directory and security-group rules;
   * the file system's policy stays yours, a warning reminds you).
   * @default - a new file system: encrypted, elastic throughput, no automatic backups, IAM authorization required
   */
  readonly fileSystem?: efs.IFileSystem;
  /**
   * Throughput mode of the new file system. Every cold start reads the whole model from EFS, and elastic throughput
   * bills each GB read (and each GB the sync writes): per cold start, about the model's size times the region's
   * elastic read price (for example $0.03 per GB read in us-east-1, "Amazon EFS pricing",
   * https://aws.amazon.com/efs/pricing/): a 1 GB model costs about 3 cents a cold start, $30 per thousand. The
   * file system's `DataReadIOBytes` metric counts those bytes. With many cold starts (scaling out often, versions
   * published often) provisioned throughput, billed per MiB/s-month whatever is read, can cost less; the seed post
   * recommends it with provisioned concurrency, when many environments load the model at once.
   * @default efs.ThroughputMode.ELASTIC
   */
  readonly throughputMode?: efs.ThroughputMode;
  /**
   * Throughput of a file system in `ThroughputMode.PROVISIONED` (required then, rejected otherwise).
   * @default - none
   */
  readonly provisionedThroughput?: Size;
  /**
   * Automatic backups of the new file system (EFS's default AWS Backup plan: a daily backup kept 35 days, in the EFS
   * automatic backup vault, "Backing up EFS file systems", https://docs.aws.amazon.com/efs/latest/ug/awsbackup.html).
   * Off by default: the file system holds copies of model versions whose source is your directory or bucket, which the
   * sync function installs again (a new stack, or a deploy, installs the current version), so a backup restores
   * nothing that cannot be reinstalled; and recovery points are kept by AWS Backup, billed, after a file system removed
   * with the stack (`RemovalPolicy.DESTROY`) is gone. Turn it on when the file system holds more than that, or your
   * policy asks for it (cdk-nag's `EFSInBackupPlan`).
   * @default false
   */
  readonly enableAutomaticBackups?: boolean;
  /**
   * What happens to the new file system when it leaves the stack. The model can be installed again from its source.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Where the functions mount the model's directory (`/mnt/<name>`).
   * @default '/mnt/models'
   */
  readonly mountPath?: string;
  /**
   * Memory of the inference function, MB (CPU grows with it; 1,769 MB is one full vCPU).
   * @default 2048
   */
  readonly memorySize?: number;
  /**
   * Timeout of the inference function. An alarm fires when p99 duration reaches 80 % of it.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Architecture of the inference function (the onnxruntime layer carries only its binaries).
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;
  /**
   * Reserved concurrency of the inference function.
   * @default - none (the account's unreserved pool)
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Provisioned concurrency on a `live` alias (which the function URL and `invokeTarget` then use): environments
   * that have loaded the model before requests arrive. Must not exceed `reservedConcurrentExecutions`.
   * @default - none (no alias)
   */
  readonly provisionedConcurrentExecutions?: number;
  /**
   * Creates a function URL with IAM authentication (callers sign requests with SigV4 and need
   * `lambda:InvokeFunctionUrl`). Refused at synth in a region without function URLs (when the stack's region is known).
   * @default false
   */
  readonly functionUrl?: boolean;
  /**
   * Environment variables of the inference function, besides those the construct sets.
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /**
   * How often the built-in handler checks whether a new version became current.
   * @default Duration.seconds(5)
   */
  readonly pointerCheckInterval?: Duration;
  /**
   * Model versions kept on the file system, the current one included (at least 2).
   * @default 3
   */
  readonly retainedVersions?: number;
  /**
   * Timeout of the sync function (copying and verifying one version). The deploy waits this long plus a minute at most.
   * @default Duration.minutes(15)
   */
  readonly syncTimeout?: Duration;
}

/**
 * A model (and the libraries it needs) on Amazon EFS, served by a Lambda function in a VPC: the pattern of "Building
 * deep learning inference with AWS Lambda and Amazon EFS", without its NAT gateway, `ClientFullAccess` grant, or a
 * stack that finishes before the model is there.
 *
 * A sync function in the VPC copies each model version into a directory of its own on the file system, verifies
 * every file's SHA-256, then switches a `current` link atomically; it runs as a custom resource the stack waits on
 * (at every deploy that changes the model) and, for an S3 source, when a new manifest is published. The inference
 * function mounts the same access point read-only and is created after the model is installed.
 */
export class EfsModelInference extends Construct {
  /** The VPC of the functions and mount targets. */
  public readonly vpc: ec2.IVpc;
  /** The file system holding the model versions. */
  public readonly fileSystem: efs.IFileSystem;
  /** The access point both functions mount (fixed POSIX user, own root directory). */
  public readonly accessPoint: efs.AccessPoint;
  /** The inference function. */
  public readonly inferenceFunction: PatternFunction;
  /** What callers invoke: the `live` alias with provisioned concurrency, otherwise the function. */
  public readonly invokeTarget: lambda.IFunction;
  /** The function that installs model versions. */
  public readonly syncFunction: PatternFunction;
  /** The function URL (IAM auth), when `functionUrl` is set. */
  public readonly functionUrl?: lambda.FunctionUrl;
  /** The model version the last deploy made current (a CloudFormation attribute). */
  public readonly modelVersion: string;
  /** Where the functions mount the model's directory. */
  public readonly mountPath: string;
  private readonly alarmFactory: AlarmFactory;

  constructor(scope: Construct, id: string, props: EfsModelInferenceProps) {
    super(scope, id);
    const problems = new Problems(this);
    validateProps(problems, this, props);
    problems.throwIfAny();
    const architecture = props.architecture ?? lambda.Architecture.ARM_64;
    const handler = (props.handler ?? InferenceHandler.onnx())._bind(this, architecture, problems);
    const source = props.model._bind(this, problems);
    const network: InferenceNetwork = props.vpc ? existingVpc(this, props.vpc, props.vpcSubnets, problems) : createVpc(this);
    if (props.fileSystem && props.vpc) checkMountTargets(problems, this, props.fileSystem, props.vpc, props.vpcSubnets);
    if (source) checkBucketRegion(problems, this, source, network);
    if (handler) {
      validateUnzippedSize(problems, handler.measured);
      if (handler.requiredFile && source?.knownFiles) {
        problems.check(
          source.knownFiles.includes(handler.requiredFile), 'EfsModelInference.ModelFileMissing',
          `the model directory has no ${handler.requiredFile} (it holds ${source.knownFiles.slice(0, 5).join(', ')}${source.knownFiles.length > 5 ? ', …' : ''})`,
          'add the model file, or pass InferenceHandler.onnx({ modelFile }) with its path in the directory',
        );
      }
    }
    problems.throwIfAny();

    this.alarmFactory = new AlarmFactory(props);
    this.vpc = network.vpc;
    this.mountPath = props.mountPath ?? EFS_INFERENCE_DEFAULTS.mountPath;
    const storage = createStorage(this, network, props);
    this.fileSystem = storage.fileSystem;
    this.accessPoint = storage.accessPoint;
    const syncTimeout = props.syncTimeout ?? Duration.minutes(15);

    this.syncFunction = new PatternFunction(this, 'SyncFunction', {
      code: bundledHandlerCode('efs-model-sync'),
      handler: 'index.handler',
      description: 'Installs model versions on EFS: copy, verify SHA-256, switch the current link',
      timeout: syncTimeout,
      // Network throughput grows with memory; the copy streams, so it needs little of it.
      memorySize: 1024,
      vpc: this.vpc,
      vpcSubnets: network.subnets,
      securityGroups: [new ec2.SecurityGroup(this, 'SyncSecurityGroup', {
        vpc: this.vpc,
        description: 'Model sync function: NFS to the file system, HTTPS to S3 (the subnets route only to the S3 endpoint)',
        allowAllOutbound: false,
      })],
      filesystem: mountFor(storage, this.mountPath, true),
      // Syncs never overlap: a deploy and a publication arriving together run one after the other.
      reservedConcurrentExecutions: 1,
      invokedAsynchronously: true,
      alarmAction: props.alarmAction,
      environment: {
        [EFS_INFERENCE_ENV.MODEL_ROOT]: this.mountPath,
        [EFS_INFERENCE_ENV.RETAINED_VERSIONS]: String(props.retainedVersions ?? EFS_INFERENCE_DEFAULTS.retainedVersions),
        ...(handler?.requiredFile ? { [EFS_INFERENCE_ENV.MODEL_FILE]: handler.requiredFile } : {}),
        ...source!.environment,
      },
    });
    this.syncFunction.connections.allowTo(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to S3 through the VPC endpoint');
    source!.connect(this.syncFunction);

    const install = new CustomResource(this, 'ModelVersion', {
      serviceToken: this.syncFunction.functionArn,
      resourceType: 'Custom::EfsModelVersion',
      properties: { Request: Stack.of(this).toJsonString(source!.request) },
      serviceTimeout: syncTimeout.plus(SERVICE_TIMEOUT_MARGIN),
    });
    if (network.s3Endpoint) install.node.addDependency(network.s3Endpoint);
    this.modelVersion = install.getAttString(MODEL_SYNC_ATTRIBUTES.VERSION);

    this.inferenceFunction = new PatternFunction(this, 'InferenceFunction', {
      code: handler!.code,
      handler: handler!.handler,
      ...(handler!.runtime ? { runtime: handler!.runtime } : {}),
      layers: handler!.layers,
      description: 'Serves the model on EFS',
      architecture,
      memorySize: props.memorySize ?? 2048,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      vpc: this.vpc,
      vpcSubnets: network.subnets,
      securityGroups: [new ec2.SecurityGroup(this, 'InferenceSecurityGroup', {
        vpc: this.vpc,
        description: 'Model inference function: NFS to the file system only',
        allowAllOutbound: false,
      })],
      filesystem: mountFor(storage, this.mountPath, false),
      environment: {
        ...props.environment,
        ...handler!.environment,
        [EFS_INFERENCE_ENV.MODEL_ROOT]: this.mountPath,
        [EFS_INFERENCE_ENV.POINTER_CHECK_INTERVAL_MS]: String(
          props.pointerCheckInterval?.toMilliseconds() ?? EFS_INFERENCE_DEFAULTS.pointerCheckIntervalMs,
        ),
      },
    });
    // The function (and its versions and provisioned environments, which refer to it) come up after the model is
    // installed. The function resource alone waits: its role, inside it, is named by the file system policy the
    // install's mount targets wait for.
    this.inferenceFunction.node.defaultChild!.node.addDependency(install);
    restrictFileSystem(storage, [this.inferenceFunction.role!], this.syncFunction.role!);

    this.invokeTarget = props.provisionedConcurrentExecutions === undefined
      ? this.inferenceFunction
      : new lambda.Alias(this, 'LiveAlias', {
        aliasName: 'live',
        version: this.inferenceFunction.currentVersion,
        provisionedConcurrentExecutions: props.provisionedConcurrentExecutions,
      });
    if (props.functionUrl) this.functionUrl = this.invokeTarget.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    this.createAlarms(props.timeout ?? Duration.seconds(30));
  }

  /** Every alarm the construct created. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.alarmFactory.alarms;
  }

  /**
   * Errors of the inference function (summed over 5 minutes): failed inference requests, on every version and alias.
   * The construct's inference-errors alarm watches this metric. The `FunctionName` dimension aggregates all versions
   * and aliases, the provisioned `live` alias included ("Working with Lambda function metrics",
   * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics.html).
   */
  public metricInferenceErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return functionErrorsMetric(this.inferenceFunction, props);
  }

  private createAlarms(timeout: Duration): void {
    const fn = this.inferenceFunction;
    this.alarmFactory.functionErrors(this, 'InferenceErrorsAlarm', fn, 'Model inference');
    this.alarmFactory.threshold(this, 'InferenceThrottlesAlarm', {
      description: 'Model inference: throttled requests (concurrency limit reached)',
      metric: fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
    });
    this.alarmFactory.threshold(this, 'InferenceDurationAlarm', {
      description: `Model inference: p99 duration at 80 % of the ${timeout.toHumanString()} timeout`,
      metric: fn.metricDuration({ period: Duration.minutes(5), statistic: 'p99' }),
      threshold: Math.round(timeout.toMilliseconds() * 0.8),
    });
    this.alarmFactory.functionErrors(this, 'SyncErrorsAlarm', this.syncFunction, 'Model sync');
    // invokedAsynchronously gives the function an alarm on its on-failure queue: failed publications after retries.
    this.alarmFactory.adopt(this.syncFunction.onFailureAlarm as cloudwatch.Alarm);
  }
}
