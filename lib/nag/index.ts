export * from './nag-validation';
