import { App, Stack } from 'aws-cdk-lib';
import { examples } from '../../lib';

/** Every example stack of the sample app, built fresh in its own app (as bin/app.ts builds them), with `props`. */
export const EXAMPLE_STACKS: Record<string, (props?: examples.ExampleStackProps, app?: App) => Stack> = {
  RecruitingAgency: (props, app = new App()) => new examples.RecruitingAgencyStack(app, 'RecruitingAgency', props),
  OrderEvents: (props, app = new App()) => new examples.OrderEventsStack(app, 'OrderEvents', props),
  OrderService: (props, app = new App()) => new examples.OrderServiceStack(app, 'OrderService', props),
  OrderIntake: (props, app = new App()) => new examples.OrderIntakeStack(app, 'OrderIntake', props),
  Quotes: (props, app = new App()) => new examples.QuotesStack(app, 'Quotes', props),
  Inference: (props, app = new App()) => new examples.InferenceStack(app, 'Inference', props),
  PartnerWebhooks: (props, app = new App()) => new examples.PartnerWebhooksStack(app, 'PartnerWebhooks', props),
};
