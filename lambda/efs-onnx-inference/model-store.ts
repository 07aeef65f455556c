import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { MODEL_LAYOUT } from '../../lib/efs-inference/contract';

/** A loaded model and the version it came from. */
export interface LoadedModel {
  readonly session: InferenceSession;
  readonly version: string;
}

/** Where the model lives and how to load it. */
export interface ModelStoreOptions {
  /** The model root on the mount (`versions/` and the `current` link). */
  readonly root: string;
  /** The model's path inside a version directory. */
  readonly modelFile: string;
  /** How long a loaded model is served before the pointer is read again (0: before every request). */
  readonly checkIntervalMs: number;
  /** Creates a session from a model file (onnxruntime's `InferenceSession.create`). */
  readonly load: (modelPath: string) => Promise<InferenceSession>;
  /** Milliseconds since some fixed point; injectable for tests. */
  readonly now?: () => number;
}

/** No version has been made current yet (the sync has not run, or failed on its first version). */
export class NoModelError extends Error {
  constructor(root: string) {
    super(`no model version is current under ${root}: the model sync has not installed one`);
    this.name = 'NoModelError';
  }
}

/**
 * Serves one model per execution environment: loaded on first use (the handler starts that at init), reloaded when
 * the `current` pointer names another version. The pointer is resolved once per load and the model is read from the
 * resolved version directory, which never changes once it exists. A failed reload keeps serving the loaded version.
 */
export class ModelStore {
  private loaded?: LoadedModel;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private pending?: Promise<LoadedModel>;
  private readonly now: () => number;

  constructor(private readonly options: ModelStoreOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * The loaded model when the pointer was checked less than the interval ago (no check due), else undefined: the
   * request path's synchronous shortcut, which spares it an await on every request.
   */
  public fresh(): LoadedModel | undefined {
    return this.loaded && this.now() - this.checkedAt < this.options.checkIntervalMs ? this.loaded : undefined;
  }

  /** The model to serve now. Concurrent callers share one pointer check and one load. */
  public model(): Promise<LoadedModel> {
    const fresh = this.fresh();
    if (fresh) return Promise.resolve(fresh);
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(): Promise<LoadedModel> {
    const checkedAt = this.now();
    try {
      const version = await this.currentVersion();
      if (this.loaded?.version !== version) await this.swapTo(version);
      this.checkedAt = checkedAt;
      return this.loaded!;
    } catch (error) {
      if (!this.loaded) throw error;
      console.error(JSON.stringify({ message: 'model reload failed; serving the loaded version', version: this.loaded.version, error: String(error) }));
      this.checkedAt = checkedAt;
      return this.loaded;
    }
  }

  private async swapTo(version: string): Promise<void> {
    const started = this.now();
    const session = await this.options.load(join(this.options.root, MODEL_LAYOUT.versionsDir, version, this.options.modelFile));
    const previous = this.loaded;
    this.loaded = { session, version };
    console.info(JSON.stringify({ message: 'model loaded', version, previousVersion: previous?.version, loadMs: Math.round(this.now() - started) }));
    await previous?.session.release();
  }

  private async currentVersion(): Promise<string> {
    try {
      const target = await readlink(join(this.options.root, MODEL_LAYOUT.currentLink));
      return target.split('/').pop()!;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NoModelError(this.options.root);
      throw error;
    }
  }
}
