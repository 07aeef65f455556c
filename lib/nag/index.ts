export { ScopedNagValidation } from './nag-validation';
export { ServerlessPatternsChecks } from './packs';
