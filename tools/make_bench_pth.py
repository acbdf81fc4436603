"""Full-size .pth files for bench/pth-import.ts (not committed: ~28 MB and ~290 MB).

    /usr/bin/python3 tools/make_bench_pth.py [out dir, default /tmp/attnc-bench-pth]

netG: the birds G_NET (GF_DIM 32, R_NUM 2, 3 stages; 7,084,592 parameters, attngan.md §12.1);
netD2: the birds D_NET256 (DF_DIM 64; 71,858,946 parameters, §12.6). Random weights, each in the
zip format and the legacy format (what the authors' 2018 files use).
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
