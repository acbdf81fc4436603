"""Full-size .pth files for bench/pth-import.ts (not committed: ~28 MB and ~290 MB).

    /usr/bin/python3 tools/make_bench_pth.py [out dir, default /tmp/attnc-bench-pth]

netG: the birds G_NET (GF_DIM 32, R_NUM 2, 3 stages; 7,084,592 parameters, docs/original.md §9);
netD2: the birds D_NET256 (DF_DIM 64; 71,858,946 parameters, §12.6). Random weights, each in the
zip format and the legacy format (what the authors' 2018 files use).
Also, as the authors release them (legacy format): text_encoder200.pth (RNN_ENCODER, 5,450 words),
image_encoder200.pth (CNN_ENCODER: torchvision Inception-v3 trunk + heads) and a captions.pickle
with a 5,450-word vocabulary, for a full `attnc import` of the birds model.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import attngan_reference as R  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else '/tmp/attnc-bench-pth'
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
for name, net in (('netG', R.G_NET(32, 256, 100, 100, 2, branch_num=3)), ('netD2', R.D_NET256(64, 256))):
    n = sum(p.numel() for p in net.parameters())
    sd = net.state_dict()
    torch.save(sd, os.path.join(out, name + '.pth'))
    torch.save(sd, os.path.join(out, name + '_legacy.pth'), _use_new_zipfile_serialization=False)
    print(name, n, 'parameters', os.path.getsize(os.path.join(out, name + '.pth')), 'bytes')

import pickle  # noqa: E402

import torch.nn as nn  # noqa: E402
import torchvision  # noqa: E402

V = 5450
te = R.RNN_ENCODER(V, ninput=300, drop_prob=0.5, nhidden=256)
torch.save(te.state_dict(), os.path.join(out, 'text_encoder200.pth'), _use_new_zipfile_serialization=False)
inc = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False)
kept = ['Conv2d_1a_3x3', 'Conv2d_2a_3x3', 'Conv2d_2b_3x3', 'Conv2d_3b_1x1', 'Conv2d_4a_3x3', 'Mixed_5b', 'Mixed_5c',
        'Mixed_5d', 'Mixed_6a', 'Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e', 'Mixed_7a', 'Mixed_7b', 'Mixed_7c']
enc = nn.Module()
for k in kept:
    setattr(enc, k, getattr(inc, k))
enc.emb_features = R.conv1x1(768, 256)
enc.emb_cnn_code = nn.Linear(2048, 256)
torch.save(enc.state_dict(), os.path.join(out, 'image_encoder200.pth'), _use_new_zipfile_serialization=False)
torch.save(inc.state_dict(), os.path.join(out, 'inception_v3_google.pth'))
ix = ['<end>'] + ['w%d' % i for i in range(1, V)]
with open(os.path.join(out, 'captions.pickle'), 'wb') as f:
    pickle.dump([[[1, 2, 3]], [[4, 5]], dict(enumerate(ix)), {w: i for i, w in enumerate(ix)}], f, protocol=2)
for f in ('text_encoder200.pth', 'image_encoder200.pth', 'inception_v3_google.pth', 'captions.pickle'):
    print(f, os.path.getsize(os.path.join(out, f)), 'bytes')
