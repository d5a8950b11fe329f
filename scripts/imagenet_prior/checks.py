import sys, numpy as np, warnings, time
warnings.filterwarnings('ignore')
sys.argv = ['x']
exec(open('/tmp/effnet/analyse.py').read().split("KINDS = [")[0])  # reuse Model/cv defs
from sklearn.model_selection import KFold
# 1. selected alphas on all 149 (full fit)
for k in ['E_rgb_3', 'E_lumaeq_3']:
    for j in range(4):
        m = make_pipeline(StandardScaler(), RidgeCV(alphas=ALE)).fit(d[k], Q[:, j])
        m2 = make_pipeline(StandardScaler(), RidgeCV(alphas=AL)).fit(d[k], Q[:, j])
        print(k, QN[j], 'alpha(grid x100)=%.3g' % m[-1].alpha_, ' alpha(brief grid 1e-2..1e4)=%.3g' % m2[-1].alpha_)
for j in range(4):
    print('stats', QN[j], 'alpha=%.3g' % make_pipeline(StandardScaler(), RidgeCV(alphas=AL)).fit(S, Q[:, j])[-1].alpha_)
ALL = np.arange(len(Q))
# 2. brief's alpha grid for embeddings, all-149 10-fold
ALE_save = ALE.copy(); ALE[:] = AL
for k in ['emb:E_rgb_3', 'emb:E_lumaeq_3']:
    r2, rms, rmsb = cv(k, ALL, KFold(10, shuffle=True, random_state=0)); print('brief grid', k, r2.round(2))
ALE[:] = ALE_save
# 3. permutation null (targets shuffled across photos), 10-fold, 20 perms
rng = np.random.default_rng(0); Q0 = Q.copy()
for k in ['emb:E_rgb_3', 'emb:E_lumaeq_3']:
    R = []
    for i in range(20):
        Q[:] = Q0[rng.permutation(len(Q0))]
        R.append(cv(k, ALL, KFold(10, shuffle=True, random_state=0))[0])
    Q[:] = Q0; R = np.array(R)
    print('null', k, 'mean', R.mean(0).round(3), '95th pct', np.percentile(R, 95, axis=0).round(3), 'max', R.max(0).round(3))
