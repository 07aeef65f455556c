/** The entry PatternNodejsFunction bundles at synth in the cfn-lint defaults (its code is never run). */
export const handler = async (): Promise<{ ok: boolean }> => ({ ok: true });
