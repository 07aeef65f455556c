import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { AssetHashType, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { supportedNodeRuntimes } from '../../core/private/function-defaults';

/** The onnxruntime-node layer's folder, ready to deploy, with what the size check needs. */
export interface OnnxRuntimeLayerContents {
  /** Folder holding `nodejs/node_modules/onnxruntime-node` and `onnxruntime-common`. */
  readonly dir: string;
  /** Unzipped size, bytes. */
  readonly bytes: number;
  /** SHA-256 over every file's path and content: the asset hash. */
  readonly hash: string;
  /** The onnxruntime-node version it holds. */
  readonly version: string;
}

/** onnxruntime-node cannot be used for the layer; the message names what is missing. */
export class OnnxRuntimeUnavailableError extends Error {}

const PACKAGE = 'onnxruntime-node';
const COMMON = 'onnxruntime-common';

/** Node's name for each Lambda architecture (the folders onnxruntime-node ships its binaries in). */
export function nodeArch(architecture: lambda.Architecture): 'arm64' | 'x64' {
  return architecture.name === lambda.Architecture.ARM_64.name ? 'arm64' : 'x64';
}

/**
 * Assembles the layer from the onnxruntime-node the app has installed (found from the working directory first, then
 * from this library), keeping only the Linux binaries of one architecture, the JavaScript and the package manifests:
 * about 25 MB for arm64 and 45 MB for x86_64, where the whole package unpacks to ~290 MB. No network, no Docker.
 * The folder is built once per package version and architecture in the OS temp folder (privately, then renamed into
 * place) and reused by later synths.
 */
export function assembleOnnxRuntimeLayer(arch: 'arm64' | 'x64', searchFrom: string[] = [process.cwd(), __dirname]): OnnxRuntimeLayerContents {
  const nodeDir = packageDir(PACKAGE, searchFrom, `npm install ${PACKAGE} in your CDK app (its CPU binaries ship inside the package; ONNXRUNTIME_NODE_INSTALL=skip avoids its optional CUDA download)`);
  const commonDir = packageDir(COMMON, [nodeDir], `reinstall ${PACKAGE}, which depends on ${COMMON}`);
  const version = (JSON.parse(readFileSync(join(nodeDir, 'package.json'), 'utf8')) as { version: string }).version;
  const files = [
    ...layerFiles(nodeDir, `node_modules/${PACKAGE}`, (path) => path === 'package.json' || isJavaScript(path, 'dist/') || isBinary(path, arch)),
    ...layerFiles(commonDir, `node_modules/${COMMON}`, (path) => path === 'package.json' || isJavaScript(path, 'dist/cjs/')),
  ];
  if (!files.some((f) => f.target.endsWith('.node'))) {
    throw new OnnxRuntimeUnavailableError(
      `${PACKAGE} ${version} at ${nodeDir} has no Linux ${arch} binaries (bin/napi-v*/linux/${arch}/)`,
    );
  }
  const fingerprint = createHash('sha256');
  for (const f of files) fingerprint.update(`${f.target}\0${statSync(f.source).size}\0${statSync(f.source).mtimeMs}\n`);
  const home = join(tmpdir(), 'cdk-serverless-patterns', 'onnxruntime-layer', `${version}-${arch}-${fingerprint.digest('hex').slice(0, 16)}`);
  // The folder's own name has no dot: CDK names the staged asset after the source's extension, and the cloud
  // assembly (integ snapshots) must not depend on this machine's fingerprint.
  const dir = join(home, 'layer');
  const summaryFile = join(home, 'summary.json');
  if (!existsSync(summaryFile)) buildLayer(home, dir, summaryFile, files);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { bytes: number; hash: string };
  return { dir, version, ...summary };
}

/** The layer for one architecture, created once per stack. */
export function onnxRuntimeLayer(scope: Construct, contents: OnnxRuntimeLayerContents, architecture: lambda.Architecture): lambda.LayerVersion {
  const stack = Stack.of(scope);
  const id = `OnnxRuntimeLayer${nodeArch(architecture) === 'arm64' ? 'Arm64' : 'X8664'}`;
  const existing = stack.node.tryFindChild(id);
  if (existing) return existing as lambda.LayerVersion;
  return new lambda.LayerVersion(stack, id, {
    // The content hash was computed once when the folder was built: hashing ~25-45 MB again on every synth is waste.
    code: lambda.Code.fromAsset(contents.dir, { assetHash: contents.hash, assetHashType: AssetHashType.CUSTOM }),
    description: `onnxruntime-node ${contents.version}, Linux ${nodeArch(architecture)} binaries only`,
    compatibleArchitectures: [architecture],
    // The runtime policy's list (function-defaults.ts), never a hand list a newer function runtime falls outside of.
    compatibleRuntimes: supportedNodeRuntimes(),
    license: 'MIT',
  });
}

/** The folder of package `name` as Node would load it from `paths` (its entry point, then up to its manifest). */
function packageDir(name: string, paths: string[], fix: string): string {
  let entry: string;
  try {
    // Not `<name>/package.json`: onnxruntime-common's exports map does not export it.
    entry = require.resolve(name, { paths });
  } catch {
    throw new OnnxRuntimeUnavailableError(`${name} is not installed where the app runs (searched from ${paths.join(', ')}); fix: ${fix}`);
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
  }
  throw new OnnxRuntimeUnavailableError(`${name} resolves to ${entry}, but no package.json of ${name} is above it; fix: ${fix}`);
}

function isJavaScript(path: string, under: string): boolean {
  return path.startsWith(under) && (path.endsWith('.js') || path.endsWith('package.json'));
}

function isBinary(path: string, arch: string): boolean {
  return /^bin\/napi-v\d+\/linux\//.test(path) && path.split('/')[3] === arch;
}

interface LayerFile {
  readonly source: string;
  readonly target: string;
}

function layerFiles(packageRoot: string, targetRoot: string, keep: (relativePath: string) => boolean): LayerFile[] {
  const found: LayerFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(path);
        continue;
      }
      const rel = relative(packageRoot, path).split(sep).join('/');
      if (entry.isFile() && keep(rel)) found.push({ source: path, target: `nodejs/${targetRoot}/${rel}` });
    }
  };
  walk(packageRoot);
  return found.sort((a, b) => a.target.localeCompare(b.target));
}

function buildLayer(home: string, dir: string, summaryFile: string, files: LayerFile[]): void {
  mkdirSync(home, { recursive: true });
  const partial = join(home, `partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for (const file of files) {
      const destination = join(partial, ...file.target.split('/'));
      mkdirSync(dirname(destination), { recursive: true });
      copyFileSync(file.source, destination);
      const content = readFileSync(destination);
      hash.update(`${file.target}\0`).update(content);
      bytes += content.length;
    }
    // The folder only ever appears complete; if another synth renamed its copy first, that copy is the same files.
    try {
      renameSync(partial, dir);
    } catch (error) {
      if (!existsSync(dir)) throw error;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  const summaryPartial = `${partial}.json`;
  writeFileSync(summaryPartial, JSON.stringify({ bytes, hash: hash.digest('hex') }));
  renameSync(summaryPartial, summaryFile);
}
