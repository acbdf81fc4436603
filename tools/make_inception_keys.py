"""Key/shape lists of torchvision's Inception-v3 state_dict (the ImageNet file `attnc import --inception`
reads) and of the original CNN_ENCODER's (image_encoder*.pth), for test/runtime/io/inception-keys.test.ts.
Shapes only: the real files are ~100 MB and are not needed to check that every key maps.

    /usr/bin/python3 tools/make_inception_keys.py
"""
import json
import os

import torchvision

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'pth', 'inception_v3_keys.json')
KEPT = ['Conv2d_1a_3x3', 'Conv2d_2a_3x3', 'Conv2d_2b_3x3', 'Conv2d_3b_1x1', 'Conv2d_4a_3x3', 'Mixed_5b', 'Mixed_5c',
        'Mixed_5d', 'Mixed_6a', 'Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e', 'Mixed_7a', 'Mixed_7b', 'Mixed_7c']

net = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False)
tv = [[k, list(v.shape)] for k, v in net.state_dict().items()]
# CNN_ENCODER keeps the submodules above (model.py:177-197, in that order) and adds its two heads.
enc = [[k, s] for k, s in tv if k.split('.')[0] in KEPT]
enc.sort(key=lambda ks: KEPT.index(ks[0].split('.')[0]))
enc += [['emb_features.weight', [256, 768, 1, 1]], ['emb_cnn_code.weight', [256, 2048]], ['emb_cnn_code.bias', [256]]]
with open(OUT, 'w') as f:
    json.dump({'torchvision': torchvision.__version__, 'inception_v3': tv, 'image_encoder': enc}, f)
print(OUT, len(tv), len(enc))
