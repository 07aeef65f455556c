export { SNSSubscriptionRedrive } from './SNSSubscriptionRedrive';
