"""numpy + statsmodels doing what `salmon adjust --method M FILE` does: read the p-values, adjust them,
write index, p-value, adjusted value and reject decision as CSV."""
import sys
import numpy as np
from statsmodels.stats.multitest import multipletests
path, method, out = sys.argv[1], sys.argv[2], sys.argv[3]
p = np.loadtxt(path)
reject, adjusted, _, _ = multipletests(p, alpha=0.05, method=method)
np.savetxt(out, np.column_stack([np.arange(1, p.size + 1), p, adjusted, reject]), delimiter=",",
           header="index,p_value,adjusted,reject", comments="", fmt=["%d", "%.18e", "%.18e", "%d"])
