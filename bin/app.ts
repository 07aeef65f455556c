#!/usr/bin/env node
/**
 * The sample app: every example stack, checked by cdk-nag's AwsSolutions pack and this library's
 * ServerlessPatternsChecks. Synthesizes offline with no AWS credentials (stacks are environment-agnostic); any
 * unacknowledged finding fails synth.
 */
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { examples, ScopedNagValidation, ServerlessPatternsChecks } from '../lib';

const app = new App();
new examples.RecruitingAgencyStack(app, 'RecruitingAgency');
new examples.OrderEventsStack(app, 'OrderEvents');
new examples.OrderServiceStack(app, 'OrderService');
new examples.QuotesStack(app, 'Quotes');
new examples.InferenceStack(app, 'Inference');

// Runs the packs once and throws on any finding (see ScopedNagValidation for why not a validation plugin).
ScopedNagValidation.enforce(app, new AwsSolutionsChecks(), new ServerlessPatternsChecks());
app.synth();
