import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BufferedEventConsumer, FifoFanout, PatternFunction } from '../../lib';
import { INLINE_CODE } from '../support/cdk';

/**
 * A configuration CloudFormation would refuse that cfn-lint recognises in the synthesized template. Each must be
 * stopped before deploy: by the construct at synth (the promise), or else by cfn-lint in these tests. Found by trying
 * invalid-but-synthesizable values against every construct; the ones synth accepts are the next synth-time checks.
 */
export interface RefusedConfiguration {
  /** Construct and prop, as a user would name them. */
  readonly setting: string;
  /** The value tried. */
  readonly value: string;
  /** The cfn-lint error rule that recognises it. */
  readonly cfnLintRule: string;
  /** Builds the configuration in a fresh stack (may throw: synth rejecting it is the better outcome). */
  readonly build: (stack: Stack) => void;
}

const functionProps = { code: INLINE_CODE, handler: 'index.handler' };
const ORDER_PLACED = { source: ['com.example.orders'], detailType: ['OrderPlaced'] };

export const REFUSED_CONFIGURATIONS: RefusedConfiguration[] = [
  {
    setting: 'PatternFunction handler',
    value: "'index handler' (whitespace)",
    cfnLintRule: 'E3031',
    build: (stack) => new PatternFunction(stack, 'Fn', { ...functionProps, handler: 'index handler' }),
  },
  {
    setting: 'PatternFunction environment',
    value: "a key 'A-B' (Lambda: a letter, then letters, digits or _; cfn-lint's check is unanchored, so 'MY-VAR' passes it)",
    cfnLintRule: 'E3002',
    build: (stack) => new PatternFunction(stack, 'Fn', { ...functionProps, environment: { 'A-B': 'x' } }),
  },
  {
    setting: 'PatternFunction runtime',
    value: 'python2.7 (Lambda no longer creates functions on it)',
    cfnLintRule: 'E2533',
    build: (stack) => new PatternFunction(stack, 'Fn', { ...functionProps, runtime: lambda.Runtime.PYTHON_2_7 }),
  },
  {
    setting: 'BufferedEventConsumer ruleDescription',
    value: '513 characters (EventBridge allows 512)',
    cfnLintRule: 'E3033',
    build: (stack) => new BufferedEventConsumer(stack, 'Orders', { eventPattern: ORDER_PLACED, consumerProps: functionProps, ruleDescription: 'd'.repeat(513) }),
  },
  {
    setting: 'BufferedEventConsumer messageGroupIdPath (fifo)',
    value: 'a 96-character path: the pipe reads it as $.body.<path>, 101 characters (Pipes allows 100)',
    cfnLintRule: 'E3033',
    build: (stack) => new BufferedEventConsumer(stack, 'Orders', {
      eventPattern: ORDER_PLACED, consumerProps: functionProps, fifo: true, messageGroupIdPath: `$.detail.${'g'.repeat(87)}`,
    }),
  },
  {
    setting: 'FifoFanout topic (defined in the app)',
    value: 'a topic named with 257 characters (SNS allows 256)',
    cfnLintRule: 'E3033',
    build: (stack) => new FifoFanout(stack, 'Fanout', { topic: new sns.Topic(stack, 'Topic', { fifo: true, topicName: `${'t'.repeat(252)}.fifo` }) }),
  },
];
