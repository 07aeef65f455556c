export { ScopedNagValidation } from './nag-validation';
