/**
 * Every code a runtime `AttncError` can carry, with a one-line title and the CLI's exit status —
 * the runtime's counterpart of compiler/diagnostics/catalog.ts. Codes are stable: never reuse or
 * rename one. The exit status is one per class of error, whatever the command: 2 for usage (the
 * command line is wrong) and I/O (a file or folder it names does not exist or cannot be read, an
 * output cannot be written); 1 for an input that was read and is wrong (data, spec, checkpoint,
 * weights, environment). The compiler's catalog (compiler/diagnostics/catalog.ts) follows the same rule.
 */
export const errorCodes = {
  ATTNC_USAGE: { title: 'invalid command-line arguments', exit: 2 },
  ATTNC_USAGE_OPTION: { title: 'invalid command-line option value', exit: 2 },
  ATTNC_USAGE_GENERATED: { title: 'not a generated model folder (or one written by an older attnc)', exit: 2 },
  ATTNC_USAGE_BACKEND: { title: 'unknown or unavailable --backend', exit: 2 },
  ATTNC_IO_READ: { title: 'cannot read an input file', exit: 2 },
  ATTNC_IO_WRITE: { title: 'cannot write an output file', exit: 2 },
  ATTNC_IO_RUN_FOLDER: { title: 'the run folder cannot be written', exit: 2 },
  ATTNC_IO_DISK_FULL: { title: 'not enough free disk space for a checkpoint', exit: 2 },

  ATTNC_BACKEND: { title: 'TensorFlow backend failed to load', exit: 1 },
  ATTNC_SETUP: { title: 'the GPU library could not be provisioned', exit: 1 },
  ATTNC_SETUP_DISK: { title: 'not enough free disk space for the GPU library', exit: 1 },
  ATTNC_DATA_CONFIG: { title: 'invalid dataset or loader configuration', exit: 1 },
  ATTNC_DATA_MISSING: { title: 'dataset file or folder not found', exit: 1 },
  ATTNC_DATA_EMPTY: { title: 'no usable images in a split', exit: 1 },
  ATTNC_DATA_INDEX: { title: 'sample index out of range', exit: 1 },
  ATTNC_DATA_KEY: { title: 'unsafe or malformed image key in a dataset list', exit: 1 },
  ATTNC_DATA_SPLIT: { title: 'malformed split list', exit: 1 },
  ATTNC_DATA_PICKLE: { title: 'malformed or unsupported pickle', exit: 1 },
  ATTNC_DATA_CAPTIONS: { title: 'malformed captions', exit: 1 },
  ATTNC_DATA_VOCAB: { title: 'vocabulary does not fit the captions or the model', exit: 1 },
  ATTNC_DATA_IMAGE: { title: 'unreadable image', exit: 1 },
  ATTNC_DATA_BBOX: { title: 'malformed bounding boxes', exit: 1 },
  ATTNC_DATA_ATTRIBUTES: { title: 'malformed synthetic-birds attributes', exit: 1 },
  ATTNC_DATA_WORKER: { title: 'image decoding worker failed', exit: 1 },

  ATTNC_WEIGHTS_FORMAT: { title: 'malformed weights file', exit: 1 },
  ATTNC_PTH: { title: 'unreadable, damaged or unsafe PyTorch checkpoint', exit: 1 },
  ATTNC_WEIGHTS_MISMATCH: { title: 'weights do not fit the model (names or shapes)', exit: 1 },

  ATTNC_SPEC_INVALID: { title: 'the spec behind a generated model is invalid', exit: 1 },
  ATTNC_GENERATED_STALE: { title: 'generated code is out of date with its spec', exit: 1 },
  ATTNC_CHECKPOINT: { title: 'malformed or incomplete checkpoint', exit: 1 },
  ATTNC_CHECKPOINT_SPEC: { title: 'checkpoint written for another spec', exit: 1 },
  ATTNC_TRAIN_CONFIG: { title: 'training cannot run with this data and configuration', exit: 1 },
  ATTNC_TRAIN_ENCODERS: { title: 'the GAN phase has no trained DAMSM encoders', exit: 1 },
  ATTNC_TRAIN_NAN: { title: 'a loss became NaN or infinite', exit: 1 },

  ATTNC_SAMPLE_CAPTION: { title: 'a caption has no word the model knows', exit: 1 },
  ATTNC_EVAL_METRIC: { title: 'a metric does not apply to this dataset or model', exit: 2 },
  ATTNC_EVAL_EMPTY: { title: 'the evaluated split is too small for the metric', exit: 1 },
  ATTNC_EVAL_VOCAB: { title: 'evaluation encoders use another vocabulary', exit: 1 },
  ATTNC_EVAL_WEIGHTS: { title: 'unusable Inception-v3 weights for FID/IS', exit: 1 },
  ATTNC_EVAL_CACHE: { title: 'unusable cached attribute classifier', exit: 1 },
  ATTNC_EVAL_STATS: { title: 'malformed FID statistics file', exit: 1 },
  ATTNC_EVAL_PARTIAL: { title: 'missing or malformed partial evaluation result', exit: 1 },
  ATTNC_EVAL_MERGE: { title: 'shard results that do not form one evaluation', exit: 1 },

  ATTNC_WEB_BUNDLE: { title: 'the web page of a model could not be bundled for the browser', exit: 1 },
  ATTNC_SERVE_PORT: { title: 'the port to serve on is in use or not allowed', exit: 2 },
} as const satisfies Record<string, { title: string; exit: 1 | 2 }>;

export type ErrorCode = keyof typeof errorCodes;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(errorCodes, code);
}

/** The CLI's exit status for a runtime error. */
export function exitCodeOf(code: ErrorCode): 1 | 2 {
  return errorCodes[code].exit;
}
