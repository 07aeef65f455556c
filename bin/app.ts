#!/usr/bin/env node
/**
 * The sample app: every example stack, set from the command line's context (see bin/sample-app.ts), checked by
 * cdk-nag's AwsSolutions and ServerlessChecks packs and this library's ServerlessPatternsChecks. Synthesizes offline with no AWS
 * credentials (stacks are environment-agnostic); any unacknowledged finding fails synth.
 */
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ScopedNagValidation, ServerlessPatternsChecks } from '../lib';
import { addSampleStacks } from './sample-app';

const app = new App();
addSampleStacks(app);

// Runs the packs once and throws on any finding (see ScopedNagValidation for why not a validation plugin).
ScopedNagValidation.enforce(app, new AwsSolutionsChecks(), new ServerlessChecks(), new ServerlessPatternsChecks());
app.synth();
