"""One AttnGAN GAN iteration (trainer.py's loop body) in PyTorch, for bench/gan-iteration.ts's
side-by-side ratio. Birds AttnGAN2 sizes, random weights and data, CPU, 2 threads. Never in CI.

    /usr/bin/python3 bench/torch/gan_iteration.py --batch 4 --iters 5 [--workload gan|sample|damsm]

The networks come from tools/attngan_reference.py (the original's modules written from
the original code, docs/original.md; ATTNGAN_REF=path overrides); the Inception trunk is torchvision's Inception3, as
the original's CNN_ENCODER. Prints one JSON line: per-iteration seconds and VmHWM (peak RSS).
"""
import argparse
import importlib.util
import json
import os
import sys
import time
import types

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.modules.setdefault('torchvision._meta_registrations', types.ModuleType('torchvision._meta_registrations'))
from torchvision.models.inception import Inception3  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
spec = importlib.util.spec_from_file_location('ref', os.environ.get('ATTNGAN_REF', os.path.join(ROOT, 'tools', 'attngan_reference.py')))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)

p = argparse.ArgumentParser()
p.add_argument('--batch', type=int, default=4)
p.add_argument('--iters', type=int, default=5)
p.add_argument('--warmup', type=int, default=2)
p.add_argument('--workload', default='gan')
p.add_argument('--trunk', default='train', help='damsm: BN mode of the frozen trunk (train = the original)')
a = p.parse_args()
torch.set_num_threads(2)
torch.manual_seed(0)
B, T, VOCAB, NEF, NZ, NGF, NDF = a.batch, 18, 5450, 256, 100, 32, 64
GAMMA1, GAMMA2, GAMMA3, LAMBDA = 4.0, 5.0, 10.0, 5.0


class CNN_ENCODER(nn.Module):
    """The original's image encoder: Inception3 up to Mixed_6e → emb_features, Mixed_7c pooled → emb_cnn_code."""

    def __init__(self, nef):
        super().__init__()
        m = Inception3(aux_logits=False, init_weights=False)
        for n in ['Conv2d_1a_3x3', 'Conv2d_2a_3x3', 'Conv2d_2b_3x3', 'Conv2d_3b_1x1', 'Conv2d_4a_3x3', 'Mixed_5b', 'Mixed_5c',
                  'Mixed_5d', 'Mixed_6a', 'Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e', 'Mixed_7a', 'Mixed_7b', 'Mixed_7c']:
            setattr(self, n, getattr(m, n))
        for q in self.parameters():
            q.requires_grad = False
        self.heads = ref.CNN_ENCODER_HEADS(768, 2048, nef)

    def forward(self, x):
        x = F.interpolate(x, size=(299, 299), mode='bilinear', align_corners=False)
        x = self.Conv2d_1a_3x3(x); x = self.Conv2d_2a_3x3(x); x = self.Conv2d_2b_3x3(x)
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        x = self.Conv2d_3b_1x1(x); x = self.Conv2d_4a_3x3(x)
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        x = self.Mixed_5b(x); x = self.Mixed_5c(x); x = self.Mixed_5d(x); x = self.Mixed_6a(x)
        x = self.Mixed_6b(x); x = self.Mixed_6c(x); x = self.Mixed_6d(x); x = self.Mixed_6e(x)
        features = x
        x = self.Mixed_7a(x); x = self.Mixed_7b(x); x = self.Mixed_7c(x)
        x = F.avg_pool2d(x, kernel_size=8).view(x.size(0), -1)
        return self.heads(features, x)


def discriminator_loss(netD, real, fake, cond, real_labels, fake_labels):
    bce = nn.BCELoss()
    rf, ff = netD(real), netD(fake.detach())
    cr = bce(netD.COND_DNET(rf, cond), real_labels)
    cf = bce(netD.COND_DNET(ff, cond), fake_labels)
    cw = bce(netD.COND_DNET(rf[:B - 1], cond[1:B]), fake_labels[1:B])
    r = bce(netD.UNCOND_DNET(rf), real_labels)
    f = bce(netD.UNCOND_DNET(ff), fake_labels)
    return (r + cr) / 2. + (f + cf + cw) / 3.


def generator_loss(netsD, image_encoder, fakes, real_labels, words, sent, match, cap_lens, class_ids):
    bce = nn.BCELoss()
    total = 0
    for i, d in enumerate(netsD):
        feats = d(fakes[i])
        total = total + bce(d.COND_DNET(feats, sent), real_labels) + bce(d.UNCOND_DNET(feats), real_labels)
        if i == len(netsD) - 1:
            region, code = image_encoder(fakes[i])
            w0, w1, _ = ref.words_loss(region, words, match, cap_lens, class_ids, B, GAMMA1, GAMMA2, GAMMA3)
            s0, s1 = ref.sent_loss(code, sent, match, class_ids, B, GAMMA3)
            total = total + (w0 + w1) * LAMBDA + (s0 + s1) * LAMBDA
    return total


def kl_loss(mu, logvar):
    return torch.mean(mu.pow(2).add(logvar.exp()).mul(-1).add(1).add(logvar)).mul(-0.5)


def vmhwm_mb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    return -1


t0 = time.time()
text_encoder = ref.RNN_ENCODER(VOCAB, nhidden=NEF)
for q in text_encoder.parameters():
    q.requires_grad = False
text_encoder.eval()
image_encoder = CNN_ENCODER(NEF)
netG = ref.G_NET(NGF, NEF, 100, NZ, 2, 3)
netsD = [ref.D_NET64(NDF, NEF), ref.D_NET128(NDF, NEF), ref.D_NET256(NDF, NEF)]
build_s = time.time() - t0

cap_lens = torch.tensor(sorted([18, 16, 14, 12, 10, 9, 8, 7] * (B // 8 + 1), reverse=True)[:B])
captions = torch.randint(1, VOCAB, (B, T))
for b in range(B):
    captions[b, cap_lens[b]:] = 0
class_ids = list(range(1, B + 1))
match = torch.arange(B)
real_labels, fake_labels = torch.ones(B), torch.zeros(B)
imgs = [torch.rand(B, 3, s, s) * 2 - 1 for s in (64, 128, 256)]
times = []

if a.workload == 'gan':
    image_encoder.eval()
    for q in image_encoder.parameters():
        q.requires_grad = False
    optG = torch.optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))
    optD = [torch.optim.Adam(d.parameters(), lr=0.0002, betas=(0.5, 0.999)) for d in netsD]
    avg = [q.detach().clone() for q in netG.parameters()]
    for it in range(a.warmup + a.iters):
        t = time.time()
        words, sent = text_encoder(captions, cap_lens)
        words, sent = words.detach(), sent.detach()
        mask = captions == 0
        noise, eps = torch.randn(B, NZ), torch.randn(B, 100)
        fakes, _, mu, logvar = netG(noise, sent, words, mask, eps)
        for i, d in enumerate(netsD):
            d.zero_grad()
            errD = discriminator_loss(d, imgs[i], fakes[i], sent, real_labels, fake_labels)
            errD.backward()
            optD[i].step()
        netG.zero_grad()
        errG = generator_loss(netsD, image_encoder, fakes, real_labels, words, sent, match, cap_lens, class_ids) + kl_loss(mu, logvar)
        errG.backward()
        optG.step()
        with torch.no_grad():
            for p_, a_ in zip(netG.parameters(), avg):
                a_.mul_(0.999).add_(p_.data, alpha=0.001)
        float(errG)  # the original logs every 100 iterations; one read here costs nothing measurable
        if it >= a.warmup:
            times.append(time.time() - t)
elif a.workload == 'sample':
    netG.eval()
    text_encoder.eval()
    with torch.no_grad():
        for it in range(a.warmup + a.iters):
            t = time.time()
            words, sent = text_encoder(captions, cap_lens)
            fakes, att, _, _ = netG(torch.randn(B, NZ), sent, words, captions == 0, torch.randn(B, 100))
            fakes[-1].sum().item()
            if it >= a.warmup:
                times.append(time.time() - t)
elif a.workload == 'damsm':
    # pretrain_DAMSM.py: cnn_model.train() — the frozen trunk's BN uses batch statistics.
    text_encoder = ref.RNN_ENCODER(VOCAB, nhidden=NEF)
    text_encoder.train()
    image_encoder.train() if a.trunk == 'train' else image_encoder.eval()
    params = [q for q in list(text_encoder.parameters()) + list(image_encoder.parameters()) if q.requires_grad]
    opt = torch.optim.Adam(params, lr=0.002, betas=(0.5, 0.999))
    img = imgs[2]
    for it in range(a.warmup + a.iters):
        t = time.time()
        text_encoder.zero_grad(); image_encoder.zero_grad()
        region, code = image_encoder(img)
        words, sent = text_encoder(captions, cap_lens)
        w0, w1, _ = ref.words_loss(region, words, match, cap_lens, class_ids, B, GAMMA1, GAMMA2, GAMMA3)
        s0, s1 = ref.sent_loss(code, sent, match, class_ids, B, GAMMA3)
        loss = w0 + w1 + s0 + s1
        loss.backward()
        torch.nn.utils.clip_grad_norm_(text_encoder.parameters(), 0.25)
        opt.step()
        float(loss)
        if it >= a.warmup:
            times.append(time.time() - t)
print(json.dumps({'impl': 'torch', 'workload': a.workload, 'batch': B, 'build_s': build_s, 'times': times, 'vmhwm_mb': vmhwm_mb()}))
