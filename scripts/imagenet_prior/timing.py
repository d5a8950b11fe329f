import sys, time, numpy as np; sys.path.insert(0, '/tmp/effnet'); import effnet
m = effnet.build(pad='tf'); 
for b in [1, 3]:
    x = np.random.rand(b, 224, 224, 3).astype(np.float32); m(x, training=False)
    t = time.time(); n = 20
    for _ in range(n): m(x, training=False)
    print(f'batch {b}: {1000*(time.time()-t)/n/b:.1f} ms per 224 view')
