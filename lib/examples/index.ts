export * from './recruiting-agency-stack';
