"""EfficientNet-Lite0 inference in Keras (TF), weights from the torch state_dict (npz)."""
import os
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import numpy as np, tensorflow as tf
from tensorflow import keras
L = keras.layers

# (kernel, stride, expand, out, repeats)
STAGES = [(3, 1, 1, 16, 1), (3, 2, 6, 24, 2), (5, 2, 6, 40, 2), (3, 2, 6, 80, 3),
          (5, 1, 6, 112, 3), (5, 2, 6, 192, 4), (3, 1, 6, 320, 1)]
W = None

def fold(prefix_conv, prefix_bn, eps, depthwise=False):
    w = W[prefix_conv + '.weight']
    g, b, m, v = (W[prefix_bn + s] for s in ('.weight', '.bias', '.running_mean', '.running_var'))
    sc = g / np.sqrt(v + eps)
    bias = b - m * sc
    if depthwise:   # (ch,1,kh,kw) -> (kh,kw,ch,1)
        k = w.transpose(2, 3, 0, 1) * sc[None, None, :, None]
    else:           # (out,in,kh,kw) -> (kh,kw,in,out)
        k = w.transpose(2, 3, 1, 0) * sc[None, None, None, :]
    return [k.astype(np.float32), bias.astype(np.float32)]

def conv(x, wts, k, s, pad, depthwise=False, act=True, name=None):
    if s == 1 or k == 1:
        padding = 'same'
    elif pad == 'tf':
        padding = 'same'
    else:  # symmetric k//2 (torch nn.Conv2d(padding=k//2))
        x = L.ZeroPadding2D(k // 2)(x); padding = 'valid'
    if depthwise:
        lay = L.DepthwiseConv2D(k, s, padding=padding, use_bias=True, name=name)
    else:
        lay = L.Conv2D(wts[0].shape[-1], k, s, padding=padding, use_bias=True, name=name)
    y = lay(x); lay.set_weights(wts)
    return L.ReLU(6.0)(y) if act else y

def build(weights_npz='/tmp/effnet/lite0_weights.npz', pad='tf', eps=1e-3):
    global W
    W = dict(np.load(weights_npz))
    inp = keras.Input((None, None, 3))
    x = conv(inp, fold('_conv_stem', '_bn0', eps), 3, 2, pad, name='stem')
    bi = 0; cin = 32
    for k, s, e, cout, r in STAGES:
        for j in range(r):
            st = s if j == 0 else 1
            p = f'_blocks.{bi}.'
            h = x
            if e != 1:
                h = conv(h, fold(p + '_expand_conv', p + '_bn0', eps), 1, 1, pad)
            h = conv(h, fold(p + '_depthwise_conv', p + '_bn1', eps, True), k, st, pad, depthwise=True)
            h = conv(h, fold(p + '_project_conv', p + '_bn2', eps), 1, 1, pad, act=False)
            if st == 1 and cin == cout:
                h = L.Add()([h, x])
            x = h; cin = cout; bi += 1
    x = conv(x, fold('_conv_head', '_bn1', eps), 1, 1, pad)
    emb = L.GlobalAveragePooling2D()(x)
    fc = L.Dense(1000); logits = fc(emb); fc.set_weights([W['_fc.weight'].T, W['_fc.bias']])
    return keras.Model(inp, [emb, logits])

MEAN = np.array([0.485, 0.456, 0.406], np.float32); STD = np.array([0.229, 0.224, 0.225], np.float32)
def normalise(x01, mode='imagenet'):
    """x01: (...,3) float in [0,1]."""
    if mode == 'imagenet':
        return (x01 - MEAN) / STD
    return (x01 * 255.0 - 127.5) / 128.0
