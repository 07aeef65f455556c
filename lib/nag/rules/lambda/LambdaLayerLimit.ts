import { FUNCTION } from '../../private/lambda';
import { compliantUnless, defineRule } from '../../private/rule';
import { listValue } from '../../private/values';

/** Layers Lambda allows on one function. */
const MAX_LAYERS = 5;

/**
 * A function has at most 5 layers, Lambda's limit; more fails at deployment. SPC-LMB6 (error).
 */
export const LambdaLayerLimit = defineRule(__filename, [FUNCTION], (fn) =>
  compliantUnless(listValue(fn.properties.Layers, 'Layers').length > MAX_LAYERS),
);
