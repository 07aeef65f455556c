/**
 * Size of every pre-bundled handler in assets/ and how long a fresh Node process takes to `require()` it, next to
 * the AWS SDK v3 modules the bundles leave external, so readers can see which part of the import time is the SDK.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BenchSection, fmt, median, runCount, table } from '../stats';

const ROOT = join(__dirname, '..', '..');
const ASSETS_DIR = join(ROOT, 'assets');
const WARMUP_ROUNDS = 1;
/** Always measured as the SDK baseline, whether or not a bundle uses it. */
const SDK_BASELINE = '@aws-sdk/client-sns';

/**
 * Module-scope settings the handlers read at load time (lambda/<name>/index.ts), with harmless values: a missing one
 * would make the require throw, and Lambda always sets them in production.
 */
const HANDLER_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  BUCKET_NAME: 'bench-bucket',
  TABLE_NAME: 'bench-table',
  IDEMPOTENCY_TABLE_NAME: 'bench-idempotency',
  DOWNSTREAM_URL: 'https://downstream.invalid/orders',
  QUOTES_URL: 'https://quotes.invalid',
  CIRCUIT_BREAKER_TABLE_NAME: 'bench-circuits',
  CIRCUIT_BREAKER_CIRCUIT_IDS: 'downstream',
  CIRCUIT_BREAKER_HEALTH_CHECKS: '[]',
  OUTBOX_EVENT_SOURCE: 'bench.orders',
  OUTBOX_TABLE_NAME: 'bench-orders',
  RESTAURANT_INBOX_TABLE: 'bench-restaurant-inbox',
  ORDER_TRACKING_TABLE: 'bench-order-tracking',
};

/**
 * Runs in the child: times one require and prints milliseconds and the resident set size after it (what the
 * PatternFunction memory default is sized from). Exits at once so open handles cannot hang it.
 */
const CHILD_SCRIPT = [
  'const target = process.argv[1];',
  'const start = process.hrtime.bigint();',
  'if (target !== "-") require(target);',
  'const ms = Number(process.hrtime.bigint() - start) / 1e6;',
  'process.stdout.write(`${ms} ${process.memoryUsage().rss}`, () => process.exit(0));',
].join('\n');
/** A fresh Node process that requires nothing: the floor under every RSS figure. */
const BARE_NODE = 'node (nothing required)';

interface Bundle {
  readonly name: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** The entry file to require, or undefined for a Lambda extension (an executable that starts a server). */
  readonly entry?: string;
  /** AWS SDK / Smithy packages the bundle requires at run time (kept external by the bundler). */
  readonly sdkModules: string[];
}

interface Target {
  readonly label: string;
  readonly path: string;
}

export async function run(): Promise<BenchSection> {
  if (!existsSync(ASSETS_DIR) || readdirSync(ASSETS_DIR).length === 0) {
    throw new Error('assets/ is missing or empty: run `node scripts/bundle.mjs` (or `npx projen bundle`) first');
  }
  const runs = runCount();
  const bundles = readdirSync(ASSETS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => describeBundle(d.name))
    .sort((a, b) => a.name.localeCompare(b.name));

  const sdkModules = [...new Set([SDK_BASELINE, ...bundles.flatMap((b) => b.sdkModules)])].sort();
  const targets: Target[] = [
    ...bundles.filter((b) => b.entry).map((b) => ({ label: b.name, path: b.entry! })),
    // Resolved from the repository root, where the handlers' own `require('@aws-sdk/...')` lands too.
    ...sdkModules.map((m) => ({ label: m, path: require.resolve(m, { paths: [ROOT] }) })),
  ];
  const { times, rss } = timeRequires([...targets, { label: BARE_NODE, path: '-' }], runs);
  const rssCell = (label: string) => `${fmt(median(rss.get(label)!) / 1_048_576)}`;

  const handlerRows = bundles.map((b) => {
    const t = times.get(b.name);
    return [
      `\`${b.name}\``,
      fmt(b.bytes / 1024),
      fmt(b.gzipBytes / 1024),
      t ? fmt(median(t)) : 'n/a (extension process)',
      t ? `${fmt(Math.min(...t))}–${fmt(Math.max(...t))}` : '–',
      t ? rssCell(b.name) : '–',
      b.sdkModules.length ? b.sdkModules.map((m) => `\`${m}\``).join(', ') : '–',
    ];
  });
  const sdkRows = sdkModules.map((m) => {
    const t = times.get(m)!;
    return [`\`${m}\` alone (peer)`, '–', '–', fmt(median(t)), `${fmt(Math.min(...t))}–${fmt(Math.max(...t))}`, rssCell(m), '–'];
  });
  const bare = times.get(BARE_NODE)!;
  const bareRow = [BARE_NODE, '–', '–', fmt(median(bare)), `${fmt(Math.min(...bare))}–${fmt(Math.max(...bare))}`, rssCell(BARE_NODE), '–'];

  const method = [
    '`node scripts/bundle.mjs` bundles each `lambda/<name>/` with esbuild (minified CJS, AWS SDK v3 and Smithy ' +
      'left external because the Node.js Lambda runtimes ship them). Size is the sum of the files in ' +
      '`assets/<name>/`; gzip is the sum of each file gzipped at the default level (a stand-in for the deployment zip).',
    '',
    `Import time is the median of ${runs} fresh \`node\` processes (after ${WARMUP_ROUNDS} discarded round, so the ` +
      'files are in the OS cache), each timing one `require()` of the entry file with `process.hrtime`; the ' +
      'targets are interleaved round-robin so background load spreads evenly. It includes loading the external SDK ' +
      'modules, resolved from the node_modules of this repository, and module-scope initialisation (with dummy ' +
      'environment values such as `BUCKET_NAME`, `TABLE_NAME`, `IDEMPOTENCY_TABLE_NAME` and `DOWNSTREAM_URL`). ' +
      `The SDK modules the bundles use, and \`${SDK_BASELINE}\` as a common baseline, are timed alone the same way ` +
      `in the same run. Node ${process.version} here; Lambda runs Node.js 24 with its own SDK copy, so absolute ` +
      'numbers differ from a real cold start. Folders holding `extensions/` are Lambda extensions (an executable ' +
      'that starts a local server), so they are sized but not imported.',
    '',
    'RSS is `process.memoryUsage().rss` of the same process right after the require (median), next to a process ' +
      'that requires nothing: it is the footprint the `PatternFunction` memory default (256 MB) is sized from, with ' +
      'a protected function also running the extension as a second process.',
  ].join('\n');
  const body = table(
    ['Bundle', 'Size KiB', 'Gzip KiB', 'Cold require median ms', 'Min–max ms', 'RSS after require MB', 'External SDK modules'],
    [...handlerRows, ...sdkRows, bareRow],
  );
  const imported = bundles.filter((b) => times.has(b.name));
  const summary: Array<[string, string]> = [
    ['Handler bundles, gzip (smallest–largest)', `${fmt(Math.min(...bundles.map((b) => b.gzipBytes)) / 1024)}–${fmt(Math.max(...bundles.map((b) => b.gzipBytes)) / 1024)} KiB`],
    ['Handler process resident memory after loading its bundle (max)', `${fmt(Math.max(...imported.map((b) => median(rss.get(b.name)!))) / 1_048_576)} MB (bare Node: ${rssCell(BARE_NODE)} MB)`],
  ];
  return { title: 'Handler bundles', method, body, summary };
}

function describeBundle(name: string): Bundle {
  const dir = join(ASSETS_DIR, name);
  const files = listFiles(dir);
  let bytes = 0;
  let gzipBytes = 0;
  const sdkModules = new Set<string>();
  for (const file of files) {
    const content = readFileSync(file);
    bytes += content.length;
    gzipBytes += gzipSync(content).length;
    for (const match of content.toString('utf8').matchAll(/require\(["'](@(?:aws-sdk|smithy)\/[^"'/]+)[^"']*["']\)/g)) {
      sdkModules.add(match[1]);
    }
  }
  const isExtension = existsSync(join(dir, 'extensions'));
  const entry = join(dir, 'index.js');
  if (!isExtension && !existsSync(entry)) {
    throw new Error(`${relative(ROOT, dir)} has neither index.js nor extensions/; was it bundled by scripts/bundle.mjs?`);
  }
  // An extension bundles its SDK; the requires left in it are optional modules the SDK probes for, not loaded.
  return { name, bytes, gzipBytes, entry: isExtension ? undefined : entry, sdkModules: isExtension ? [] : [...sdkModules].sort() };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

function timeRequires(targets: Target[], runs: number): { times: Map<string, number[]>; rss: Map<string, number[]> } {
  const times = new Map<string, number[]>(targets.map((t) => [t.label, []]));
  const rss = new Map<string, number[]>(targets.map((t) => [t.label, []]));
  for (let round = 0; round < WARMUP_ROUNDS + runs; round++) {
    for (const target of targets) {
      const measured = requireInFreshProcess(target);
      if (round >= WARMUP_ROUNDS) {
        times.get(target.label)!.push(measured.ms);
        rss.get(target.label)!.push(measured.rssBytes);
      }
    }
  }
  return { times, rss };
}

function requireInFreshProcess(target: Target): { ms: number; rssBytes: number } {
  let out: string;
  try {
    out = execFileSync(process.execPath, ['-e', CHILD_SCRIPT, target.path], {
      cwd: ROOT,
      // Only what a handler needs: the parent's ts-node and bench settings must not leak into the measurement.
      env: { PATH: process.env.PATH ?? '', ...HANDLER_ENV },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`require of ${target.label} failed in a fresh node process: ${stderr.trim() || String(err)}`);
  }
  const [ms, rssBytes] = out.trim().split(' ').map(Number);
  if (!Number.isFinite(ms) || !Number.isFinite(rssBytes)) throw new Error(`require of ${target.label} printed no timing: ${out}`);
  return { ms, rssBytes };
}
