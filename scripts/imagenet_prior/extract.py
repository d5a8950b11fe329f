"""Per photo: estimator read of the UNGRADED photo, simple stats, EfficientNet-Lite0 embeddings.
Run with cwd=the repo root (after make run), PYTHONDONTWRITEBYTECODE=1."""
import sys, time, json, numpy as np
sys.path.insert(0, '/tmp/effnet'); sys.path.insert(0, '.')
from PIL import Image
from lutml.config.params import Params, load_params
from lutml.data.corpus import corpus_roles, bench_photos
from lutml.color import srgb_to_lab

params = Params.from_params(load_params())
roles = corpus_roles(params.corpus, params.seed)
items = [(p, 'look') for p in roles['look']] + [(p, 'eval') for p in roles['eval']] + [(p, 'bench') for p in bench_photos(params.corpus.root)]
print({r: len(v) for r, v in roles.items()}, 'total used', len(items), flush=True)

def load256(path):
    im = Image.open(path).convert('RGB'); w, h = im.size; s = 256 / min(w, h)
    im = im.resize((max(1, round(w * s)), max(1, round(h * s))), Image.LANCZOS)
    return np.asarray(im, np.float32) / 255.0

imgs = [load256(p.path) for p, _ in items]
names = [p.name for p, _ in items]; grp = [g for _, g in items]; cats = [p.category for p, _ in items]

# --- estimator reads
from lutml.models.look_inference import load_look_model
from lutml.trust import _summary_vec
model = load_look_model('data/models')
t0 = time.time(); Q = []
for im in imgs:
    Q.append(_summary_vec(model.predict_table([im], trusted=False)))
Q = np.array(Q); print('estimator', time.time() - t0, 's', flush=True)

# --- simple stats
S = []
for im in imgs:
    lab = srgb_to_lab(im.astype(np.float64)).reshape(-1, 3)
    S.append([lab[:, 0].mean(), lab[:, 1].mean(), lab[:, 2].mean(), np.hypot(lab[:, 1], lab[:, 2]).mean()])
S = np.array(S)

# --- embeddings
import effnet
net = effnet.build(pad='tf')
NORM = 'lite'
def to224(im):
    h, w = im.shape[:2]; s = 224 / min(h, w)
    pil = Image.fromarray(np.uint8(np.clip(im, 0, 1) * 255 + 0.5)).resize((max(224, round(w * s)), max(224, round(h * s))), Image.BICUBIC)
    a = np.asarray(pil, np.float32) / 255; h, w = a.shape[:2]
    t = (h - 224) // 2; l = (w - 224) // 2
    crops = [a[t:t + 224, l:l + 224]]
    if w > h + 8:   # landscape: left/center/right
        crops = [a[t:t + 224, :224], crops[0], a[t:t + 224, w - 224:]]
    elif h > w + 8:  # portrait: top/center/bottom
        crops = [a[:224, l:l + 224], crops[0], a[h - 224:, l:l + 224]]
    return crops
def lumaeq(im):
    y = im @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    r = np.argsort(np.argsort(y.ravel(), kind='stable'), kind='stable').reshape(y.shape)
    e = (r / (y.size - 1)).astype(np.float32)
    return np.repeat(e[..., None], 3, -1)
out = {}
tt = 0; nv = 0
for var, f in [('rgb', lambda x: x), ('lumaeq', lumaeq)]:
    E1, E3 = [], []
    for im in imgs:
        cr = to224(f(im))
        x = effnet.normalise(np.stack(cr), NORM)
        t0 = time.time(); emb, _ = net(x, training=False); tt += time.time() - t0; nv += len(cr)
        emb = np.asarray(emb)
        E1.append(emb[len(cr) // 2] if len(cr) == 3 else emb[0]); E3.append(emb.mean(0))
    out[f'E_{var}_c'] = np.array(E1); out[f'E_{var}_3'] = np.array(E3)
ms = 1000 * tt / nv
print(f'embedding: {ms:.1f} ms per 224 view (batched per photo), {nv} views', flush=True)
np.savez('/tmp/effnet/features.npz', Q=Q, S=S, names=np.array(names), grp=np.array(grp), cats=np.array(cats), **out)
json.dump({'ms_per_view': ms, 'n_views': nv}, open('/tmp/effnet/timing.json', 'w'))
