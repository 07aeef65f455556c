import { join } from 'node:path';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EfsModelInference, ModelSource } from '../efs-inference';
import { ExampleStackProps } from './example-stack-props';

/** Properties of the {@link InferenceStack}. */
export interface InferenceStackProps extends ExampleStackProps {
  /**
   * A directory holding the ONNX model as `model.onnx` (and anything else it needs).
   * @default - the library's 4-feature, 3-class demo classifier (a few hundred bytes)
   */
  readonly modelDirectory?: string;
}

/**
 * An ONNX classifier on EFS behind an IAM-authenticated function URL: a new VPC with no NAT gateway, the model
 * installed (and verified) before the function exists, the built-in handler with onnxruntime in a layer.
 * Invoke it with `{"inputs": {"features": [[5.1, 3.5, 1.4, 0.2]]}}`; it answers the class probabilities and label.
 */
export class InferenceStack extends Stack {
  /** The model, its file system, the sync and inference functions, and their alarms. */
  public readonly inference: EfsModelInference;

  constructor(scope: Construct, id: string, props: InferenceStackProps = {}) {
    super(scope, id, props);
    this.inference = new EfsModelInference(this, 'Classifier', {
      model: ModelSource.fromDirectory(props.modelDirectory ?? join(__dirname, 'inference-model')),
      functionUrl: true,
      // A bound on what one caller can run up; raise it (and add provisionedConcurrentExecutions) for real traffic.
      reservedConcurrentExecutions: 10,
      alarmAction: props.alarmAction,
    });
    new CfnOutput(this, 'FunctionUrl', { value: this.inference.functionUrl!.url, description: 'POST JSON here, signed with SigV4 (IAM auth)' });
    new CfnOutput(this, 'ModelVersion', { value: this.inference.modelVersion, description: 'The model version the deploy installed' });
  }
}
