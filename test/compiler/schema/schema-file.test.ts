import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { editorSchema } from '../../../compiler/schema/index.js';
import { SpecSchema } from '../../../compiler/schema/spec-schema.js';

const file = 'compiler/schema/attnc.schema.json';

describe('JSON Schema', () => {
  it('attnc.schema.json is in sync with the TypeBox schema (UPDATE_GOLDEN=1 rewrites it)', () => {
    const text = JSON.stringify(editorSchema(), null, 2) + '\n';
    if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('the editor schema accepts every shipped spec file as written', () => {
    const validate = new Ajv({ strict: false, allErrors: true, discriminator: true }).compile(editorSchema());
    for (const f of ['spec/attngan2.yaml', 'spec/tiny.yaml', 'spec/attndcgan.yaml', 'spec/bases/attngan.yaml']) {
      const ok = validate(parse(readFileSync(f, 'utf8')));
      expect(ok, `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('is closed everywhere: every object schema forbids unknown keys', () => {
    const open: string[] = [];
    const walk = (s: any, at: string) => {
      if (!s || typeof s !== 'object') return;
      if (s.properties && s.additionalProperties !== false) open.push(at);
      for (const [k, v] of Object.entries(s)) if (typeof v === 'object') walk(v, `${at}/${k}`);
    };
    walk(SpecSchema, '#');
    expect(open).toEqual([]);
  });

  it('tagged unions use oneOf + discriminator', () => {
    const stages = (SpecSchema.properties.generator.properties.stages as any).items;
    expect(stages.discriminator).toEqual({ propertyName: 'type' });
    expect(stages.oneOf.map((b: any) => b.properties.type.const)).toEqual(['init', 'attention', 'memory', 'fusion']);
    const losses = (SpecSchema.properties.losses as any).items;
    expect(losses.oneOf.map((b: any) => b.properties.type.const)).toEqual(['adversarial', 'damsm', 'kl', 'hinge', 'ma_gp']);
  });
});
