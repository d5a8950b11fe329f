import numpy as np, json, warnings
from sklearn.linear_model import RidgeCV, LinearRegression
from sklearn.preprocessing import StandardScaler
from sklearn.pipeline import make_pipeline
from sklearn.model_selection import LeaveOneOut, KFold, GroupKFold
warnings.filterwarnings('ignore')
d = np.load('/tmp/effnet/features.npz')
Q, S, grp, cats = d['Q'], d['S'], d['grp'], d['cats']
QN = ['tone_mid', 'sat10ln', 'cast_a', 'cast_b']
AL = np.logspace(-2, 4, 25)
# embedding alphas: scale grid by n_features since features are standardised (1280-d)
ALE = np.logspace(-2, 4, 25) * 100

class Model:
    def __init__(self, kind): self.kind = kind
    def fit(self, X, y):
        k = self.kind
        if k == 'stats':
            self.m = make_pipeline(StandardScaler(), RidgeCV(alphas=AL)).fit(X['S'], y)
        elif k.startswith('emb:'):
            self.m = make_pipeline(StandardScaler(), RidgeCV(alphas=ALE)).fit(X[k[4:]], y)
        elif k.startswith('stats+'):
            self.a = make_pipeline(StandardScaler(), RidgeCV(alphas=AL)).fit(X['S'], y)
            r = y - self.a.predict(X['S'])
            self.m = make_pipeline(StandardScaler(), RidgeCV(alphas=ALE)).fit(X[k[6:]], r)
        return self
    def predict(self, X):
        k = self.kind
        if k == 'stats': return self.m.predict(X['S'])
        if k.startswith('emb:'): return self.m.predict(X[k[4:]])
        return self.a.predict(X['S']) + self.m.predict(X[k[6:]])

FEATS = {'S': S, **{k: d[k] for k in d.files if k.startswith('E_')}}
def sub(ix): return {k: v[ix] for k, v in FEATS.items()}

def cv(kind, ix, splitter, groups=None):
    ix = np.asarray(ix); pred = np.zeros((len(ix), 4)); base = np.zeros((len(ix), 4))
    for tr, te in splitter.split(ix, groups=groups):
        for j in range(4):
            m = Model(kind).fit(sub(ix[tr]), Q[ix[tr], j])
            pred[te, j] = m.predict(sub(ix[te])); base[te, j] = Q[ix[tr], j].mean()
    y = Q[ix]
    sse = ((pred - y) ** 2).sum(0); sseb = ((base - y) ** 2).sum(0)
    return 1 - sse / sseb, np.sqrt(sse / len(ix)), np.sqrt(sseb / len(ix))

def transfer(kind, tr, te):
    tr, te = np.asarray(tr), np.asarray(te); pred = np.zeros((len(te), 4))
    for j in range(4):
        pred[:, j] = Model(kind).fit(sub(tr), Q[tr, j]).predict(sub(te))
    y = Q[te]; sse = ((pred - y) ** 2).sum(0)
    sseb = ((Q[tr].mean(0) - y) ** 2).sum(0); sst = ((y - y.mean(0)) ** 2).sum(0)
    return 1 - sse / sseb, 1 - sse / sst, np.sqrt(sse / len(te)), np.sqrt(sseb / len(te))

KINDS = [('(i) simple stats', 'stats'), ('(ii) emb RGB centre', 'emb:E_rgb_c'), ('(ii) emb RGB 3-crop', 'emb:E_rgb_3'),
         ('(iii) emb luma-eq centre', 'emb:E_lumaeq_c'), ('(iii) emb luma-eq 3-crop', 'emb:E_lumaeq_3'),
         ('(iv) stats + emb luma-eq 3-crop', 'stats+E_lumaeq_3'), ('(v) stats + emb RGB 3-crop', 'stats+E_rgb_3')]
ALL = np.arange(len(Q)); LE = np.where(grp != 'bench')[0]; BE = np.where(grp == 'bench')[0]
lines = []
def P(s=''): print(s, flush=True); lines.append(s)
def row(name, r2, rms, rmsb): return f'| {name} | ' + ' | '.join(f'{a:+.2f} ({b:.2f}/{c:.2f})' for a, b, c in zip(r2, rms, rmsb)) + ' |'
HDR = '| predictors | ' + ' | '.join(QN) + ' |\n|---|' + '---|' * 4
P('Target spread (SD over 149 photos): ' + ', '.join(f'{n} {s:.2f}' for n, s in zip(QN, Q.std(0))))
for setname, ix, spl in [('all 149, leave-one-out', ALL, LeaveOneOut()), ('all 149, 10-fold (shuffled, seed 0)', ALL, KFold(10, shuffle=True, random_state=0)),
                         ('50 look/eval only, leave-one-out', LE, LeaveOneOut()), ('99 bench-only, leave-one-out', BE, LeaveOneOut())]:
    P(f'\n### {setname}\ncell = CV R^2 vs training-fold mean (model RMS / mean-predictor RMS)\n\n' + HDR)
    for name, k in KINDS:
        P(row(name, *cv(k, ix, spl)))
cg = cats.copy()
P('\n### all 149, leave-one-CATEGORY-out (GroupKFold over 10 categories; harder: content class unseen)\n\n' + HDR)
for name, k in KINDS:
    P(row(name, *cv(k, ALL, GroupKFold(n_splits=len(set(cg))), groups=cg)))
P('\n### transfer: train on 99 bench-only, test on 50 look/eval\ncell = R^2 vs bench-mean predictor / R^2 vs test-set mean (model RMS / bench-mean RMS)\n\n' + HDR)
for name, k in KINDS:
    a, b, rms, rmsb = transfer(k, BE, LE)
    P(f'| {name} | ' + ' | '.join(f'{x:+.2f} / {y:+.2f} ({r:.2f}/{s:.2f})' for x, y, r, s in zip(a, b, rms, rmsb)) + ' |')
open('/tmp/effnet/results.md', 'w').write('\n'.join(lines) + '\n')
