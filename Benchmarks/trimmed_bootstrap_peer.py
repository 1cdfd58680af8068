"""scipy doing what `salmon bootstrap --statistic trimmed-mean --trim 0.1 --interval bca --resamples B FILE`
does: read the sample, BCa interval of the 10 % trimmed mean from B resamples, print it."""
import sys
import numpy as np
import scipy.stats as st
path, resamples = sys.argv[1], int(sys.argv[2])
x = np.loadtxt(path)
result = st.bootstrap((x,), lambda a, axis=-1: st.trim_mean(a, 0.1, axis=axis), n_resamples=resamples,
                      method="BCa", vectorized=True, batch=50, rng=np.random.default_rng(0))
print(result.confidence_interval.low, result.confidence_interval.high, result.standard_error)
