"""Full-size check (not in CI): the birds G_NET and RNN_ENCODER of tools/make_bench_pth.py, run by
PyTorch on fixed inputs (B = 3, unequal caption lengths, eval mode), outputs to
<dir>/birds_reference.safetensors for tools/birds-parity.ts, which runs the same weights after
`attnc import` (checkpoint → generated attngan2 model) and compares every output.

    /usr/bin/python3 tools/make_bench_pth.py /tmp/attnc-bench-pth
    npx attnc import --spec spec/attngan2.yaml --generator /tmp/attnc-bench-pth/netG_legacy.pth \
      --text-encoder /tmp/attnc-bench-pth/text_encoder200.pth --out /tmp/attnc-birds-import
    /usr/bin/python3 tools/birds_parity.py /tmp/attnc-bench-pth
    npx tsx tools/birds-parity.ts /tmp/attnc-bench-pth /tmp/attnc-birds-import
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import attngan_reference as R  # noqa: E402
from make_pth_fixtures import det, write_safetensors  # noqa: E402

d = sys.argv[1] if len(sys.argv) > 1 else '/tmp/attnc-bench-pth'
TOKENS = [[17, 402, 5, 3301, 88, 1203, 9], [44, 5449, 2, 610, 77, 0, 0], [1000, 23, 4, 0, 0, 0, 0]]
LENGTHS = [7, 5, 3]
G = R.G_NET(32, 256, 100, 100, 2, branch_num=3)
G.load_state_dict(torch.load(os.path.join(d, 'netG_legacy.pth')))
te = R.RNN_ENCODER(5450, ninput=300, nhidden=256)
te.load_state_dict(torch.load(os.path.join(d, 'text_encoder200.pth')))
G.eval()
te.eval()
out = {}
with torch.no_grad():
    tokens = torch.tensor(TOKENS)
    words, sent = te(tokens, torch.tensor(LENGTHS))
    out['words'], out['sentence'] = words, sent
    imgs, atts, mu, logvar = G(det([3, 100], 11), sent, words, tokens == 0, det([3, 100], 12))
    for i, x in enumerate(imgs):
        out['img%d' % (i + 1)] = x
    for i, a in enumerate(atts):
        out['att%d' % (i + 1)] = a
    out['mu'], out['logvar'] = mu, logvar
write_safetensors(os.path.join(d, 'birds_reference.safetensors'), out, {'tokens': str(TOKENS), 'lengths': str(LENGTHS)})
print({k: tuple(v.shape) for k, v in out.items()})
