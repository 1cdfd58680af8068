"""Hommel's adjusted p-values for a large family with ties, zeros and ones, from statsmodels'
multipletests (its O(m^2) loop): the reference for the O(m log m) algorithm in
MultipleTesting.hommel. Writes hommel_large.json beside this script.

    python3 generate_hommel_fixture.py
"""
import json
import os

import numpy as np
import statsmodels
from statsmodels.stats.multitest import multipletests

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    rng = np.random.default_rng(2026)
    m = 3000
    p = rng.beta(0.25, 1.0, size=m)
    p[: m // 3] = np.round(p[: m // 3], 2)      # heavy ties
    p[:5] = 0.0
    p[5:10] = 1.0
    p[10:20] = rng.uniform(0, 1e-9, size=10)    # tiny values
    p = rng.permutation(p)
    cases = []
    for alpha in (0.05, 0.2):
        reject, adjusted, _, _ = multipletests(p, alpha=alpha, method="hommel")
        cases.append({"alpha": alpha, "adjusted": [float(v) for v in adjusted], "reject": [bool(v) for v in reject]})
    payload = {"generator": f"statsmodels {statsmodels.__version__}, numpy {np.__version__}",
               "pvalues": [float(v) for v in p], "cases": cases}
    with open(os.path.join(HERE, "hommel_large.json"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(json.dumps(payload, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
