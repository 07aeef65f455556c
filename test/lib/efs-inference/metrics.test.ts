import { join } from 'node:path';
import { CfnElement } from 'aws-cdk-lib';
import { EfsModelInference, ModelSource } from '../../../lib';
import { newStack } from '../../support/cdk';
import { constructAlarm, userAlarmOn, watchedMetric } from '../../support/metrics';

const EXAMPLE_MODEL = join(__dirname, '..', '..', '..', 'lib', 'examples', 'inference-model');

test('inference errors: a user alarm watches the inference function, as the construct\'s errors alarm does', () => {
  const stack = newStack();
  const inference = new EfsModelInference(stack, 'Model', { model: ModelSource.fromDirectory(EXAMPLE_MODEL), provisionedConcurrentExecutions: 1 });
  const fnId = stack.getLogicalId(inference.inferenceFunction.node.defaultChild as CfnElement);
  const mine = userAlarmOn(stack, 'MyErrors', inference.metricInferenceErrors());
  // The function's own dimension: errors of every version and alias, the provisioned `live` alias included.
  expect(mine).toEqual({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }], Statistic: 'Sum', Period: 300 });
  expect(watchedMetric(stack, constructAlarm(stack, inference.alarms, 'Errors', new RegExp(`"${fnId}"`)))).toEqual(mine);
});
