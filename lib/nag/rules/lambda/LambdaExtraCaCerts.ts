import { FUNCTION } from '../../private/lambda';
import { compliantUnless, defineRule } from '../../private/rule';
import { pathValue } from '../../private/values';

/** The bundle of Amazon-specific CA certificates that Node.js 20+ runtimes no longer load by default. */
const RUNTIME_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/**
 * A function does not set `NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem` unless it needs those certificates
 * (e.g. TLS to RDS): Node.js 20+ runtimes stopped loading them because it slows every cold start. SPC-LMB8
 * (warning); acknowledge it on functions that connect to such endpoints.
 */
export const LambdaExtraCaCerts = defineRule(__filename, [FUNCTION], (fn) => {
  const value = pathValue(fn.properties, ['Environment', 'Variables', 'NODE_EXTRA_CA_CERTS'], 'Environment');
  return compliantUnless(value === RUNTIME_CA_BUNDLE);
});
