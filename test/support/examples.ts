import { App, Stack } from 'aws-cdk-lib';
import { OrderEventsStack, QuotesStack, RecruitingAgencyStack } from '../../lib';

/** Every example stack of the sample app, built fresh in its own app (as bin/app.ts builds them). */
export const EXAMPLE_STACKS: Record<string, () => Stack> = {
  RecruitingAgency: () => new RecruitingAgencyStack(new App(), 'RecruitingAgency'),
  OrderEvents: () => new OrderEventsStack(new App(), 'OrderEvents'),
  Quotes: () => new QuotesStack(new App(), 'Quotes'),
};
