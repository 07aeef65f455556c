// Java: the jar jsii-pacmak builds with Maven, used from a Maven project beside aws-cdk-lib, constructs and cdknag
// from Maven Central. Maven's local repository is kept in the cache.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pacmak } from './pacmak.mjs';
import { sh } from './process.mjs';
import { composeJava } from './readme.mjs';
import { probe, synthesize, writeApp } from './scratch.mjs';
import { FLOOR, PROBE_ENV } from './versions.mjs';

const CDK_NAG = { group: 'io.github.cdklabs', artifact: 'cdknag', version: FLOOR.cdkNag };
/** This package's Maven coordinates (package.json jsii.targets.java). */
const OWN_ARTIFACT = { group: 'dev.cdkserverlesspatterns', artifact: 'cdk-serverless-patterns' };
const OWN_VERSION = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
const DEPENDENCIES = [
  ['software.amazon.awscdk', 'aws-cdk-lib', FLOOR.awsCdkLib],
  ['software.constructs', 'constructs', FLOOR.constructs],
  [CDK_NAG.group, CDK_NAG.artifact, CDK_NAG.version],
  // The version being built (package.json), which jsii-pacmak gives the jar.
  [OWN_ARTIFACT.group, OWN_ARTIFACT.artifact, OWN_VERSION],
];

const PROBE = `if (System.getenv("${PROBE_ENV}") != null) {
    try {
        dev.cdkserverlesspatterns.FifoFanout.Builder.create(new software.amazon.awscdk.Stack(new software.amazon.awscdk.App(), "Probe"), "Bad")
            .topicName("no-suffix").build();
    } catch (RuntimeException err) {
        System.out.println("problems: " + dev.cdkserverlesspatterns.PatternErrors.problemsInMessage(err.getMessage()).stream()
            .map(dev.cdkserverlesspatterns.ValidationProblem::getId).collect(java.util.stream.Collectors.joining(",")));
    }
    new software.amazon.awscdk.services.sqs.CfnQueue(stack, "NagProbe");
}`;

function pom(repository) {
  const dependency = ([group, artifact, version]) =>
    `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>serverless-patterns-app</artifactId>
  <version>1.0.0</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <repositories>
    <repository><id>freshly-built</id><url>file://${repository}</url></repository>
  </repositories>
  <dependencies>
${DEPENDENCIES.map(dependency).join('\n')}
  </dependencies>
  <build>
    <plugins>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.11.0</version></plugin>
    </plugins>
  </build>
</project>
`;
}

/**
 * The pom jsii-pacmak writes asks for cdknag in the range [3.0.2,4.0.0), and Maven resolves a range from the
 * registry's version list, which here names no 3.x release although the 3.0.2 artifacts are served. Installing
 * 3.0.2 into the local repository lists it locally, so the range resolves.
 */
function listCdkNagLocally(ctx, mvn) {
  const folder = join(ctx.m2, ...CDK_NAG.group.split('.'), CDK_NAG.artifact);
  const metadata = join(folder, 'maven-metadata-local.xml');
  if (existsSync(metadata) && readFileSync(metadata, 'utf8').includes(`<version>${CDK_NAG.version}</version>`)) return;
  const coordinates = `${CDK_NAG.group}:${CDK_NAG.artifact}:${CDK_NAG.version}`;
  mvn(['dependency:get', `-Dartifact=${coordinates}`, '-Dtransitive=false']);
  mvn(['dependency:get', `-Dartifact=${coordinates}:pom`, '-Dtransitive=false']);
  const copy = mkdtempSync(join(tmpdir(), 'cdknag-'));
  const base = `${CDK_NAG.artifact}-${CDK_NAG.version}`;
  for (const ext of ['jar', 'pom']) copyFileSync(join(folder, CDK_NAG.version, `${base}.${ext}`), join(copy, `${base}.${ext}`));
  mvn(['install:install-file', `-Dfile=${join(copy, `${base}.jar`)}`, `-DpomFile=${join(copy, `${base}.pom`)}`]);
}

export const java = {
  name: 'Java',
  tools: ['mvn', 'javac', 'java'],
  fence: 'java',
  run(ctx, steps, snippets) {
    const mvn = (args, cwd) => sh(ctx.log, 'mvn', ['--batch-mode', '--quiet', `-Dmaven.repo.local=${ctx.m2}`, ...args], { cwd });
    const repository = steps.run('build', () => {
      listCdkNagLocally(ctx, mvn);
      return pacmak(ctx, 'java', { extra: [`--maven-local-repository=${ctx.m2}`] });
    });
    const dir = ctx.scratch;
    writeApp(dir, 'pom.xml', pom(repository));
    writeApp(dir, 'src/main/java/Main.java', composeJava(snippets, PROBE));
    const classpath = steps.run('install', () => {
      // Maven never re-resolves a release version it has in its local repository: drop the copy of this package an
      // earlier build left there, so the app compiles against the jar built above.
      rmSync(join(ctx.m2, ...OWN_ARTIFACT.group.split('.'), OWN_ARTIFACT.artifact), { recursive: true, force: true });
      mvn(['compile', 'dependency:build-classpath', '-Dmdep.outputFile=classpath.txt'], dir);
      return readFileSync(join(dir, 'classpath.txt'), 'utf8').trim();
    });
    const jars = DEPENDENCIES.slice(0, 3).map(([, artifact, version]) => `${artifact}-${version}.jar`);
    const missing = jars.filter((jar) => !classpath.split(':').some((entry) => entry.endsWith(`/${jar}`)));
    if (missing.length > 0) throw new Error(`classpath lacks ${missing.join(', ')}`);
    const appCommand = `java -cp target/classes:${classpath} Main`;
    const template = steps.run('synth', () => synthesize(ctx, dir, appCommand));
    steps.run('probe', () => probe(ctx, dir, appCommand));
    return { template, versions: jars.join(' ') };
  },
};
