export { PatternAlarmOptions, QueueAlarmOptions } from './alarms';
// jsii cannot model Error subclasses (JSII3004), so PatternValidationError is reached through PatternErrors' type
// guard, as aws-cdk-lib does with Errors.isValidationError.
export { PatternErrors, ValidationProblem } from './errors';
export { PatternFunction, PatternFunctionProps } from './pattern-function';
export { PatternFunctionOptions } from './pattern-function-options';
export { PatternNodejsFunction, PatternNodejsFunctionProps } from './pattern-nodejs-function';
export { QueueConsumerOptions } from './queue-consumer';
export { SecureQueue, SecureQueueProps } from './secure-queue';
