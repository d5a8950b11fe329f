"""Training data: graded frames, seeded degradations into (input, target) pairs, the split.

Layout produced by the DVC stages (never committed to git)::

    data/frames/{graded,neutral}/<frame>.png, data/frames/frames.json     (stage `frames`)
    data/pairs/{input,target}/<id>.png            working size, 8-bit RGB (stage `synthesize`)
    data/pairs/full/{input,target}/<id>.png       the same crops at full resolution
    data/pairs/manifest.json                      look, mode, size, per-pair group/crop/ops
    data/split/{train,test}.txt                   one pair id per line (stage `split`)

Read pairs through `lutml.data.pairs` (`load_pair`, `read_manifest`, `read_split`). Nothing here imports TensorFlow.
"""
