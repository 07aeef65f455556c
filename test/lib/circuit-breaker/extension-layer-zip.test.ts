/**
 * The extension layer keeps its executable bit whatever machine deploys it: the build ships it as a zip whose modes
 * it fixes (never read from the disk), and the construct uploads that zip as it is. Modes are read by independent
 * readers (Python's zipfile, Info-ZIP's unzip), not by the writer.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { CircuitBreaker } from '../../../lib';

const ROOT = join(__dirname, '..', '..', '..');
const LAYER_ZIP = join(ROOT, 'assets', 'circuit-breaker-extension.zip');

interface ZipEntry {
  readonly name: string;
  /** st_mode the archive gives the entry (type and permission bits). */
  readonly mode: number;
  /** 3 = made on UNIX, so extractors apply the mode. */
  readonly system: number;
}

/** The entries of a zip as Python's zipfile reads them. */
function zipEntries(file: string): ZipEntry[] {
  const script = 'import json,sys,zipfile\n' +
    'z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None\n' +
    'print(json.dumps([{"name":i.filename,"mode":i.external_attr>>16,"system":i.create_system} for i in z.infolist()]))';
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as ZipEntry[];
}

/** Extracts with unzip under a umask that clears every group and other bit (a strict machine's), returns the dir. */
function extractStrictly(file: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'layer-'));
  execFileSync('sh', ['-c', 'umask 077 && unzip -q "$0" -d "$1"', file, dir]);
  return dir;
}

test('the shipped layer zip: the extension 755, its directory 755, made on UNIX', () => {
  expect(zipEntries(LAYER_ZIP)).toEqual([
    { name: 'extensions/', mode: 0o040755, system: 3 },
    { name: 'extensions/circuit-breaker', mode: 0o100755, system: 3 },
  ]);
  const dir = extractStrictly(LAYER_ZIP);
  try {
    // Lambda starts every executable file in /opt/extensions; this one must stay executable once extracted.
    expect(() => accessSync(join(dir, 'extensions', 'circuit-breaker'), constants.X_OK)).not.toThrow();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the zip writer takes modes from its caller, not from the disk (a checkout without the executable bit)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zip-modes-'));
  try {
    mkdirSync(join(dir, 'extensions'));
    const source = join(dir, 'extensions', 'ext');
    writeFileSync(source, '#!/bin/sh\necho ok\n');
    chmodSync(source, 0o600); // as a Windows checkout or a strict umask leaves it
    const out = join(dir, 'layer.zip');
    const entries = [{ name: 'extensions/', mode: 0o755 }, { name: 'extensions/ext', mode: 0o755, source }];
    execFileSync(process.execPath, ['--input-type=module', '-e',
      `import { writeZip } from ${JSON.stringify(join(ROOT, 'scripts', 'zip.mjs'))}; writeZip(${JSON.stringify(out)}, ${JSON.stringify(entries)});`]);
    expect(zipEntries(out).map((e) => [e.name, e.mode])).toEqual([['extensions/', 0o040755], ['extensions/ext', 0o100755]]);
    const extracted = extractStrictly(out);
    try {
      expect(execFileSync(join(extracted, 'extensions', 'ext'), { encoding: 'utf8' })).toBe('ok\n');
    } finally {
      rmSync(extracted, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the construct uploads that zip as it is (a file asset, not a folder CDK would zip with local modes)', () => {
  const app = new App();
  const stack = new Stack(app, 'S');
  new CircuitBreaker(stack, 'Breaker');
  const assembly = app.synth();
  const manifest = JSON.parse(readFileSync(join(assembly.directory, 'S.assets.json'), 'utf8')) as {
    files: Record<string, { source: { path: string; packaging: string } }>;
  };
  const layer = Object.values(manifest.files).map((f) => f.source).find((source) => source.path.endsWith('.zip'));
  expect(layer).toMatchObject({ packaging: 'file' });
  // The staged file is byte for byte the shipped zip, so its modes are the ones tested above.
  expect(readFileSync(join(assembly.directory, layer!.path)).equals(readFileSync(LAYER_ZIP))).toBe(true);
});
