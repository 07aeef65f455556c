import { Duration, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import * as efs from 'aws-cdk-lib/aws-efs';
import { IConstruct } from 'constructs';
import { checkFunctionOptions } from '../../core/private/function-limits';
import { describeRange, FUNCTION_URL_UNAVAILABLE_REGIONS, FUNCTION_URLS, inRange, LAMBDA } from '../../core/private/limits';
import { regionWithout } from '../../core/private/regions';
import { Problems } from '../../core/private/validation';
import { EFS_INFERENCE_LIMITS } from '../contract';
import type { EfsModelInferenceProps } from '../efs-model-inference';

/** Room between the sync function's timeout and the custom resource's, for the response upload. */
export const SERVICE_TIMEOUT_MARGIN = Duration.minutes(1);

/** Checks every prop that can be checked before anything is created. */
export function validateProps(problems: Problems, scope: IConstruct, props: EfsModelInferenceProps): void {
  const urlRegion = props.functionUrl ? regionWithout(scope, FUNCTION_URL_UNAVAILABLE_REGIONS) : undefined;
  problems.check(
    urlRegion === undefined, 'EfsModelInference.FunctionUrlUnavailable',
    `functionUrl: true creates a Lambda function URL, which region ${urlRegion} does not offer (${FUNCTION_URLS.source})`,
    'deploy to a region with function URLs, or drop functionUrl and invoke invokeTarget with lambda:InvokeFunction (or put API Gateway in front)',
  );
  problems.check(
    props.vpcSubnets === undefined || props.vpc !== undefined, 'EfsModelInference.SubnetsWithoutVpc',
    'vpcSubnets was given without vpc (the construct creates its own VPC and subnets)',
    'pass the vpc the subnets belong to, or drop vpcSubnets',
  );
  problems.check(
    props.fileSystem === undefined || props.vpc !== undefined, 'EfsModelInference.FileSystemWithoutVpc',
    'an existing fileSystem was given without its vpc: the functions must run in the VPC of its mount targets',
    'pass vpc (and vpcSubnets in the zones of its mount targets) together with fileSystem',
  );
  const fileSystemSettings = (['throughputMode', 'provisionedThroughput', 'removalPolicy', 'enableAutomaticBackups'] as const)
    .filter((name) => props[name] !== undefined);
  problems.check(
    props.fileSystem === undefined || fileSystemSettings.length === 0, 'EfsModelInference.ExistingFileSystemSettings',
    `${fileSystemSettings.join(', ')} ${fileSystemSettings.length > 1 ? 'were given with an existing fileSystem, which they cannot' : 'was given with an existing fileSystem, which it cannot'} change`,
    'set them on the file system where it is defined, or drop fileSystem to get one',
  );
  const provisioned = props.throughputMode === efs.ThroughputMode.PROVISIONED;
  problems.check(
    provisioned === (props.provisionedThroughput !== undefined), 'EfsModelInference.ProvisionedThroughput',
    provisioned ? 'throughputMode PROVISIONED needs provisionedThroughput' : 'provisionedThroughput was given without throughputMode PROVISIONED',
    'pass both throughputMode: ThroughputMode.PROVISIONED and provisionedThroughput (e.g. Size.mebibytes(100)), or neither',
  );
  if (props.provisionedThroughput && !props.provisionedThroughput.isUnresolved()) {
    const mibps = props.provisionedThroughput.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    problems.check(mibps >= 1, 'EfsModelInference.ProvisionedThroughput', `provisionedThroughput ${mibps} MiB/s is below 1 MiB/s`, 'use at least 1 MiB/s');
  }

  const mountPath = props.mountPath;
  if (mountPath !== undefined && !Token.isUnresolved(mountPath)) {
    problems.check(
      EFS_INFERENCE_LIMITS.mountPathPattern.test(mountPath) && mountPath.length <= EFS_INFERENCE_LIMITS.mountPathMaxLength,
      'EfsModelInference.MountPath',
      `mountPath ${JSON.stringify(mountPath)} is not a directory directly under /mnt (Lambda accepts only /mnt/<name>, letters, digits, ".", "_", "-", at most ${EFS_INFERENCE_LIMITS.mountPathMaxLength} characters)`,
      'use e.g. /mnt/models',
    );
  }

  checkFunctionOptions(problems, 'InferenceFunction', {
    memorySize: props.memorySize,
    timeout: props.timeout,
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    currentVersionOptions: { provisionedConcurrentExecutions: props.provisionedConcurrentExecutions },
  });
  problems.check(
    props.provisionedConcurrentExecutions === undefined || props.reservedConcurrentExecutions !== 0, 'EfsModelInference.ProvisionedWhileStopped',
    'provisionedConcurrentExecutions was given with reservedConcurrentExecutions 0 (a function that never runs)',
    'raise reservedConcurrentExecutions to at least provisionedConcurrentExecutions, or drop provisionedConcurrentExecutions',
  );

  if (props.syncTimeout && !props.syncTimeout.isUnresolved()) {
    const seconds = props.syncTimeout.toSeconds();
    problems.check(
      inRange(seconds, { ...LAMBDA.timeoutSeconds, min: 60 }), 'EfsModelInference.SyncTimeout',
      `syncTimeout ${seconds} s is outside ${describeRange({ ...LAMBDA.timeoutSeconds, min: 60 }, 's')}`,
      'use 1 to 15 minutes (a Lambda function runs at most 15); publish models too large to copy in that time in parts',
    );
  }
  if (props.retainedVersions !== undefined) {
    problems.check(
      Number.isInteger(props.retainedVersions) && props.retainedVersions >= EFS_INFERENCE_LIMITS.minRetainedVersions,
      'EfsModelInference.RetainedVersions',
      `retainedVersions ${props.retainedVersions} is not an integer ≥ ${EFS_INFERENCE_LIMITS.minRetainedVersions}`,
      'keep at least the current version and the one before it: a function that resolved the pointer just before a switch still reads the previous one',
    );
  }
  if (props.pointerCheckInterval && !props.pointerCheckInterval.isUnresolved()) {
    const ms = props.pointerCheckInterval.toMilliseconds();
    problems.check(
      ms <= 15 * 60 * 1000, 'EfsModelInference.PointerCheckInterval',
      `pointerCheckInterval ${ms} ms is longer than any invocation can wait to see a new version`,
      'use at most 15 minutes (0 checks before every request)',
    );
  }
}

/** Lambda's 250 MB for the function's code plus its layers, unzipped, from what synth could measure. */
export function validateUnzippedSize(problems: Problems, measured: ReadonlyArray<{ what: string; bytes: number }>): void {
  const total = measured.reduce((sum, m) => sum + m.bytes, 0);
  const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;
  problems.check(
    total <= LAMBDA.unzippedBytes.max, 'EfsModelInference.UnzippedSize',
    `the inference function's code and layers unzip to ${mb(total)} (${measured.map((m) => `${m.what} ${mb(m.bytes)}`).join(' + ')}), ` +
      `above Lambda's ${mb(LAMBDA.unzippedBytes.max)} (250 MB) limit`,
    'move large libraries and data to the model directory on EFS (it does not count), or trim the code',
  );
}
