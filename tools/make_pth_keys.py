"""Names and shapes of the full-size state_dicts of the original networks (birds, COCO, AttnDCGAN),
from the reference modules, for test/runtime/io/full-size-keys.test.ts: every released file's keys
must map onto the shipped specs' generated networks. Shapes only (the files are 8-650 MB).

    /usr/bin/python3 tools/make_pth_keys.py
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import attngan_reference as R  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'pth', 'full_size_keys.json')


def keys(m):
    return [[k, list(v.shape)] for k, v in m.state_dict().items()]


nets = {
    'attngan2/netG': R.G_NET(32, 256, 100, 100, 2, branch_num=3),                # bird_AttnGAN2.pth
    'attngan2-coco/netG': R.G_NET(48, 256, 100, 100, 3, branch_num=3),          # coco_AttnGAN2.pth
    'attndcgan/netG': R.G_DCGAN(32, 256, 100, 100, 0, branch_num=3),            # bird_AttnDCGAN2.pth
    'attngan2/netD0': R.D_NET64(64, 256), 'attngan2/netD1': R.D_NET128(64, 256), 'attngan2/netD2': R.D_NET256(64, 256),
    'attngan2-coco/netD2': R.D_NET256(96, 256),
    'attndcgan/netD0': R.D_NET256(64, 256, b_jcu=False),
    'attngan2/text_encoder': R.RNN_ENCODER(5450, nhidden=256),                  # text_encoder200.pth
    'attngan2-coco/text_encoder': R.RNN_ENCODER(27297, nhidden=256),            # text_encoder100.pth
}
with open(OUT, 'w') as f:
    json.dump({k: keys(m) for k, m in nets.items()}, f)
for k, m in nets.items():
    print(k, len(m.state_dict()), sum(p.numel() for p in m.parameters()))
