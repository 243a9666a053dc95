"""Independent Bradley-Terry fit for league's oracle tests.

Usage: /usr/bin/python3 bt_oracle.py FILE.csv
FILE has a header with either a,b,winner (winner a, b or tie) or
home_team,away_team,home_score,away_score. Prints JSON: the players of the
largest strongly connected component of the win-or-tie graph (scipy's
csgraph), and their ratings 1000 + 400*beta/ln(10) with mean 1000, fitted by
scipy.optimize.minimize(method="L-BFGS-B") on the mean log-likelihood with
ties as half a win each way.
"""

import csv
import json
import sys

import numpy as np
from scipy.optimize import minimize
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def read(path):
    names, index, rows = [], {}, []

    def idx(n):
        if n not in index:
            index[n] = len(names)
            names.append(n)
        return index[n]

    with open(path, newline="") as f:
        r = csv.DictReader(f)
        for row in r:
            if "winner" in row:
                a, b, w = row["a"], row["b"], row["winner"]
                s = {"a": 1.0, "b": 0.0, "tie": 0.5}[w]
            else:
                a, b = row["home_team"], row["away_team"]
                ha, hb = float(row["home_score"]), float(row["away_score"])
                s = 1.0 if ha > hb else (0.0 if ha < hb else 0.5)
            if a == b:
                continue
            rows.append((idx(a), idx(b), s))
    return names, rows


def main():
    names, rows = read(sys.argv[1])
    n = len(names)
    a = np.array([r[0] for r in rows])
    b = np.array([r[1] for r in rows])
    s = np.array([r[2] for r in rows])
    # Edge i->j when i won or tied against j.
    src = np.concatenate([a[s > 0], b[s < 1]])
    dst = np.concatenate([b[s > 0], a[s < 1]])
    g = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n)).tocsr()
    ncomp, label = connected_components(g, directed=True, connection="strong")
    sizes = np.bincount(label, minlength=ncomp)
    big = np.flatnonzero(sizes == sizes.max())
    if len(big) > 1:
        raise SystemExit("tie for the largest component; the test data should avoid it")
    keep = np.flatnonzero(label == big[0])
    pos = -np.ones(n, dtype=int)
    pos[keep] = np.arange(len(keep))
    m = (pos[a] >= 0) & (pos[b] >= 0)
    ia, ib, sc = pos[a[m]], pos[b[m]], s[m]
    k = len(keep)

    def f(beta):
        d = beta[ia] - beta[ib]
        # -[s log sig(d) + (1-s) log sig(-d)], averaged
        ll = sc * -np.logaddexp(0, -d) + (1 - sc) * -np.logaddexp(0, d)
        p = 1 / (1 + np.exp(-d))
        gd = sc - p
        grad = np.zeros(k)
        np.add.at(grad, ia, gd)
        np.add.at(grad, ib, -gd)
        return -ll.mean(), -grad / len(sc)

    res = minimize(f, np.zeros(k), jac=True, method="L-BFGS-B",
                   options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 100000, "maxcor": 50})
    beta = res.x - res.x.mean()
    ratings = 1000 + 400 * beta / np.log(10)
    json.dump({"players": [names[i] for i in keep], "ratings": ratings.tolist(),
               "components": int(ncomp), "converged": bool(res.success)}, sys.stdout)


if __name__ == "__main__":
    main()
