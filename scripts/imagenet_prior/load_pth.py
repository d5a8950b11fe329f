"""Read a legacy (non-zip) torch .pth with pickle + numpy only."""
import pickle, struct, collections, numpy as np

DT = {'FloatStorage': np.float32, 'DoubleStorage': np.float64, 'HalfStorage': np.float16,
      'LongStorage': np.int64, 'IntStorage': np.int32, 'ShortStorage': np.int16,
      'CharStorage': np.int8, 'ByteStorage': np.uint8, 'BoolStorage': np.bool_}

class StorageType:
    def __init__(self, name): self.name = name

class Pending:
    def __init__(self, key, dtype, size): self.key, self.dtype, self.size = key, dtype, size

def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad=False, hooks=None, *a):
    return ('T', storage, offset, tuple(size), tuple(stride))

def _rebuild_parameter(data, requires_grad, hooks, *a):
    return data

class U(pickle.Unpickler):
    def find_class(self, mod, name):
        if mod == 'torch._utils' and name == '_rebuild_tensor_v2': return _rebuild_tensor_v2
        if mod == 'torch._utils' and name == '_rebuild_parameter': return _rebuild_parameter
        if mod == 'torch' and name.endswith('Storage'): return StorageType(name)
        if mod == 'collections' and name == 'OrderedDict': return collections.OrderedDict
        return super().find_class(mod, name)
    def persistent_load(self, pid):
        typ, stype, key, loc, size = pid[:5]
        assert typ == 'storage'
        return Pending(key, DT[stype.name], size)

def load_state_dict(path):
    f = open(path, 'rb')
    magic = pickle.load(f); proto = pickle.load(f); sysinfo = pickle.load(f)
    obj = U(f, encoding='latin1').load()
    keys = pickle.load(f)
    # collect dtype per key
    kd = {}
    def walk(o):
        if isinstance(o, tuple) and len(o) == 5 and o[0] == 'T':
            kd[o[1].key] = o[1].dtype
        elif isinstance(o, dict):
            for v in o.values(): walk(v)
    walk(obj)
    raw = {}
    for k in keys:
        n = struct.unpack('<q', f.read(8))[0]
        dt = np.dtype(kd.get(k, np.float32))
        raw[k] = np.frombuffer(f.read(n * dt.itemsize), dtype=dt)
    rest = f.read()
    out = collections.OrderedDict()
    def mk(o):
        _, st, off, size, stride = o
        a = raw[st.key]
        it = a.dtype.itemsize
        return np.lib.stride_tricks.as_strided(a[off:], shape=size, strides=tuple(s * it for s in stride)).copy()
    sd = obj.get('state_dict', obj) if isinstance(obj, dict) else obj
    for k, v in sd.items():
        out[k] = mk(v) if isinstance(v, tuple) and v and v[0] == 'T' else v
    return out, dict(magic=magic, protocol=proto, sysinfo=sysinfo, nkeys=len(keys), trailing=len(rest))

if __name__ == '__main__':
    import sys
    sd, info = load_state_dict(sys.argv[1])
    print(info)
    for k, v in sd.items():
        print(k, getattr(v, 'shape', v), getattr(v, 'dtype', ''))
    np.savez('/tmp/effnet/lite0_weights.npz', **{k: v for k, v in sd.items() if isinstance(v, np.ndarray)})
