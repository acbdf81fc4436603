"""Parity fixtures for attnc's .pth importer (run by hand with Debian's python3-torch; CI never runs it).

    /usr/bin/python3 tools/make_pth_fixtures.py            # writes test/fixtures/pth/
    /usr/bin/python3 tools/make_pth_fixtures.py --check-export
        # also: attnc (tools/pth-roundtrip.ts) imports each .pth and exports it again; the exported
        # files must load with torch.load(weights_only=True) + load_state_dict(strict=True) into the
        # reference modules and reproduce every reference output.

The networks are the original's modules (tools/attngan_reference.py) at the sizes of
test/fixtures/pth/parity.yaml, plus D_NET128/D_NET256 (ndf 1) and the CNN_ENCODER heads. Weights are
random (seeded); state_dicts are saved in both the zip and the legacy format. Inputs come from
`det()`, an exact integer formula that test/runtime/io/parity.test.ts recomputes, so no input
needs storing; outputs go to reference_{eval,train}.safetensors (float32, written here by hand).
"""
import collections
import json
import os
import struct
import subprocess
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import attngan_reference as R  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'pth')

# parity.yaml sizes
VOCAB, EMB, HID = 12, 10, 16
GF, Z, C, R_NUM, NEF = 4, 8, 8, 2, 16
DF = 2
B, T = 3, 5
TOKENS = [[3, 1, 4, 11, 5], [9, 2, 6, 5, 0], [7, 10, 0, 0, 0]]  # sorted by length, 0 pads
LENGTHS = [5, 4, 2]
CLASS_IDS = [3, 7, 3]
GAMMA1, GAMMA2, GAMMA3 = 4.0, 5.0, 10.0
LOCAL, GLOBAL, REGION = 12, 20, 6  # CNN_ENCODER heads on small "trunk" features


def det(shape, seed):
    """Inputs both sides compute exactly: x_i = ((i·7919 + seed·104729) mod 2003) / 1001.5 − 1, NCHW order."""
    n = 1
    for d in shape:
        n *= d
    i = torch.arange(n, dtype=torch.float64)
    x = torch.remainder(i * 7919 + seed * 104729, 2003) / 1001.5 - 1
    return x.float().view(*shape)


def randomize(module, seed):
    """Random weights of a useful scale; BN running stats away from 0/1 so eval mode tests them."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.state_dict().items():
            if name.endswith('num_batches_tracked'):
                p.fill_(7)
            elif name.endswith('running_var'):
                p.copy_(torch.rand(p.shape, generator=g) + 0.5)
            elif name.endswith('running_mean'):
                p.copy_((torch.rand(p.shape, generator=g) - 0.5) * 0.4)
            elif p.dim() == 1 and ('bn' in name or is_bn(module, name)) and name.endswith('weight'):
                p.copy_(1 + (torch.rand(p.shape, generator=g) - 0.5) * 0.4)
            else:
                fan_in = p[0].numel() if p.dim() > 1 else p.numel()
                p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) * (1.7 / fan_in ** 0.5))


def is_bn(module, name):
    owner = module
    for part in name.split('.')[:-1]:
        owner = getattr(owner, part) if not part.isdigit() else owner[int(part)]
    return isinstance(owner, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d))


def save_both(module, name):
    sd = module.state_dict()
    torch.save(sd, os.path.join(OUT, name + '.pth'))
    torch.save(sd, os.path.join(OUT, name + '_legacy.pth'), _use_new_zipfile_serialization=False)


def write_safetensors(path, tensors, metadata):
    header, blobs, off = {'__metadata__': metadata}, [], 0
    for k, v in tensors.items():
        b = v.detach().float().contiguous().numpy().tobytes()
        header[k] = {'dtype': 'F32', 'shape': list(v.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def build():
    torch.manual_seed(0)
    nets = {
        'text_encoder': R.RNN_ENCODER(VOCAB, ninput=EMB, drop_prob=0.5, nhidden=HID),
        'image_heads': R.CNN_ENCODER_HEADS(LOCAL, GLOBAL, NEF),
        'netG': R.G_NET(GF, NEF, C, Z, R_NUM, branch_num=2, init_mult=8, n_up=3),
        'netD64': R.D_NET64(DF, NEF),
        'netD128': R.D_NET128(1, NEF),
        'netD256': R.D_NET256(1, NEF),
    }
    for i, (name, m) in enumerate(nets.items()):
        randomize(m, 100 + i)
    return nets


def run(nets, out):
    """Every reference output; `out` collects them by name."""
    te, heads, G = nets['text_encoder'], nets['image_heads'], nets['netG']
    tokens = torch.tensor(TOKENS, dtype=torch.long)
    lengths = torch.tensor(LENGTHS, dtype=torch.long)
    te.eval()
    heads.eval()
    with torch.no_grad():
        words, sent = te(tokens, lengths)
        out['te.words'], out['te.sentence'] = words, sent
        regions, code = heads(det([B, LOCAL, REGION, REGION], 1), det([B, GLOBAL], 2))
        out['heads.regions'], out['heads.code'] = regions, code
        labels = torch.arange(B)
        w0, w1, maps = R.words_loss(regions, words, labels, lengths, CLASS_IDS, B, GAMMA1, GAMMA2, GAMMA3)
        s0, s1 = R.sent_loss(code, sent, labels, CLASS_IDS, B, GAMMA3)
        out['damsm.words_loss'] = torch.stack([w0, w1])
        out['damsm.sent_loss'] = torch.stack([s0, s1])
        for i, m in enumerate(maps):
            out['damsm.attn%d' % i] = m[0]
        mask = tokens[:, :words.size(2)] == 0
        z, eps = det([B, Z], 3), det([B, C], 4)
        for mode in ('eval', 'train'):
            G.train(mode == 'train')
            imgs, atts, mu, logvar = G(z, sent, words, mask, eps)
            for s, im in enumerate(imgs):
                out['g.%s.img%d' % (mode, s + 1)] = im
            for s, a in enumerate(atts):
                out['g.%s.att%d' % (mode, s + 1)] = a
            out['g.%s.mu' % mode], out['g.%s.logvar' % mode] = mu, logvar
            for dname, size in (('netD64', 64), ('netD128', 128), ('netD256', 256)):
                D = nets[dname]
                D.train(mode == 'train')
                x = imgs[-1] if size == 64 else det([B, 3, size, size], 5 + size)
                h = D(x)
                key = 'd%d.%s' % (size, mode)
                out[key + '.code'] = h
                out[key + '.uncond'] = D.UNCOND_DNET(h)
                out[key + '.cond'] = D.COND_DNET(h, sent)
        # running statistics after the train-mode forward (momentum 0.1, unbiased variance)
        for name in ('netG', 'netD64', 'netD128', 'netD256'):
            for k, v in nets[name].state_dict().items():
                if k.endswith('running_mean') or k.endswith('running_var'):
                    out['after.%s.%s' % (name, k)] = v
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    nets = build()
    for name, m in nets.items():
        save_both(m, name)
    out = run(nets, {})
    meta = {
        'torch': torch.__version__,
        'tokens': json.dumps(TOKENS), 'lengths': json.dumps(LENGTHS), 'class_ids': json.dumps(CLASS_IDS),
        'inputs': 'det(shape, seed): heads local [B,12,6,6] seed 1, global [B,20] seed 2; z [B,8] seed 3; '
                  'eps [B,8] seed 4; D128/D256 images [B,3,S,S] seed 5+S; D64 reads the 64 px image of G',
    }
    # two files of ~260 KB: BN in eval mode (+ encoders, DAMSM), BN in train mode (+ running stats after)
    train = {k: v for k, v in out.items() if '.train.' in k or k.startswith('after.')}
    write_safetensors(os.path.join(OUT, 'reference_eval.safetensors'), {k: v for k, v in out.items() if k not in train}, meta)
    write_safetensors(os.path.join(OUT, 'reference_train.safetensors'), train, meta)
    for f in sorted(os.listdir(OUT)):
        p = os.path.join(OUT, f)
        if os.path.isfile(p):
            print('%-32s %8d bytes' % (f, os.path.getsize(p)))
    dtypes()
    if '--check-export' in sys.argv:
        check_export(out)


def dtypes():
    """Storage types and views a state_dict can hold: half/bfloat16/double/int64 storages, a
    transposed (non-contiguous) view, an offset slice of a bigger storage, two tensors sharing one
    storage, an nn.Parameter. Expected values (as float32, row-major) go to dtypes.json."""
    g = torch.Generator().manual_seed(7)
    base = torch.randn(6, 5, generator=g)
    sd = collections.OrderedDict()
    sd['half'] = torch.randn(2, 3, generator=g).half()
    sd['bfloat16'] = torch.randn(4, generator=g).bfloat16()
    sd['double'] = torch.randn(3, 2, generator=g).double()
    sd['long'] = torch.tensor([7, -3, 2 ** 31 - 1])
    sd['transposed'] = base.t()
    sd['slice'] = base[2:4, 1:4]
    sd['row'] = base[5]
    sd['param'] = torch.nn.Parameter(torch.randn(2, 2, generator=g))
    sd['scalar'] = torch.tensor(3.5)
    torch.save(sd, os.path.join(OUT, 'dtypes.pth'))
    torch.save(sd, os.path.join(OUT, 'dtypes_legacy.pth'), _use_new_zipfile_serialization=False)
    expected = {k: {'shape': list(v.shape), 'dtype': str(v.dtype).replace('torch.', ''),
                    'data': (v.detach().float() if v.is_floating_point() else v).reshape(-1).tolist()} for k, v in sd.items()}
    with open(os.path.join(OUT, 'dtypes.json'), 'w') as f:
        json.dump(expected, f)


def check_export(ref):
    """attnc imports each .pth, exports it, and PyTorch loads the export and gets the same outputs."""
    tmp = os.path.join('/tmp', 'attnc-pth-roundtrip')
    os.makedirs(tmp, exist_ok=True)
    subprocess.run(['npx', 'tsx', 'tools/pth-roundtrip.ts', OUT, tmp], cwd=ROOT, check=True)
    nets = build()  # fresh modules, different weights until loaded
    for name, m in nets.items():
        sd = torch.load(os.path.join(tmp, name + '.pth'), weights_only=True)
        m.load_state_dict(sd, strict=True)
    out = run(nets, {})
    worst = max((out[k] - ref[k]).abs().max().item() for k in ref)
    print('export -> torch.load(weights_only=True) -> load_state_dict(strict) -> outputs: max |diff| = %g' % worst)
    if worst != 0:
        sys.exit('exported weights do not reproduce the reference outputs')


if __name__ == '__main__':
    main()
