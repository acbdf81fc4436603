/** `attnc compile --graph`: the model graph as aligned text, or as JSON (the graph value itself). */
import { originText } from '../resolve/origins.js';
import { shapeText, type ModelGraph, type Network, type TensorNode } from './graph.js';

const n = (x: number) => x.toLocaleString('en-US');
const shape = (t: TensorNode) => shapeText(t.shape);

export function renderGraphJson(g: ModelGraph): string {
  return JSON.stringify(g, null, 2) + '\n';
}

export function renderGraphText(g: ModelGraph, options: { params?: boolean } = {}): string {
  const out: string[] = [];
  out.push(`${g.name}  ${g.specFile}  sha256 ${g.specHash.slice(0, 12)}`);
  out.push(`vocabulary ${g.vocabSize ?? 'V (from the dataset)'}, words T ≤ ${g.wordsNum}, images ${g.imageSizes.join(', ')} px`);
  const total = g.networks.reduce((s, x) => s + x.paramCount, 0);
  out.push(`${n(total)} parameters in ${g.networks.length} networks`);
  for (const net of g.networks) out.push('', ...renderNetwork(net, options.params ?? false));
  out.push('', 'phases');
  for (const p of g.phases) {
    const opt = p.optimizers.map((o) => `${o.id}: Adam lr ${o.optimizer.lr} β (${o.optimizer.beta1}, ${o.optimizer.beta2})`).join('; ');
    out.push(`  ${p.id}${p.enabled ? '' : ' (disabled)'}  trains ${p.trains.join(', ')}${p.frozen.length ? `; frozen ${p.frozen.join(', ')}` : ''}`);
    out.push(`    batch ${p.batchSize} × ${p.epochs} epochs; ${opt}${p.gradClip ? `; clip ${p.gradClip.maxNorm} (${p.gradClip.params})` : ''}${p.ema ? `; EMA ${p.ema.decay}` : ''}${p.init === 'pytorch' ? '; PyTorch default init' : ''}${p.partLoss ? `; part loss × ${p.partLoss.weight} on ${p.partLoss.grid}×${p.partLoss.grid} regions` : ''}  (${originText(p.origin)})`);
  }
  out.push('', 'losses');
  for (const l of g.losses) {
    let what: string;
    if (l.type === 'adversarial') what = `adversarial ${[l.conditional && 'conditional', l.unconditional && 'unconditional', l.mismatched && 'mismatched'].filter(Boolean).join(' + ')}`;
    else if (l.type === 'damsm') what = `damsm λ ${l.lambda}, γ1 ${l.gamma1}, γ2 ${l.gamma2}, γ3 ${l.gamma3}, on stage ${l.stage} (${g.imageSizes[l.stage]} px)`;
    else if (l.type === 'kl') what = `kl × ${l.weight} (${l.reduction})`;
    else if (l.type === 'hinge') what = 'hinge (one-way discriminator: real, fake, mismatched)';
    else what = `ma_gp k ${l.weight}, p ${l.power}`;
    out.push(`  ${what}  (${originText(l.origin)})`);
  }
  return out.join('\n') + '\n';
}

function renderNetwork(net: Network, params: boolean): string[] {
  const trainable = net.trainableCount === net.paramCount ? '' : `, ${n(net.trainableCount)} trainable`;
  const lines = [`${net.id} — ${net.className} in ${net.file}: ${n(net.paramCount)} parameters${trainable}${net.symbolicParams ? ` ${net.symbolicParams}` : ''}`];
  const symbolic = (id: string) =>
    net.params
      .filter((p) => p.module === id && p.size === null)
      .map((p) => p.shape.map(String).join('·'))
      .join(' + ');
  const rows = net.modules.map((m) => [
    `  ${m.id || '(root)'}`,
    m.kind,
    `${m.inputs.map(shape).join(', ')} → ${m.outputs.map(shape).join(', ')}`,
    [m.paramCount ? n(m.paramCount) : '', symbolic(m.id)].filter(Boolean).join(' + ') || '0',
    originText(m.origin),
  ]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) {
    lines.push(`${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]!.padStart(widths[3]!)}  ${r[4]}`);
  }
  if (params) {
    for (const p of net.params) {
      lines.push(`    ${p.name} ${shapeText(p.shape)}${p.trainable ? '' : ' frozen'}${p.phase ? ` (${p.phase})` : ''}`);
    }
  }
  return lines;
}
