import { apiDestination, l1Of } from './api-destination-fixtures';
import { EventBridgeApiDestinationRateLimit } from '../../../../../lib/nag/rules/eventbridge';
import { NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn, severityOf } from '../../support/rule-harness';

test('an API destination without InvocationRateLimitPerSecond is a warning (SPC-EVB6); one with it is compliant', () => {
  const s = stack();
  const limited = apiDestination(s, 'Limited', { rateLimitPerSecond: 10 });
  apiDestination(s, 'Unlimited');
  expect(findings(EventBridgeApiDestinationRateLimit, s)).toEqual(['SPC-EVB6  S/Unlimited/ApiDestination']);
  expect(resultOn(EventBridgeApiDestinationRateLimit, l1Of(limited))).toBe(NagRuleCompliance.COMPLIANT);
  expect(severityOf(EventBridgeApiDestinationRateLimit)).toBe('Warning');
});

test('other resources are not applicable', () => {
  const s = stack();
  const d = apiDestination(s, 'D', { rateLimitPerSecond: 1 });
  expect(resultOn(EventBridgeApiDestinationRateLimit, l1Of(d.connection))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
