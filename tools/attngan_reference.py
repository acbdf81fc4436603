"""The original AttnGAN networks and losses in PyTorch, written from the original code (taoxugit/AttnGAN
code/model.py, GlobalAttention.py, miscc/losses.py; docs/original.md §2-5)
for attnc's parity fixtures. Not part of the npm package; CI never runs it.

Differences from the original code, all size knobs that attnc's specs expose:
- sizes are constructor arguments instead of the global cfg (GF_DIM, Z_DIM, EMBEDDING_DIM, ...);
- INIT_STAGE_G takes the number of upBlocks (the original always has 4: 4 -> 64 px);
- NEXT_STAGE_G takes R_NUM;
- CA_NET.reparametrize takes eps instead of drawing it, so both sides use the same noise.
Everything else (module names, Sequential indices, the mask tiling bug, legacy softmax axes,
the loss quirks) follows the original.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


# ---------------------------------------------------------------------------- blocks (model.py:15-71)
class GLU(nn.Module):
    def forward(self, x):
        nc = x.size(1) // 2
        return x[:, :nc] * torch.sigmoid(x[:, nc:])


def conv1x1(in_planes, out_planes, bias=False):
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=1, padding=0, bias=bias)


def conv3x3(in_planes, out_planes):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=1, padding=1, bias=False)


def upBlock(in_planes, out_planes):
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode='nearest'),
        conv3x3(in_planes, out_planes * 2),
        nn.BatchNorm2d(out_planes * 2),
        GLU())


class ResBlock(nn.Module):
    def __init__(self, channel_num):
        super().__init__()
        self.block = nn.Sequential(
            conv3x3(channel_num, channel_num * 2),
            nn.BatchNorm2d(channel_num * 2),
            GLU(),
            conv3x3(channel_num, channel_num),
            nn.BatchNorm2d(channel_num))

    def forward(self, x):
        return self.block(x) + x


# ---------------------------------------------------------------------------- text encoder (§3)
class RNN_ENCODER(nn.Module):
    def __init__(self, ntoken, ninput=300, drop_prob=0.5, nhidden=256):
        super().__init__()
        self.ntoken, self.ninput, self.drop_prob = ntoken, ninput, drop_prob
        self.num_directions = 2
        self.nhidden = nhidden // self.num_directions
        self.encoder = nn.Embedding(ntoken, ninput)
        self.drop = nn.Dropout(drop_prob)
        self.rnn = nn.LSTM(ninput, self.nhidden, 1, batch_first=True, dropout=drop_prob, bidirectional=True)

    def forward(self, captions, cap_lens):
        emb = self.drop(self.encoder(captions))
        packed = pack_padded_sequence(emb, cap_lens.tolist(), batch_first=True)  # lengths sorted, as prepare_data does
        output, hidden = self.rnn(packed)
        output = pad_packed_sequence(output, batch_first=True)[0]
        words_emb = output.transpose(1, 2)
        sent_emb = hidden[0].transpose(0, 1).contiguous().view(-1, self.nhidden * self.num_directions)
        return words_emb, sent_emb


# ---------------------------------------------------------------------------- image-encoder heads (§4)
class CNN_ENCODER_HEADS(nn.Module):
    """The two trainable projections of CNN_ENCODER on given trunk features (Mixed_6e, pooled Mixed_7c)."""

    def __init__(self, local_dim, global_dim, nef):
        super().__init__()
        self.emb_features = conv1x1(local_dim, nef)
        self.emb_cnn_code = nn.Linear(global_dim, nef)

    def forward(self, local, pooled):
        return self.emb_features(local), self.emb_cnn_code(pooled)


# ---------------------------------------------------------------------------- generator (§5)
class CA_NET(nn.Module):
    def __init__(self, t_dim, c_dim):
        super().__init__()
        self.t_dim, self.c_dim = t_dim, c_dim
        self.fc = nn.Linear(t_dim, c_dim * 4, bias=True)
        self.relu = GLU()

    def forward(self, text_embedding, eps):
        x = self.relu(self.fc(text_embedding))
        mu, logvar = x[:, :self.c_dim], x[:, self.c_dim:]
        c_code = eps * logvar.mul(0.5).exp() + mu
        return c_code, mu, logvar


class INIT_STAGE_G(nn.Module):
    def __init__(self, ngf, ncf, z_dim, n_up=4):
        super().__init__()
        self.gf_dim = ngf
        self.in_dim = z_dim + ncf
        self.fc = nn.Sequential(
            nn.Linear(self.in_dim, ngf * 4 * 4 * 2, bias=False),
            nn.BatchNorm1d(ngf * 4 * 4 * 2),
            GLU())
        for i in range(n_up):
            setattr(self, 'upsample%d' % (i + 1), upBlock(ngf // 2 ** i, ngf // 2 ** (i + 1)))
        self.n_up = n_up

    def forward(self, z_code, c_code):
        c_z_code = torch.cat((c_code, z_code), 1)
        out = self.fc(c_z_code).view(-1, self.gf_dim, 4, 4)
        for i in range(self.n_up):
            out = getattr(self, 'upsample%d' % (i + 1))(out)
        return out


class GlobalAttentionGeneral(nn.Module):
    def __init__(self, idf, cdf):
        super().__init__()
        self.conv_context = conv1x1(cdf, idf)
        self.sm = nn.Softmax(dim=1)  # the original's implicit dim on a 2-D view
        self.mask = None

    def applyMask(self, mask):
        self.mask = mask  # batch x sourceL

    def forward(self, input, context):
        ih, iw = input.size(2), input.size(3)
        queryL = ih * iw
        batch_size, sourceL = context.size(0), context.size(2)
        target = input.view(batch_size, -1, queryL)
        targetT = torch.transpose(target, 1, 2).contiguous()
        sourceT = self.conv_context(context.unsqueeze(3)).squeeze(3)
        attn = torch.bmm(targetT, sourceT)
        attn = attn.view(batch_size * queryL, sourceL)
        if self.mask is not None:
            mask = self.mask.repeat(queryL, 1)  # the tiling bug of GlobalAttention.py:105-108 (§5.3)
            attn = attn.masked_fill(mask, -float('inf'))
        attn = self.sm(attn)
        attn = attn.view(batch_size, queryL, sourceL)
        attn = torch.transpose(attn, 1, 2).contiguous()
        weightedContext = torch.bmm(sourceT, attn)
        return weightedContext.view(batch_size, -1, ih, iw), attn.view(batch_size, -1, ih, iw)


class NEXT_STAGE_G(nn.Module):
    def __init__(self, ngf, nef, r_num):
        super().__init__()
        self.att = GlobalAttentionGeneral(ngf, nef)
        self.residual = nn.Sequential(*[ResBlock(ngf * 2) for _ in range(r_num)])
        self.upsample = upBlock(ngf * 2, ngf)

    def forward(self, h_code, c_code, word_embs, mask):
        self.att.applyMask(mask)
        c_code, att = self.att(h_code, word_embs)
        out = self.residual(torch.cat((h_code, c_code), 1))
        return self.upsample(out), att


class GET_IMAGE_G(nn.Module):
    def __init__(self, ngf):
        super().__init__()
        self.img = nn.Sequential(conv3x3(ngf, 3), nn.Tanh())

    def forward(self, h_code):
        return self.img(h_code)


class G_NET(nn.Module):
    """branch_num stages; h_net1 gets ngf * init_mult channels at 4x4 (the original: 16) and n_up upBlocks."""

    def __init__(self, ngf, nef, ncf, z_dim, r_num, branch_num, init_mult=16, n_up=4):
        super().__init__()
        self.branch_num = branch_num
        self.ca_net = CA_NET(nef, ncf)
        self.h_net1 = INIT_STAGE_G(ngf * init_mult, ncf, z_dim, n_up)
        self.img_net1 = GET_IMAGE_G(ngf)
        for s in range(2, branch_num + 1):
            setattr(self, 'h_net%d' % s, NEXT_STAGE_G(ngf, nef, r_num))
            setattr(self, 'img_net%d' % s, GET_IMAGE_G(ngf))

    def forward(self, z_code, sent_emb, word_embs, mask, eps):
        fake_imgs, att_maps = [], []
        c_code, mu, logvar = self.ca_net(sent_emb, eps)
        h_code = self.h_net1(z_code, c_code)
        fake_imgs.append(self.img_net1(h_code))
        for s in range(2, self.branch_num + 1):
            h_code, att = getattr(self, 'h_net%d' % s)(h_code, c_code, word_embs, mask)
            fake_imgs.append(getattr(self, 'img_net%d' % s)(h_code))
            att_maps.append(att)
        return fake_imgs, att_maps, mu, logvar


class G_DCGAN(nn.Module):
    """AttnDCGAN (§5.6): the same hidden path (R_NUM usually 0), one image head on the last stage."""

    def __init__(self, ngf, nef, ncf, z_dim, r_num, branch_num):
        super().__init__()
        self.branch_num = branch_num
        self.ca_net = CA_NET(nef, ncf)
        self.h_net1 = INIT_STAGE_G(ngf * 16, ncf, z_dim)
        for s in range(2, branch_num + 1):
            setattr(self, 'h_net%d' % s, NEXT_STAGE_G(ngf, nef, r_num))
        self.img_net = GET_IMAGE_G(ngf)

    def forward(self, z_code, sent_emb, word_embs, mask, eps):
        att_maps = []
        c_code, mu, logvar = self.ca_net(sent_emb, eps)
        h_code = self.h_net1(z_code, c_code)
        for s in range(2, self.branch_num + 1):
            h_code, att = getattr(self, 'h_net%d' % s)(h_code, c_code, word_embs, mask)
            att_maps.append(att)
        return [self.img_net(h_code)], att_maps, mu, logvar


# ---------------------------------------------------------------------------- discriminators (§6)
def Block3x3_leakRelu(in_planes, out_planes):
    return nn.Sequential(conv3x3(in_planes, out_planes), nn.BatchNorm2d(out_planes), nn.LeakyReLU(0.2, inplace=True))


def downBlock(in_planes, out_planes):
    return nn.Sequential(
        nn.Conv2d(in_planes, out_planes, 4, 2, 1, bias=False),
        nn.BatchNorm2d(out_planes),
        nn.LeakyReLU(0.2, inplace=True))


def encode_image_by_16times(ndf):
    return nn.Sequential(
        nn.Conv2d(3, ndf, 4, 2, 1, bias=False),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 2),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 4),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ndf * 8),
        nn.LeakyReLU(0.2, inplace=True))


class D_GET_LOGITS(nn.Module):
    def __init__(self, ndf, nef, bcondition=False):
        super().__init__()
        self.df_dim, self.ef_dim, self.bcondition = ndf, nef, bcondition
        if self.bcondition:
            self.jointConv = Block3x3_leakRelu(ndf * 8 + nef, ndf * 8)
        self.outlogits = nn.Sequential(nn.Conv2d(ndf * 8, 1, kernel_size=4, stride=4), nn.Sigmoid())

    def forward(self, h_code, c_code=None):
        if self.bcondition and c_code is not None:
            c_code = c_code.view(-1, self.ef_dim, 1, 1).repeat(1, 1, 4, 4)
            h_c_code = self.jointConv(torch.cat((h_code, c_code), 1))
        else:
            h_c_code = h_code
        return self.outlogits(h_c_code).view(-1)


class D_NET64(nn.Module):
    def __init__(self, ndf, nef, b_jcu=True):
        super().__init__()
        self.img_code_s16 = encode_image_by_16times(ndf)
        self.UNCOND_DNET = D_GET_LOGITS(ndf, nef, bcondition=False) if b_jcu else None
        self.COND_DNET = D_GET_LOGITS(ndf, nef, bcondition=True)

    def forward(self, x_var):
        return self.img_code_s16(x_var)


class D_NET128(nn.Module):
    def __init__(self, ndf, nef, b_jcu=True):
        super().__init__()
        self.img_code_s16 = encode_image_by_16times(ndf)
        self.img_code_s32 = downBlock(ndf * 8, ndf * 16)
        self.img_code_s32_1 = Block3x3_leakRelu(ndf * 16, ndf * 8)
        self.UNCOND_DNET = D_GET_LOGITS(ndf, nef, bcondition=False) if b_jcu else None
        self.COND_DNET = D_GET_LOGITS(ndf, nef, bcondition=True)

    def forward(self, x_var):
        return self.img_code_s32_1(self.img_code_s32(self.img_code_s16(x_var)))


class D_NET256(nn.Module):
    def __init__(self, ndf, nef, b_jcu=True):
        super().__init__()
        self.img_code_s16 = encode_image_by_16times(ndf)
        self.img_code_s32 = downBlock(ndf * 8, ndf * 16)
        self.img_code_s64 = downBlock(ndf * 16, ndf * 32)
        self.img_code_s64_1 = Block3x3_leakRelu(ndf * 32, ndf * 16)
        self.img_code_s64_2 = Block3x3_leakRelu(ndf * 16, ndf * 8)
        self.UNCOND_DNET = D_GET_LOGITS(ndf, nef, bcondition=False) if b_jcu else None
        self.COND_DNET = D_GET_LOGITS(ndf, nef, bcondition=True)

    def forward(self, x_var):
        x = self.img_code_s32(self.img_code_s16(x_var))
        return self.img_code_s64_2(self.img_code_s64_1(self.img_code_s64(x)))


# ---------------------------------------------------------------------------- DAMSM losses (§7.1-7.2)
def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    w12 = torch.sum(x1 * x2, dim)
    w1 = torch.norm(x1, 2, dim)
    w2 = torch.norm(x2, 2, dim)
    return (w12 / (w1 * w2).clamp(min=eps)).squeeze()


def func_attention(query, context, gamma1):
    batch_size, queryL = query.size(0), query.size(2)
    ih, iw = context.size(2), context.size(3)
    sourceL = ih * iw
    context = context.view(batch_size, -1, sourceL)
    contextT = torch.transpose(context, 1, 2).contiguous()
    attn = torch.bmm(contextT, query)
    attn = F.softmax(attn.view(batch_size * sourceL, queryL), dim=1)  # over words (Eq. 8)
    attn = attn.view(batch_size, sourceL, queryL)
    attn = torch.transpose(attn, 1, 2).contiguous().view(batch_size * queryL, sourceL)
    attn = F.softmax(attn * gamma1, dim=1)  # over regions (Eq. 9)
    attn = attn.view(batch_size, queryL, sourceL)
    attnT = torch.transpose(attn, 1, 2).contiguous()
    weightedContext = torch.bmm(context, attnT)
    return weightedContext, attn.view(batch_size, -1, ih, iw)


def _class_masks(class_ids, batch_size):
    rows = []
    for i in range(batch_size):
        m = [class_ids[j] == class_ids[i] and j != i for j in range(batch_size)]
        rows.append(m)
    return torch.tensor(rows, dtype=torch.bool)


def words_loss(img_features, words_emb, labels, cap_lens, class_ids, batch_size, gamma1, gamma2, gamma3):
    att_maps, similarities = [], []
    for i in range(batch_size):
        words_num = int(cap_lens[i])
        word = words_emb[i, :, :words_num].unsqueeze(0).contiguous().repeat(batch_size, 1, 1)
        weiContext, attn = func_attention(word, img_features, gamma1)
        att_maps.append(attn[i].unsqueeze(0).contiguous())
        word = word.transpose(1, 2).contiguous().view(batch_size * words_num, -1)
        weiContext = weiContext.transpose(1, 2).contiguous().view(batch_size * words_num, -1)
        row_sim = cosine_similarity(word, weiContext).view(batch_size, words_num)
        row_sim = torch.log(row_sim.mul(gamma2).exp().sum(dim=1, keepdim=True))  # no 1/gamma2 (§7.1 step 4)
        similarities.append(row_sim)
    similarities = torch.cat(similarities, 1) * gamma3
    if class_ids is not None:
        similarities = similarities.masked_fill(_class_masks(class_ids, batch_size), -float('inf'))
    loss0 = nn.CrossEntropyLoss()(similarities, labels)
    loss1 = nn.CrossEntropyLoss()(similarities.transpose(0, 1), labels)
    return loss0, loss1, att_maps


def sent_loss(cnn_code, rnn_code, labels, class_ids, batch_size, gamma3, eps=1e-8):
    cnn_code, rnn_code = cnn_code.unsqueeze(0), rnn_code.unsqueeze(0)
    cnn_code_norm = torch.norm(cnn_code, 2, dim=2, keepdim=True)
    rnn_code_norm = torch.norm(rnn_code, 2, dim=2, keepdim=True)
    scores0 = torch.bmm(cnn_code, rnn_code.transpose(1, 2))
    norm0 = torch.bmm(cnn_code_norm, rnn_code_norm.transpose(1, 2))
    scores0 = (scores0 / norm0.clamp(min=eps) * gamma3).squeeze()
    if class_ids is not None:
        scores0 = scores0.masked_fill(_class_masks(class_ids, batch_size), -float('inf'))
    loss0 = nn.CrossEntropyLoss()(scores0, labels)
    loss1 = nn.CrossEntropyLoss()(scores0.transpose(0, 1), labels)
    return loss0, loss1
