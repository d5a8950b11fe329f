import sys, time, numpy as np
sys.path.insert(0, '/tmp/effnet')
from PIL import Image
import effnet
import sysconfig
SP = sysconfig.get_paths()['purelib'] + '/'
imgs = {'chelsea': SP + 'skimage/data/chelsea.png', 'coffee': SP + 'skimage/data/coffee.png', 'china': SP + 'sklearn/datasets/images/china.jpg'}
def prep(p):
    im = Image.open(p).convert('RGB'); w, h = im.size; s = 256 / min(w, h)
    im = im.resize((round(w * s), round(h * s)), Image.BICUBIC); w, h = im.size
    l, t = (w - 224) // 2, (h - 224) // 2
    return np.asarray(im.crop((l, t, l + 224, t + 224)), np.float32) / 255
X = np.stack([prep(p) for p in imgs.values()])
def softmax(z): z = z - z.max(1, keepdims=True); e = np.exp(z); return e / e.sum(1, keepdims=True)
for pad in ['tf', 'sym']:
    m = effnet.build(pad=pad)
    for norm in ['imagenet', 'lite']:
        emb, lg = m.predict(effnet.normalise(X, norm), verbose=0)
        P = softmax(lg)
        print(f'pad={pad} norm={norm}')
        for n, p in zip(imgs, P):
            top = np.argsort(-p)[:5]
            print('  ', n, [(int(i), round(float(p[i]), 3)) for i in top])
