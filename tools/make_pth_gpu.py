"""GPU-saved .pth fixtures for test/runtime/io/pth-read.test.ts and test/cli/import-export.test.ts
(run by hand with Debian's python3-torch; CI never runs Python).

    /usr/bin/python3 tools/make_pth_gpu.py

The AttnGAN authors saved their released networks (bird_AttnGAN2.pth, coco_AttnGAN2.pth, the DAMSM
text_encoder200.pth / image_encoder200.pth) from models on the GPU, with PyTorch 0.3 on Python 2.
Such a file names its storages `torch.cuda.FloatStorage` with location `cuda:0`. No GPU and no
Python 2 are at hand, so the files are built here byte by byte from the parity fixtures' CPU
state_dicts (netG.pth, text_encoder.pth: the networks of test/fixtures/pth/parity.yaml):

- <net>_cuda_py2.pth: the legacy container exactly as PyTorch 0.3's torch.save wrote it under
  Python 2's cPickle (protocol 2): magic number, protocol 1001, sys info, the state_dict, the sorted
  storage keys, then per storage its int64 element count and raw bytes. The state_dict pickle is
  what 0.3 wrote: `collections.OrderedDict` reduced from one list of [key, value] pairs (Python 2's
  OrderedDict.__reduce__), Python 2 byte strings (SHORT_BINSTRING), tensors as
  `torch._utils._rebuild_tensor(storage, offset, size, stride)` (the v1 rebuild), storages as
  persistent ids ('storage', torch.cuda.FloatStorage, '<root _cdata>', 'cuda:0', numel, None),
  every object memoised (BINPUT) and repeats fetched (BINGET) as cPickle does, no
  num_batches_tracked (added in 0.4.1) and no `_metadata` (added in 0.4).
- <net>_cuda.pth: the zip container of PyTorch 1.6-1.11 saving a GPU model: torch's own zip writer
  (torch._C.PyTorchFileWriter), `_rebuild_tensor_v2`, storages named `torch.cuda.FloatStorage` /
  `torch.cuda.LongStorage` with location 'cuda:0' (1.12+ name the CPU class and keep the location).

Each file is then read back with torch.load(path, map_location='cpu') and must equal the CPU
state_dict (less num_batches_tracked for the 0.3 form): the fixtures are files PyTorch itself reads.
"""
import io
import os
import pickle
import struct
import sys

import torch

ROOT = os.path.join(os.path.dirname(__file__), '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'pth')

MAGIC = 0x1950a86a20f9469cfc6c
PROTOCOL_VERSION = 1001


class Global:
    def __init__(self, module, name):
        self.module, self.name = module, name


class Py2Pickler:
    """Protocol 2 as Python 2.7's cPickle writes it, for the few types a 0.3 state_dict holds.

    Values: str (a Python 2 byte string), int, bool, None, tuple, list, dict, Global, Reduce
    (callable Global + args tuple) and Persistent (a persistent id tuple). Every string, tuple,
    list, dict, global and reduced object is memoised; a second save of the same Python object
    (same id, as cPickle keys its memo) writes BINGET.
    """

    def __init__(self):
        self.out = bytearray(b'\x80\x02')
        self.memo = {}

    def dump(self, value):
        self.save(value)
        self.out += b'.'
        return bytes(self.out)

    def put(self, obj):
        n = len(self.memo)
        self.memo[id(obj)] = (n, obj)  # keep obj alive so ids stay unique
        self.out += b'q' + bytes([n]) if n < 256 else b'r' + struct.pack('<I', n)

    def get(self, obj):
        n = self.memo[id(obj)][0]
        self.out += b'h' + bytes([n]) if n < 256 else b'j' + struct.pack('<I', n)

    def save(self, v):
        if v is None:
            self.out += b'N'
        elif v is True or v is False:
            self.out += b'\x88' if v else b'\x89'
        elif isinstance(v, int):
            self.save_int(v)
        elif id(v) in self.memo:
            self.get(v)
        elif isinstance(v, str):
            b = v.encode('ascii')
            self.out += (b'U' + bytes([len(b)]) if len(b) < 256 else b'T' + struct.pack('<I', len(b))) + b
            self.put(v)
        elif isinstance(v, Global):
            self.out += b'c' + f'{v.module}\n{v.name}\n'.encode('ascii')
            self.put(v)
        elif isinstance(v, Persistent):
            self.save(v.pid)
            self.out += b'Q'
        elif isinstance(v, Reduce):
            self.save(v.func)
            self.save(v.args)
            self.out += b'R'
            self.put(v)
        elif isinstance(v, tuple):
            if len(v) == 0:
                self.out += b')'
                return
            if len(v) <= 3:
                for x in v:
                    self.save(x)
                self.out += {1: b'\x85', 2: b'\x86', 3: b'\x87'}[len(v)]
            else:
                self.out += b'('
                for x in v:
                    self.save(x)
                self.out += b't'
            self.put(v)
        elif isinstance(v, list):
            self.out += b']'
            self.put(v)
            if len(v) == 1:
                self.save(v[0])
                self.out += b'a'
            elif v:
                self.out += b'('
                for x in v:
                    self.save(x)
                self.out += b'e'
        elif isinstance(v, dict):
            self.out += b'}'
            self.put(v)
            if v:
                self.out += b'('
                for k, x in v.items():
                    self.save(k)
                    self.save(x)
                self.out += b'u'
        else:
            raise TypeError(type(v))

    def save_int(self, v):
        if 0 <= v < 256:
            self.out += b'K' + bytes([v])
        elif 0 <= v < 65536:
            self.out += b'M' + struct.pack('<H', v)
        elif -2 ** 31 <= v < 2 ** 31:
            self.out += b'J' + struct.pack('<i', v)
        else:  # a Python 2 long: LONG1, minimal two's complement little-endian
            n = (v.bit_length() + 8) // 8
            self.out += b'\x8a' + bytes([n]) + v.to_bytes(n, 'little', signed=True)


class Reduce:
    def __init__(self, func, args):
        self.func, self.args = func, args


class Persistent:
    def __init__(self, pid):
        self.pid = pid


def py2_dump(value):
    return Py2Pickler().dump(value)


def save_py2_cuda(state, path, first_cdata):
    """state: name -> contiguous float tensor. One root storage per tensor, as 0.3's parameters had."""
    odict = Global('collections', 'OrderedDict')
    rebuild = Global('torch._utils', '_rebuild_tensor')
    cuda_float = Global('torch.cuda', 'FloatStorage')
    storage_word = 'storage'  # one interned string: memoised once, fetched with BINGET after
    pairs = []
    storages = {}
    device = 0
    for i, (name, t) in enumerate(state.items()):
        key = str(first_cdata + 48 * i)  # str(root._cdata): a pointer value
        storages[key] = t
        pid = (storage_word, cuda_float, key, f'cuda:{device}', t.numel(), None)  # a new string each time, as 0.3's location_tag
        args = (Persistent(pid), 0, tuple(t.shape), tuple(t.stride()))
        pairs.append([name, Reduce(rebuild, args)])
    main = Reduce(odict, (pairs,))
    keys = sorted(storages.keys())
    out = bytearray()
    out += py2_dump(MAGIC)
    out += py2_dump(PROTOCOL_VERSION)
    out += py2_dump({'protocol_version': PROTOCOL_VERSION, 'little_endian': True, 'type_sizes': {'short': 2, 'int': 4, 'long': 8}})
    out += py2_dump(main)
    out += py2_dump(keys)
    for k in keys:
        t = storages[k]
        out += struct.pack('<q', t.numel())
        out += t.contiguous().numpy().astype('<f4').tobytes()
    with open(path, 'wb') as f:
        f.write(out)


class CudaPickler(pickle.Pickler):
    """torch 1.6-1.11's zip _save, with storages named as a GPU model's were."""

    def __init__(self, f, records):
        super().__init__(f, protocol=2)
        self.records = records
        self.keys = {}

    def persistent_id(self, obj):
        if isinstance(obj, torch.storage.TypedStorage):
            ptr = obj._storage.data_ptr()
            if ptr not in self.keys:
                self.keys[ptr] = str(len(self.keys))
                t = torch.empty(0, dtype=obj.dtype).set_(obj)
                self.records.append((self.keys[ptr], t.numpy().tobytes()))
            storage_type = getattr(torch.cuda, obj.pickle_storage_type())
            return ('storage', storage_type, self.keys[ptr], 'cuda:0', obj.size())
        return None


def save_zip_cuda(state, path):
    records = []
    buf = io.BytesIO()
    CudaPickler(buf, records).dump(state)
    writer = torch._C.PyTorchFileWriter(path)
    data = buf.getvalue()
    writer.write_record('data.pkl', data, len(data))
    for key, raw in records:
        writer.write_record(f'data/{key}', raw, len(raw))
    writer.write_end_of_file()


def check(path, expected):
    got = torch.load(path, map_location='cpu')
    assert list(got.keys()) == list(expected.keys()), (path, list(got.keys())[:5])
    for k, v in expected.items():
        assert got[k].dtype == v.dtype and torch.equal(got[k], v), (path, k)


if __name__ == '__main__':
    for net, cdata in (('netG', 94238120134656), ('text_encoder', 94238133512192)):
        cpu = torch.load(os.path.join(OUT, f'{net}.pth'), map_location='cpu')
        v03 = {k: v for k, v in cpu.items() if not k.endswith('num_batches_tracked')}
        py2 = os.path.join(OUT, f'{net}_cuda_py2.pth')
        save_py2_cuda(v03, py2, cdata)
        check(py2, v03)
        z = os.path.join(OUT, f'{net}_cuda.pth')
        save_zip_cuda(cpu, z)
        check(z, cpu)
        for f in (py2, z):
            print(os.path.relpath(f, ROOT), os.path.getsize(f), 'bytes; torch.load(map_location="cpu") reads it back equal')
    sys.exit(0)
