/**
 * Every diagnostic code attnc can emit, with a one-line title. Codes are stable: never reuse or
 * renumber one. 0xxx: files and the command line (exit 2); 1xxx: YAML and schema; 11xx: extends and
 * --set; 2xxx: semantic rules (compiler/validate/rules/, one file each); 3xxx: lowering.
 */
export const catalog = {
  ATTNC0001: { title: 'cannot read spec file', exit: 2 },
  ATTNC0002: { title: 'invalid --set override syntax', exit: 2 },

  ATTNC1001: { title: 'YAML syntax error', exit: 1 },
  ATTNC1002: { title: 'duplicate key', exit: 1 },
  ATTNC1003: { title: 'unknown key', exit: 1 },
  ATTNC1004: { title: 'missing required key', exit: 1 },
  ATTNC1005: { title: 'wrong type', exit: 1 },
  ATTNC1006: { title: 'value not allowed', exit: 1 },
  ATTNC1007: { title: 'number out of range', exit: 1 },
  ATTNC1008: { title: 'unknown variant of a tagged union', exit: 1 },
  ATTNC1009: { title: 'value does not satisfy a schema constraint', exit: 1 },
  ATTNC1010: { title: 'spec document is not a map', exit: 1 },
  ATTNC1011: { title: 'map key is not a plain string', exit: 1 },
  ATTNC1012: { title: 'unsupported spec format version', exit: 1 },

  ATTNC1101: { title: 'invalid `extends` value', exit: 1 },
  ATTNC1102: { title: 'base spec not found', exit: 1 },
  ATTNC1103: { title: 'cycle in `extends`', exit: 1 },
  ATTNC1104: { title: 'invalid `$replace` marker', exit: 1 },
  ATTNC1105: { title: '--set path does not exist', exit: 1 },

  ATTNC2001: { title: 'first generator stage must be `init`', exit: 1 },
  ATTNC2002: { title: 'stage sizes must double from the first stage', exit: 1 },
  ATTNC2003: { title: 'init stage size must be 4 x 2^k', exit: 1 },
  ATTNC2004: { title: 'attention word dimension differs from the text encoder output', exit: 1 },
  ATTNC2005: { title: 'image encoder embedding differs from the text encoder output', exit: 1 },
  ATTNC2006: { title: 'discriminators do not match the generator image heads', exit: 1 },
  ATTNC2007: { title: 'DAMSM stage does not exist', exit: 1 },
  ATTNC2008: { title: 'image encoder input size does not fit', exit: 1 },
  ATTNC2009: { title: 'batch too small for contrastive/mismatched terms', exit: 1 },
  ATTNC2010: { title: 'learning-rate floor above the starting rate', exit: 1 },
  ATTNC2011: { title: 'bidirectional hidden size must be even', exit: 1 },
  ATTNC2012: { title: 'data.image_sizes differs from the generator outputs', exit: 1 },
  ATTNC2013: { title: 'adversarial term uses a discriminator head that is disabled', exit: 1 },
  ATTNC2014: { title: 'loss term listed more than once', exit: 1 },
  ATTNC2015: { title: 'loss configuration needs a missing part', exit: 1 },
  ATTNC2016: { title: 'snapshot interval longer than training', exit: 1 },
  ATTNC2017: { title: 'encoders neither pretrained nor trained', exit: 1 },
  ATTNC2018: { title: 'CNN image encoder local size unreachable from its input size', exit: 1 },
  ATTNC2019: { title: 'duplicate or inconsistent evaluation metric', exit: 1 },
  ATTNC2020: { title: 'model-family parts used apart (DF-GAN losses, discriminator, generator)', exit: 1 },
  ATTNC2021: { title: "image-encoder part loss without the synthetic birds' part masks", exit: 1 },
  ATTNC2022: { title: 'part pooling without a part head', exit: 1 },
  ATTNC2023: { title: 'spectral norm on a discriminator that is absent or cannot take it', exit: 1 },
  ATTNC2024: { title: 'a negative queue without the DAMSM term it widens', exit: 1 },
  ATTNC2025: { title: "a part-word term without the part head or the synthetic birds' captions", exit: 1 },

  // Lowering (compiler/lower/): shape and support problems found while building the model graph.
  // Retired, never reuse: 3003 and 3005 (rules 2018, 2002 and 2004 reject those specs first; lowering asserts them).
  ATTNC3001: { title: 'init stage channels do not halve down to an integer', exit: 1 },
  ATTNC3002: { title: 'discriminator image size not supported', exit: 1 },
  ATTNC3004: { title: 'configuration not supported by the runtime', exit: 1 },
  ATTNC3901: { title: 'compiler bug: generated code does not type-check', exit: 1 },
  ATTNC3902: { title: 'generated code differs from the committed tree', exit: 1 },
} as const satisfies Record<string, { title: string; exit: 1 | 2 }>;

export type DiagnosticCode = keyof typeof catalog;

export function isKnownCode(code: string): code is DiagnosticCode {
  return Object.prototype.hasOwnProperty.call(catalog, code);
}

/** Exit status for a set of diagnostics: 2 if any error is a file/usage error, else 1 if any error, else 0. */
export function exitCodeFor(diags: ReadonlyArray<{ code: DiagnosticCode; severity: string }>): 0 | 1 | 2 {
  const errors = diags.filter((d) => d.severity === 'error');
  if (errors.length === 0) return 0;
  return errors.some((d) => (catalog as Record<string, { exit: number }>)[d.code]?.exit === 2) ? 2 : 1;
}
