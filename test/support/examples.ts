import { App, Stack } from 'aws-cdk-lib';
import { examples } from '../../lib';

/** Every example stack of the sample app, built fresh in its own app (as bin/app.ts builds them). */
export const EXAMPLE_STACKS: Record<string, () => Stack> = {
  RecruitingAgency: () => new examples.RecruitingAgencyStack(new App(), 'RecruitingAgency'),
  OrderEvents: () => new examples.OrderEventsStack(new App(), 'OrderEvents'),
  OrderService: () => new examples.OrderServiceStack(new App(), 'OrderService'),
  Quotes: () => new examples.QuotesStack(new App(), 'Quotes'),
  Inference: () => new examples.InferenceStack(new App(), 'Inference'),
};
