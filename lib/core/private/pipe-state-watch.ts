import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import { Construct } from 'constructs';
import { AlarmFactory } from './alarm-factory';
import { bundledHandlerCode } from './assets';
import { scheduleFunction } from './scheduled-function';
import { PIPE_STATE } from '../contract';
import { PatternFunction } from '../pattern-function';

/**
 * Whether a pipe runs: `PipeRunning` (1 or 0) from the pipe state check, the lowest value in 10 minutes (two checks).
 * Pipes has no metric or event of its own for this; see PIPE_STATE in lib/core/contract.ts.
 */
export function pipeStateMetric(pipe: pipes.CfnPipe, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: PIPE_STATE.namespace,
    metricName: PIPE_STATE.metricName,
    dimensionsMap: { [PIPE_STATE.dimension]: pipe.ref },
    statistic: 'Minimum',
    period: Duration.minutes(2 * PIPE_STATE.checkIntervalMinutes),
    ...props,
  });
}

/**
 * Alarms when `pipe` is not running: stopped, failed, or disabled by the service after nearly continuous errors
 * (after which it goes silent: no executions, so no failure metrics). A scheduled function under `scope` reads the
 * pipe's state with DescribePipe every 5 minutes; the alarm fires when a 10-minute period's lowest reading is 0, and
 * also when there is no reading (the check itself stopped), so it cannot go silent either. The checker's own
 * failures (on-failure queue, schedule dead-letter queue, failed invocations) are alarmed through `alarms` too.
 */
export function watchPipeState(scope: Construct, pipe: pipes.CfnPipe, alarms: AlarmFactory, what: string): cloudwatch.Alarm {
  const checker = new PatternFunction(scope, 'PipeStateChecker', {
    code: bundledHandlerCode('pipe-state-checker'),
    handler: 'index.handler',
    description: `Reads the state of ${what} for its alarm`.slice(0, 256),
    memorySize: 128,
    timeout: Duration.seconds(30),
    invokedAsynchronously: true,
    alarmAction: alarms.alarmAction,
    retryAttempts: 0,
    environment: { [PIPE_STATE.pipeNamesEnv]: Stack.of(scope).toJsonString([pipe.ref]) },
  });
  checker.addToRolePolicy(new iam.PolicyStatement({ actions: ['pipes:DescribePipe'], resources: [pipe.attrArn] }));
  scheduleFunction(scope, 'PipeState', checker, Duration.minutes(PIPE_STATE.checkIntervalMinutes), {
    rule: `Checks that ${what} is running`.slice(0, 512),
    deadLetterQueue: `${what} state check schedule dead-letter queue`,
    notRunning: `EventBridge failed to invoke the state check of ${what}: its state alarm reports missing data`,
  }, alarms);
  return alarms.belowThreshold(scope, 'PipeStateAlarm', {
    description: `${what} is not running (stopped, failed, or disabled by EventBridge Pipes after nearly continuous errors; ` +
      'see the pipe\'s StateReason), or its state could not be read: nothing is being delivered',
    metric: pipeStateMetric(pipe),
    threshold: 1,
  });
}
