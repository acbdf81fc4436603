import { describe, expect, it } from 'vitest';
import { renderDoctor } from '../../cli/doctor-report.js';

describe('attnc doctor report', () => {
  it("prints a skipped backend's reason whole, not cut in the middle of its path (issue 20, item 14)", () => {
    const reason =
      "/home/someone/projects/my-gan/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node: libtensorflow.so.2: cannot open shared object file: No such file or directory\nRequire stack:\n- /x";
    const out = renderDoctor({ name: 'wasm', requested: 'auto', skipped: [{ name: 'tensorflow', reason }], tfjsVersion: '4.22.0', threads: 1 }, [], '');
    expect(out).toContain(`  skipped tensorflow ${reason.split('\n')[0]}\n`);
    expect(out).not.toContain('Require stack');
  });
});
