import { FUNCTION } from '../../private/lambda';
import { defineRule, findingsOrCompliant } from '../../private/rule';
import { listValue } from '../../private/values';

/** Layers Lambda allows on one function. */
const MAX_LAYERS = 5;

/**
 * A function has at most 5 layers, Lambda's limit; more fails at deployment. Finding: `Layers` (SPC-LMB6, error).
 */
export const LambdaLayerLimit = defineRule(__filename, [FUNCTION], (fn) =>
  findingsOrCompliant(listValue(fn.properties.Layers, 'Layers').length > MAX_LAYERS ? ['Layers'] : []),
);
