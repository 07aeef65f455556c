export { EfsModelInference, EfsModelInferenceProps } from './efs-model-inference';
export { CustomInferenceHandlerProps, InferenceHandler, OnnxHandlerOptions } from './inference-handler';
export { BucketModelSourceOptions, ModelSource } from './model-source';
