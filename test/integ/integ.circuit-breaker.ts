/**
 * Integration test for CircuitBreaker. Run against a real account with
 *   AWS_REGION=<region> npx integ-runner --directory test/integ --language typescript \
 *     --app "node -r ts-node/register/transpile-only {filePath}" integ.circuit-breaker.ts
 * The protected function calls a dependency that refuses connections; after `failureThreshold` (2) invocations the
 * circuit item in the table must read OPEN, and the next invocation must answer from the fallback at once.
 * CI only verifies the committed snapshot (no deployment).
 */
import { ExpectedResult, IntegTest, InvocationType } from '@aws-cdk/integ-tests-alpha';
import { Duration, Stack } from 'aws-cdk-lib';
import { integApp } from './integ-app';
import { CircuitBreaker, PatternFunction } from '../../lib';
import { bundledHandlerCode } from '../../lib/core/private/assets';

const app = integApp();
const stack = new Stack(app, 'CircuitBreakerInteg');
const breaker = new CircuitBreaker(stack, 'Breaker', { failureThreshold: 2, openTimeout: Duration.minutes(5), callTimeout: Duration.seconds(2) });
const caller = new PatternFunction(stack, 'Caller', {
  code: bundledHandlerCode('quote-fetcher'),
  handler: 'index.handler',
  timeout: Duration.seconds(10),
  // Port 9 (discard) on loopback refuses the connection: a dependency that is down.
  environment: { QUOTES_URL: 'http://127.0.0.1:9' },
});
breaker.protect(caller, { circuitIds: ['quotes-api'] });

const integ = new IntegTest(app, 'CircuitOpens', { testCases: [stack], regions: ['us-east-1'] });
const invoke = () =>
  integ.assertions.invokeFunction({
    functionName: caller.functionName,
    invocationType: InvocationType.REQUEST_RESPONSE,
    payload: JSON.stringify({ productId: 'p-1' }),
  });

invoke()
  .next(invoke())
  .next(
    integ.assertions
      .awsApiCall('DynamoDB', 'getItem', { TableName: breaker.table.tableName, Key: { id: { S: 'quotes-api' } }, ConsistentRead: true })
      .expect(ExpectedResult.objectLike({ Item: { state: { S: 'OPEN' } } })),
  )
  .next(
    invoke().expect(
      ExpectedResult.objectLike({ Payload: JSON.stringify({ productId: 'p-1', source: 'unavailable' }) }),
    ),
  );

app.synth();
