"""Hostile .pth files for test/runtime/io/pth-safety.test.ts (run by hand; CI never runs Python).

    /usr/bin/python3 tools/make_pth_malicious.py

- os_system(.pth|_legacy.pth): a state_dict whose value unpickles by calling os.system (GLOBAL + REDUCE),
  saved by torch.save itself, so the container is genuine;
- whole_module.pth: torch.save(model) (pickles torch.nn.modules classes, not a state_dict);
- numpy_array.pth: a numpy array inside (numpy.core.multiarray._reconstruct).
Loading any of them must be refused before anything is called. Nothing here is ever executed by attnc.
"""
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'pth', 'malicious')


class RunsCode:
    def __reduce__(self):
        return (os.system, ('echo attnc-pwned > /tmp/attnc-pwned',))


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    sd = {'fc.weight': torch.zeros(2, 2), 'fc.bias': RunsCode()}
    torch.save(sd, os.path.join(OUT, 'os_system.pth'))
    torch.save(sd, os.path.join(OUT, 'os_system_legacy.pth'), _use_new_zipfile_serialization=False)
    torch.save(torch.nn.Linear(2, 2), os.path.join(OUT, 'whole_module.pth'))
    torch.save({'w': np.zeros(3, dtype=np.float32)}, os.path.join(OUT, 'numpy_array.pth'))
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))
