import { Duration, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CircuitBreaker } from '../circuit-breaker';
import { ExampleStackProps } from './example-stack-props';
import { PatternFunction } from '../core/pattern-function';
import { urlOrPlaceholder } from './private/placeholder-url';
import { bundledHandlerCode } from '../core/private/assets';

/** Properties of the {@link QuotesStack}. */
export interface QuotesStackProps extends ExampleStackProps {
  /**
   * Base URL of the unreliable quotes service (`/quotes/<id>` and `/health` are requested; the sample app:
   * `-c quotesUrl=…`).
   * @default - a placeholder, 'https://quotes.example.com', which only a synth-only run (`-c synthOnly=true`)
   * accepts: otherwise `cdk synth` and `cdk deploy` of this stack stop with an error
   */
  readonly quotesUrl?: string;
}

/**
 * A quote fetcher calling an unreliable downstream through the `quotes-api` circuit, with a health checker that
 * probes the service every minute so the circuit opens and recovers even without traffic.
 */
export class QuotesStack extends Stack {
  /** The circuit breaker (table, extension layer, health checker, alarms). */
  public readonly breaker: CircuitBreaker;
  /** The protected function. */
  public readonly quoteFetcher: PatternFunction;

  constructor(scope: Construct, id: string, props: QuotesStackProps = {}) {
    super(scope, id, props);
    const quotesUrl = urlOrPlaceholder(this, props.quotesUrl, { name: 'quotesUrl', placeholder: 'https://quotes.example.com' });
    this.breaker = new CircuitBreaker(this, 'QuotesBreaker', {
      failureThreshold: 3,
      openTimeout: Duration.seconds(20),
      callTimeout: Duration.seconds(2),
      healthChecks: [{ url: `${quotesUrl}/health`, circuitId: 'quotes-api', timeout: Duration.seconds(2) }],
      alarmAction: props.alarmAction,
    });
    this.quoteFetcher = new PatternFunction(this, 'QuoteFetcher', {
      code: bundledHandlerCode('quote-fetcher'),
      handler: 'index.handler',
      description: 'Fetches price quotes through the quotes-api circuit breaker',
      timeout: Duration.seconds(5),
      environment: { QUOTES_URL: quotesUrl },
    });
    this.breaker.protect(this.quoteFetcher, { circuitIds: ['quotes-api'] });
  }
}
