/**
 * The deployed entry point (bundled as index.mjs): an ES module whose top-level await keeps Lambda's init phase open
 * until the model is loaded, so provisioned environments start with it and no request pays the load. Lambda freezes
 * the environment when init returns, so work merely started at init (a promise not awaited) is not done before the
 * first request; an ES module's top-level await is what makes init wait ("Using Node.js ES modules and top-level
 * await in AWS Lambda", AWS Compute Blog,
 * https://aws.amazon.com/blogs/compute/using-node-js-es-modules-and-top-level-await-in-aws-lambda/; "Define Lambda
 * function handler in Node.js", section Node.js initialization,
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html).
 */
import { initialise } from './index.js';

export const handler = await initialise();
