export * from './recruiting-agency-stack';
export * from './order-events-stack';
export * from './quotes-stack';
