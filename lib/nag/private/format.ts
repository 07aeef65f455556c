import { PolicyViolation } from 'aws-cdk-lib';

/** One line per finding and resource: `RULE  path  explanation`. */
export function formatFindings(findings: PolicyViolation[]): string {
  return findings
    .flatMap((finding) =>
      finding.violatingResources.map(
        (resource) =>
          `  ${finding.ruleName}  ${(resource as { constructPath?: string }).constructPath ?? resource.resourceLogicalId}  ${finding.description.split('\n')[0]}`,
      ),
    )
    .join('\n');
}
