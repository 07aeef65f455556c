// Go: the module jsii-pacmak generates, used from a Go module beside awscdk/v2 and constructs/v10 from the Go module
// proxy. cdk-nag 3's Go module is not served there, so its bindings are generated the same way from cdk-nag's npm
// package and both are wired in with `replace`, as the README tells Go users. Module and build caches are kept in
// the cache.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pacmak } from './pacmak.mjs';
import { sh } from './process.mjs';
import { composeGo } from './readme.mjs';
import { probe, synthesize, writeApp } from './scratch.mjs';
import { FLOOR, PROBE_ENV } from './versions.mjs';

const LIBRARY = 'github.com/cdk-serverless-patterns/cdk-serverless-patterns-go/cdkserverlesspatterns';
const CDK_NAG = 'github.com/cdklabs/cdk-nag-go/cdknag/v3';
const PINNED = { 'github.com/aws/aws-cdk-go/awscdk/v2': `v${FLOOR.awsCdkLib}`, 'github.com/aws/constructs-go/constructs/v10': `v${FLOOR.constructs}` };

const PROBE = `import (
	probeos "os"
	probefmt "fmt"
	probestrings "strings"
	probeawscdk "github.com/aws/aws-cdk-go/awscdk/v2"
	probesqs "github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	probejsii "github.com/aws/jsii-runtime-go"
	probecsp "${LIBRARY}"
)

if probeos.Getenv("${PROBE_ENV}") != "" {
	func() {
		defer func() {
			if r := recover(); r != nil {
				ids := []string{}
				for _, p := range *probecsp.PatternErrors_ProblemsInMessage(probejsii.String(probefmt.Sprint(r))) {
					ids = append(ids, *p.Id)
				}
				probefmt.Println("problems: " + probestrings.Join(ids, ","))
			}
		}()
		probecsp.NewFifoFanout(probeawscdk.NewStack(probeawscdk.NewApp(nil), probejsii.String("Probe"), nil), probejsii.String("Bad"),
			&probecsp.FifoFanoutProps{TopicName: probejsii.String("no-suffix")})
	}()
	probesqs.NewCfnQueue(stack, probejsii.String("NagProbe"), nil)
}`;

/**
 * jsii-pacmak pins each generated module's indirect requirements to the versions in this repository's npm tree
 * (e.g. cloud-assembly-schema-go v53.28.0), which the Go module proxy here does not serve. Without those lines Go's
 * version selection takes what awscdk/v2 itself requires.
 */
function dropIndirectPins(moduleDir) {
  const file = join(moduleDir, 'go.mod');
  writeFileSync(file, readFileSync(file, 'utf8').split('\n').filter((l) => !l.trim().endsWith('// indirect')).join('\n'));
}

function goMod(library, cdkNag) {
  const requires = { ...PINNED, [LIBRARY]: 'v0.0.0', [CDK_NAG]: `v${FLOOR.cdkNag}` };
  return `module example.com/serverless-patterns-app

go 1.25

require (
${Object.entries(requires).map(([m, v]) => `\t${m} ${v}`).join('\n')}
)

replace ${LIBRARY} => ${library}

replace ${CDK_NAG} => ${cdkNag}
`;
}

export const go = {
  name: 'Go',
  tools: ['go'],
  fence: 'go',
  run(ctx, steps, snippets) {
    const env = {
      GOMODCACHE: join(ctx.cache, 'go', 'mod'),
      GOCACHE: join(ctx.cache, 'go', 'build'),
      GOFLAGS: '-modcacherw -buildvcs=false',   // a writable module cache, so npm ci can delete node_modules
      GOTOOLCHAIN: 'local',
    };
    const out = steps.run('build', () => {
      const dir = pacmak(ctx, 'go', { codeOnly: true, projects: ['.', 'node_modules/cdk-nag'] });
      for (const module of ['cdkserverlesspatterns', 'cdknag']) dropIndirectPins(join(dir, module));
      return dir;
    });
    const dir = ctx.scratch;
    writeApp(dir, 'go.mod', goMod(join(out, 'cdkserverlesspatterns'), join(out, 'cdknag')));
    writeApp(dir, 'main.go', composeGo(snippets, PROBE));
    steps.run('install', () => {
      sh(ctx.log, 'go', ['mod', 'tidy'], { cwd: dir, env });
      sh(ctx.log, 'go', ['build', '-o', 'app', '.'], { cwd: dir, env });
    });
    const listed = sh(ctx.log, 'go', ['list', '-m', ...Object.keys(PINNED)], { cwd: dir, env }).trim().split('\n');
    const expected = Object.entries(PINNED).map(([m, v]) => `${m} ${v}`);
    if (listed.join('\n') !== expected.join('\n')) throw new Error(`selected ${listed.join(', ')}, expected ${expected.join(', ')}`);
    const template = steps.run('synth', () => synthesize(ctx, dir, './app', env));
    steps.run('probe', () => probe(ctx, dir, './app', env));
    return { template, versions: `${expected.join(' ')} ${CDK_NAG} (generated) v${FLOOR.cdkNag}` };
  },
};
