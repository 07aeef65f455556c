/**
 * The one contract between the EfsModelInference construct and its Lambda code (the model-sync function and the
 * built-in ONNX handler): environment variable names, the layout of the model directory on the file system, the sync
 * request, defaults and limits. It imports nothing, so it compiles into both the jsii library and the handlers.
 */

/** Environment variables the sync function and the built-in handler read (the construct sets them). */
export const EFS_INFERENCE_ENV = {
  /** Directory on the mount that holds `versions/` and the `current` pointer (the access point's root). */
  MODEL_ROOT: 'EFS_INFERENCE_MODEL_ROOT',
  /** Path of the ONNX model inside a version directory. Read by the built-in handler; the sync function refuses a version without it. */
  MODEL_FILE: 'EFS_INFERENCE_MODEL_FILE',
  /** How often the built-in handler re-reads the pointer, milliseconds (0: before every invocation). */
  POINTER_CHECK_INTERVAL_MS: 'EFS_INFERENCE_POINTER_CHECK_INTERVAL_MS',
  /** Versions the sync function keeps on the file system, the current one included. */
  RETAINED_VERSIONS: 'EFS_INFERENCE_RETAINED_VERSIONS',
  /** For an S3 source: the bucket whose manifest uploads trigger a sync. */
  SOURCE_BUCKET: 'EFS_INFERENCE_SOURCE_BUCKET',
  /** For an S3 source: the key prefix of the model's files (empty or ending in `/`). */
  SOURCE_PREFIX: 'EFS_INFERENCE_SOURCE_PREFIX',
} as const;

/**
 * How a model lives on the file system. Each version is a directory `versions/<version>` that appears (by rename)
 * only once every file in it has been written and verified; `current` is a relative symbolic link
 * (`versions/<version>`) replaced atomically by rename. Readers resolve `current` once and read every file of the
 * version from the resolved directory, so they never mix two versions.
 */
export const MODEL_LAYOUT = {
  /** Directory of complete versions, relative to the model root. */
  versionsDir: 'versions',
  /** The pointer: a symbolic link to `versions/<version>`, relative to the model root. */
  currentLink: 'current',
  /** Prefix of a version being written (inside `versions/`); never a complete version. */
  stagingPrefix: '.staging-',
  /** Prefix of a pointer being prepared (in the model root) before it is renamed over `current`. */
  pointerTempPrefix: '.current-',
  /** Most recent first: which versions were made current when (the sync function keeps the newest). */
  historyFile: 'history.json',
  /**
   * For an S3 source, the manifest at `<prefix>SHA256SUMS`: one line per file, `<sha256 hex>  <relative path>`
   * (the output of `sha256sum`). Upload it last: its upload publishes the version.
   */
  manifestFile: 'SHA256SUMS',
} as const;

/** One file of a model version, as the sync function copies it. */
export interface ModelFile {
  /** Path inside the version directory, `/`-separated, no `..`. */
  readonly path: string;
  /** Lower-case hex SHA-256 of the content; the copy is refused when it differs. */
  readonly sha256: string;
  /** Where to read it. */
  readonly bucket: string;
  readonly key: string;
}

/** What the custom resource asks the sync function to install (the `Request` property, a JSON string). */
export type ModelSyncRequest =
  /** Files known at synth (a local directory deployed as assets), with their checksums. */
  | { readonly kind: 'files'; readonly files: ModelFile[] }
  /** The version published under an S3 prefix: its manifest names the files and their checksums. */
  | { readonly kind: 'prefix'; readonly bucket: string; readonly prefix: string };

/** What the sync function reports back (custom resource attributes). */
export interface ModelSyncResult {
  /** The version now current: the first 16 hex digits of a SHA-256 over the sorted `<sha256>  <path>` lines. */
  readonly version: string;
  /** Whether the version had to be copied (false when it was already on the file system). */
  readonly copied: boolean;
  /** Versions deleted because more than the retained number were on the file system. */
  readonly removed: string[];
  /**
   * Set when the request changed nothing because a newer one had already made a version current (an S3 notification
   * retried after a deploy): `version` is then the one current.
   */
  readonly superseded?: boolean;
}

/** Custom resource attribute names. */
export const MODEL_SYNC_ATTRIBUTES = {
  VERSION: 'Version',
} as const;

/** Defaults the construct and the handlers apply when a setting is absent. */
export const EFS_INFERENCE_DEFAULTS = {
  mountPath: '/mnt/models',
  modelFile: 'model.onnx',
  pointerCheckIntervalMs: 5_000,
  retainedVersions: 3,
  /** POSIX user and group of the access point: every file the functions see belongs to them. */
  posixUid: 1000,
  posixGid: 1000,
} as const;

/** Limits the construct checks at synth and the handlers check at run time. */
export const EFS_INFERENCE_LIMITS = {
  /** Lambda's rule for a local mount path (its API rejects anything else). */
  mountPathPattern: /^\/mnt\/[A-Za-z0-9._-]+$/,
  mountPathMaxLength: 160,
  /**
   * Versions kept: at least the current one and the one before it, so a reader that resolved the pointer just before
   * a switch still finds its files.
   */
  minRetainedVersions: 2,
  /** Files of a local model directory (each is one asset, listed in the custom resource). */
  maxDirectoryFiles: 100,
} as const;
