// One namespace per service, as cdk-nag lays out its rules (`rules.sqs.SQSMaxReceiveCountAboveOne`): each rule is a
// `(node: CfnResource) => NagRuleResult` that a NagPack of your own can apply with `applyRule`.
export * as dynamodb from './dynamodb';
export * as eventbridge from './eventbridge';
export * as lambda from './lambda';
export * as pipes from './pipes';
export * as sns from './sns';
export * as sqs from './sqs';
