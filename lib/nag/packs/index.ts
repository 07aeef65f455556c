export { ServerlessPatternsChecks } from './serverless-patterns';
