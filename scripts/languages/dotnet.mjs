// .NET: generated only. There is no .NET SDK or NuGet access where this runs, so the C# sources jsii-pacmak writes
// are checked to exist and to declare the constructs, and are never compiled or run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pacmak } from './pacmak.mjs';
import { SECTIONS } from './versions.mjs';

const NAMESPACE = 'CdkServerlessPatterns';

export const dotnet = {
  name: '.NET',
  tools: [],
  generatedOnly: true,
  run(ctx, steps) {
    const out = steps.run('generate', () => pacmak(ctx, 'dotnet', { codeOnly: true }));
    const project = join(out, NAMESPACE);
    // The classes of the README sections (a section such as "PatternFunction and PatternNodejsFunction" names two).
    const classes = SECTIONS.flatMap((section) => section.split(' and '));
    const problems = classes.filter((name) => {
      const file = join(project, NAMESPACE, `${name}.cs`);
      return !existsSync(file) || !new RegExp(`public class ${name} : (Constructs\\.Construct|Amazon\\.CDK\\.)`).test(readFileSync(file, 'utf8'));
    }).map((name) => `${name}.cs does not declare class ${name}`);
    const csproj = existsSync(join(project, `${NAMESPACE}.csproj`)) ? readFileSync(join(project, `${NAMESPACE}.csproj`), 'utf8') : '';
    const references = [...csproj.matchAll(/PackageReference Include="([^"]+)" Version="([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    if (!references.some((r) => r.startsWith('Amazon.CDK.Lib ')) || !references.some((r) => r.startsWith('Cdklabs.CdkNag '))) {
      problems.push(`${NAMESPACE}.csproj does not reference Amazon.CDK.Lib and Cdklabs.CdkNag`);
    }
    if (problems.length > 0) throw new Error(problems.join('; '));
    return { versions: references.join(', ') };
  },
};
