import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PatternFunction } from './lib';
const stack = new Stack(new App(), 'S');
const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 1, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
new PatternFunction(stack, 'Fn', { code: lambda.Code.fromInline('x'), handler: 'index.handler', vpc });
console.log(new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName + ' ' + JSON.stringify(v.violatingResources.map((r:any)=>r.resourceLogicalId ?? r))).join('\n'));
