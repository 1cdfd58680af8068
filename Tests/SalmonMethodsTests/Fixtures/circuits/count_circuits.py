#!/usr/bin/env python3
"""Enumerate and evaluate every candidate circuit of small XOR MLPs (Méloux et al., ICLR 2025).

Reference values for DeadSalmon's circuit enumeration (SalmonMethodsTests). An independent,
deliberately plain implementation: clarity over speed, numpy only where it is easy.

    python3 Tests/SalmonMethodsTests/Fixtures/circuits/count_circuits.py
        writes counts.json and circuits-<model>.json for every xor-*.safetensors next to it
    python3 count_circuits.py --model xor-2-3-3-1-seed0.safetensors [--sizes 2 3 3 1] [--out F]
        one model only (sizes default to the ones read off the weight shapes)

The rule, quoted from /work/shared/REFERENCES.md, bullet "Identifiability of circuits":

    A *circuit* is a node mask for every layer plus an edge mask for every weight matrix. Forward
    pass of a circuit: for each linear layer i, its input activations are multiplied by node
    mask i (the input layer's mask is all ones) and its weight matrix by edge mask i; biases are
    never masked. Enumeration: every layer after the input keeps a non-empty subset of its nodes
    (a layer with no kept node beside a layer with kept nodes admits no edge mask, so such
    combinations yield nothing; the single output node is therefore always kept), in every
    combination except the one where all nodes are kept. For each combination and each pair of
    adjacent layers, the edge masks are all 0/1 matrices supported on (kept nodes of the upper
    layer × kept nodes of the lower layer) in which every row and every column of that block has
    at least one edge. For layer sizes [2, 3, 3, 1] this gives exactly 3,000 candidate circuits.
    A circuit is *perfect* when its output, rounded to the nearest integer (halves to even), equals
    the target on strictly more than 99 % of the validation rows (the four XOR inputs, each
    repeated 50 times).

and the model (same bullet): layer sizes [2, k, …, k, 1], LeakyReLU (negative slope 0.01) after
*every* linear layer, the output layer included.

Reading of the rule that is implemented (and why)
-------------------------------------------------
Let s_0..s_L be the layer sizes (s_0 = inputs, s_L = 1 output) and, for a node combination,
a_l the number of kept nodes of layer l (a_0 = s_0: the input layer is always all ones). The
number of 0/1 matrices of shape m x n with no all-zero row and no all-zero column is, by
inclusion–exclusion over the set of empty rows,

    F(m, n) = sum_{i=0..m} (-1)^i C(m, i) (2^(m-i) - 1)^n.

F(1,n) = 1, F(2,2) = 7, F(2,3) = F(3,2) = 25, F(3,3) = 265. Summing over node combinations,

    ALL(sizes) = sum_{a_1..a_L, 1 <= a_l <= s_l} prod_l C(s_l, a_l) F(a_l, a_{l-1}).

For [2, 3, 3, 1]: a_1 = 1: 3 * F(2,1) * (3F(1,1) + 3F(1,2) + F(1,3)) = 3 * 1 * 7 = 21;
a_1 = 2: 3 * F(2,2) * (3*1 + 3*7 + 25) = 21 * 49 = 1,029; a_1 = 3: F(2,3) * (3*1 + 3*25 + 265)
= 25 * 343 = 8,575; ALL = 9,625 (this includes the combination where every node is kept).

* "except the combination where all nodes are kept" read as *dropping that node combination
  with every edge mask it admits*: 9,625 - F(2,3) F(3,3) F(3,1) = 9,625 - 25 * 265 = 3,000. This
  is the reading implemented here; it matches the stated 3,000 and also the stated 1,067,648
  ([2,4,4,1]) and 1,247,432,400 ([2,5,5,1]). It is also what the authors' code does ("the
  published code" below means mi_identifiability/circuit.py and neural_model.py as read in the
  public fork gwherb/MI-identifiability, not the upstream repository itself):
  `enumerate_all_valid_circuit` iterates `model.enumerate_valid_node_masks()[:-1]`, dropping the
  last, all-ones, node combination with all its edge masks.
* Read as dropping only the full circuit (all nodes and all edges): 9,624 — does not match.
* Read as dropping nothing: 9,625 — does not match.

Interaction of node and edge masks: the edge masks are supported on kept x kept, so a dropped
node has no outgoing edge and multiplying a layer's inputs by its node mask changes nothing
that the edge mask had not already removed (the dropped node's own value, LeakyReLU(bias), is
computed but never used). Every kept hidden node has >= 1 incoming and >= 1 outgoing edge,
and both input nodes have >= 1 outgoing edge (the input layer's columns must be covered too).
The node mask of the output layer is never applied in the forward pass (there is no linear
layer after it); it is always [1].

Forward pass evaluated (float64, from the float32 weights):
    a_0 = x * n_0 (n_0 = all ones)
    z_l = a_l (W_l * E_l)^T + b_l,  h_l = LeakyReLU_0.01(z_l),  a_{l+1} = h_l * n_{l+1}
    output = h_{L-1} (LeakyReLU applied to the output too; n_L is not applied)
A circuit is perfect iff #{rows r : np.round(output_r) == target_r} * 100 > 99 * 200, i.e.
> 198 of the 200 validation rows (np.round rounds halves to even, like torch.round). Since each
of the four inputs is repeated 50 times this means all four inputs are right. The file records
`minDistanceToRoundingBoundary`: the smallest |output - (k + 1/2)| over every candidate and
row; `nearBoundaryCandidates` lists each candidate whose output comes within 1e-4 of such a
boundary (index, distance, perfect in float64). Every candidate is also evaluated in float32
(numpy, same formulas): `perfectCircuitsFloat32` and `float32Disagreements` (indices whose
verdict differs) show whether a float32 implementation can be expected to agree.

Enumeration order (the order of `perfectCircuitList`, and the `index` of a circuit)
-----------------------------------------------------------------------------------
A circuit's key is the 0/1 vector  n_1 ++ n_2 ++ ... ++ n_L ++ vec(E_0) ++ ... ++ vec(E_{L-1}),
where n_l is layer l's node mask (node 0 first) and vec(E) the row-major flattening of the
edge mask E of shape [out, in] (the PyTorch weight layout: E[j][i] = edge from lower node i to
upper node j). Candidates are enumerated in increasing lexicographic order of the key:
node combinations as itertools.product over layers 1..L (layer 1 outermost) of each layer's
non-empty masks in lexicographic order (binary counting, node 0 the most significant bit),
skipping the all-kept combination; within a combination, itertools.product over the weight
matrices (E_0 outermost) of each matrix's admissible masks in lexicographic order of vec(E).
`index` is the 0-based position in this order (0 .. candidateCircuits-1). This is the order of
the published code as well. In JSON a circuit is {"nodeMasks": [n_0, n_1, ..., n_L],
"edgeMasks": [E_0, ..., E_{L-1}]} with n_0 (inputs, all ones) and n_L (output, [1]) included,
E_l as nested lists [out][in].

Definitions of the statistics
-----------------------------
Hidden+output nodes: H = s_1 + ... + s_L (7 for [2,3,3,1]); edges: M = sum_l s_l s_{l-1}
(18 for [2,3,3,1]). For a circuit keeping h of those nodes and e edges:
    nodeSparsity     = (H - h) / H          (fraction of hidden+output nodes removed)
    edgeSparsity     = (M - e) / M          (fraction of edges removed)
    combinedSparsity = (H - h + M - e) / (H + M)
(The published code's `sparsity()` counts hidden nodes only, node_masks[1:-1]; the output node
is always kept, so its node sparsity is (H - h) / (H - 1).)
Set of a circuit: its kept hidden+output nodes ∪ its kept edges (input nodes, always kept,
left out). Jaccard(A, B) = |A ∩ B| / |A ∪ B|. `meanPairwiseJaccard` is the mean over the
n(n-1)/2 unordered pairs of distinct perfect circuits; `meanPairwiseJaccardHiddenNodesOnly`
uses hidden nodes ∪ edges (the published code's `overlap_jaccard`, node_masks[1:-1]).
A contains B when B's node set and edge set are subsets of A's (edge containment implies node
containment here). `containmentPairFraction` = (unordered pairs {A, B}, A != B, with A ⊆ B or
B ⊆ A) / (n(n-1)/2), as in the published `analyze_circuits`. A perfect circuit is *minimal* when
no other perfect circuit is a proper subset of it.

List size: if the JSON of the full perfect-circuit list exceeds 1 MB, only its first 50
entries are stored (`perfectCircuitListComplete: false`). `perfectCircuitListSha256` is always
the sha256 of the canonical JSON of the *full* list in enumeration order, each element only
{"edgeMasks": ..., "nodeMasks": ...}:  json.dumps(list, separators=(",", ":"), sort_keys=True)
encoded as UTF-8 (e.g. [{"edgeMasks":[[[1,0],...]],...],"nodeMasks":[[1,1],...]},...]).

Widths 2, 3 (and 4) are enumerated explicitly; width 5 (1,247,432,400 candidates) only gets
the closed-form count. counts.json also carries an independent brute-force count for widths
2 and 3: every subset of the M edges, kept when it is a valid circuit's edge set (each valid
circuit is determined by its edges: kept nodes = nodes with an edge).
"""
import argparse
import glob
import hashlib
import itertools
import json
import os
import sys
import time
from functools import lru_cache
from math import comb

import numpy as np
from safetensors.numpy import load_file

HERE = os.path.dirname(os.path.abspath(__file__))
SLOPE = 0.01
MAX_LIST_BYTES = 1_000_000
NEAR_BOUNDARY = 1e-4
ISSUE_COUNTS = {3: 3000, 4: 1_067_648, 5: 1_247_432_400}


# ---------------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------------

def covering_matrices(m, n):
    """Number of m x n 0/1 matrices with no all-zero row and no all-zero column."""
    return sum((-1) ** i * comb(m, i) * (2 ** (m - i) - 1) ** n for i in range(m + 1))


def closed_form_count(sizes, reading="exclude-full-combination"):
    """Candidate count by summing over kept-node counts. Readings of "except all kept":
    exclude-full-combination (implemented), exclude-full-circuit-only, exclude-nothing."""
    total = 0
    for kept in itertools.product(*[range(1, s + 1) for s in sizes[1:]]):
        a = [sizes[0], *kept]
        term = 1
        for l in range(1, len(sizes)):
            term *= comb(sizes[l], a[l]) * covering_matrices(a[l], a[l - 1])
        total += term
    full = 1
    for l in range(1, len(sizes)):
        full *= covering_matrices(sizes[l], sizes[l - 1])
    if reading == "exclude-full-combination":
        return total - full
    if reading == "exclude-full-circuit-only":
        return total - 1
    return total


def brute_force_count(sizes):
    """Independent count: test every subset of all edges for being a valid circuit's edge set."""
    shapes = [(sizes[l + 1], sizes[l]) for l in range(len(sizes) - 1)]
    m = sum(o * i for o, i in shapes)
    codes = np.arange(2 ** m, dtype=np.int64)
    bits = ((codes[:, None] >> np.arange(m - 1, -1, -1)) & 1).astype(bool)
    mats, start = [], 0
    for o, i in shapes:
        mats.append(bits[:, start:start + o * i].reshape(-1, o, i))
        start += o * i
    valid = np.ones(len(codes), dtype=bool)
    valid &= mats[0].any(axis=1).all(axis=1)          # every input node has an outgoing edge
    valid &= mats[-1].any(axis=2).all(axis=1)         # the output node has an incoming edge
    all_kept = np.ones(len(codes), dtype=bool)
    for l in range(1, len(sizes) - 1):                # hidden layer l: in-degree>0 <=> out-degree>0
        has_in = mats[l - 1].any(axis=2)              # rows of the matrix into layer l
        has_out = mats[l].any(axis=1)                 # columns of the matrix out of layer l
        valid &= (has_in == has_out).all(axis=1) & has_in.any(axis=1)
        all_kept &= has_in.all(axis=1)
    return int(valid.sum()), int((valid & ~all_kept).sum())


# ---------------------------------------------------------------------------------------------
# Enumeration
# ---------------------------------------------------------------------------------------------

def layer_masks(size):
    """Non-empty node masks of a layer, lexicographic (binary counting, node 0 most significant)."""
    return [tuple(int(c) for c in format(v, f"0{size}b")) for v in range(1, 2 ** size)]


@lru_cache(maxsize=None)
def edge_masks(upper, lower):
    """All admissible [len(upper), len(lower)] edge masks for kept nodes `upper` (the layer the
    matrix feeds) and `lower` (its inputs), in lexicographic order of the row-major flattening:
    supported on kept x kept, every kept row and every kept column with at least one edge."""
    rows = [j for j, k in enumerate(upper) if k]
    cols = [i for i, k in enumerate(lower) if k]
    nb = len(rows) * len(cols)
    codes = np.arange(2 ** nb, dtype=np.int64)
    block = ((codes[:, None] >> np.arange(nb - 1, -1, -1)) & 1).reshape(-1, len(rows), len(cols))
    ok = (block.sum(axis=2) > 0).all(axis=1) & (block.sum(axis=1) > 0).all(axis=1)
    block = block[ok]
    full = np.zeros((len(block), len(upper), len(lower)), dtype=np.int8)
    full[np.ix_(np.arange(len(block)), rows, cols)] = block
    return full


def node_combinations(sizes):
    """(n_0, n_1, ..., n_L) in enumeration order, the all-kept combination excluded."""
    full = tuple(tuple([1] * s) for s in sizes[1:])
    for combo in itertools.product(*[layer_masks(s) for s in sizes[1:]]):
        if combo != full:
            yield (tuple([1] * sizes[0]),) + combo


def circuit_batches(sizes, batch=1 << 16):
    """Yield (node_combo, [E_0 batch, ..., E_{L-1} batch]) covering every candidate circuit in
    enumeration order; each E_l batch has shape [B, s_{l+1}, s_l]."""
    for combo in node_combinations(sizes):
        lists = [edge_masks(combo[l + 1], combo[l]) for l in range(len(sizes) - 1)]
        shape = tuple(len(x) for x in lists)
        total = int(np.prod(shape))
        for start in range(0, total, batch):
            idx = np.unravel_index(np.arange(start, min(total, start + batch)), shape)  # C order
            yield combo, [lists[l][idx[l]] for l in range(len(lists))]


def check_batch(sizes, combo, masks):
    """Independent validity check of generated circuits (used when counting explicitly)."""
    for l, e in enumerate(masks):
        lower = np.array(combo[l], dtype=bool)
        upper = np.array(combo[l + 1], dtype=bool)
        assert not e[:, ~upper, :].any() and not e[:, :, ~lower].any(), "edge outside kept block"
        assert (e[:, upper, :].sum(axis=2) > 0).all(), "kept upper node without edge"
        assert (e[:, :, lower].sum(axis=1) > 0).all(), "kept lower node without edge"


def keys(combo, masks):
    """Key bit vectors [B, H + M] (node masks of layers 1..L, then row-major edge masks)."""
    b = len(masks[0])
    nodes = np.concatenate([np.array(n, dtype=np.int8) for n in combo[1:]])
    parts = [np.broadcast_to(nodes, (b, len(nodes)))] + [e.reshape(b, -1) for e in masks]
    return np.concatenate(parts, axis=1).astype(np.int8)


def explicit_count(sizes):
    """Generate every candidate, check it, and count; also checks strictly increasing keys."""
    count, previous = 0, None
    for combo, masks in circuit_batches(sizes):
        check_batch(sizes, combo, masks)
        k = keys(combo, masks)
        as_int = k.astype(object).dot([1 << p for p in range(k.shape[1] - 1, -1, -1)])
        seq = ([previous] if previous is not None else []) + list(as_int)
        assert all(a < b for a, b in zip(seq, seq[1:])), "enumeration not strictly increasing"
        previous = as_int[-1]
        count += len(k)
    return count


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------

def validation_data():
    inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    targets = np.array([0, 1, 1, 0], dtype=np.float64)
    return np.repeat(inputs, 50, axis=0), np.repeat(targets, 50)


def leaky_relu(z):
    return np.where(z >= 0, z, SLOPE * z)


def load_model(path, sizes=None):
    tensors = load_file(path)
    weights, biases, l = [], [], 0
    while f"layers.{l}.0.weight" in tensors:
        weights.append(tensors[f"layers.{l}.0.weight"].astype(np.float64))
        biases.append(tensors[f"layers.{l}.0.bias"].astype(np.float64))
        l += 1
    found = [weights[0].shape[1]] + [w.shape[0] for w in weights]
    if sizes is not None and list(sizes) != found:
        raise SystemExit(f"{path}: weights have sizes {found}, not {sizes}")
    return found, weights, biases


def circuit_outputs(weights, biases, x, combo, masks, dtype=np.float64):
    """Outputs [B, rows] of a batch of circuits sharing node masks `combo`."""
    a = x[None, :, :].astype(dtype) * np.array(combo[0], dtype=dtype)      # [1, R, s_0]
    for l, (w, b, e) in enumerate(zip(weights, biases, masks)):
        z = np.einsum("bri,boi->bro", a, (w[None] * e).astype(dtype)) + b.astype(dtype)  # [B, R, s_{l+1}]
        a = np.where(z >= 0, z, dtype(SLOPE) * z)                           # LeakyReLU
        if l + 1 < len(weights):
            a = a * np.array(combo[l + 1], dtype=dtype)
    return a[:, :, 0]


def pairwise_statistics(bits):
    """Mean Jaccard (with and without the output node), containment pairs, minimality."""
    n, m = bits.shape
    v = bits.astype(np.uint64).dot(np.uint64(1) << np.arange(m - 1, -1, -1, dtype=np.uint64))
    size = np.bitwise_count(v).astype(np.int64)
    jaccard_sum = jaccard_hidden_sum = 0.0
    containing_pairs = 0
    minimal = np.ones(n, dtype=bool)
    chunk = max(1, 20_000_000 // max(n, 1))
    for start in range(0, n, chunk):
        rows = np.arange(start, min(n, start + chunk))
        vi = v[rows][:, None]
        inter = np.bitwise_count(vi & v[None, :]).astype(np.int64)
        union = size[rows][:, None] + size[None, :] - inter
        upper = np.arange(n)[None, :] > rows[:, None]                  # pairs i < j
        jaccard_sum += (inter / union)[upper].sum()
        jaccard_hidden_sum += ((inter - 1) / (union - 1))[upper].sum()  # output node always kept
        i_in_j = (vi & ~v[None, :]) == 0
        j_in_i = (v[None, :] & ~vi) == 0
        containing_pairs += int(((i_in_j | j_in_i) & upper).sum())
        other = np.arange(n)[None, :] != rows[:, None]
        minimal[rows] = ~(j_in_i & other).any(axis=1)                  # no other perfect ⊂ i
    pairs = n * (n - 1) // 2
    return {
        "pairs": pairs,
        "meanPairwiseJaccard": jaccard_sum / pairs if pairs else None,
        "meanPairwiseJaccardHiddenNodesOnly": jaccard_hidden_sum / pairs if pairs else None,
        "containmentPairs": containing_pairs,
        "containmentPairFraction": containing_pairs / pairs if pairs else None,
    }, minimal


def analyse(path, sizes=None, out=None):
    sizes, weights, biases = load_model(path, sizes)
    model = os.path.splitext(os.path.basename(path))[0]
    out = out or os.path.join(HERE, f"circuits-{model}.json")
    x, y = validation_data()
    a = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    for w, b in zip(weights, biases):
        a = leaky_relu(a @ w.T + b)
    full_output = a[:, 0]
    result = {
        "model": os.path.basename(path),
        "sizes": sizes,
        "candidateCircuitsClosedForm": closed_form_count(sizes),
        "fullModelOutputs": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "outputs": full_output.tolist()},
        "validation": "the 4 XOR inputs (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0, each repeated 50 times (200 rows)",
        "perfectRule": "#{rows: np.round(output) == target} * 100 > 99 * 200 (round half to even; LeakyReLU(0.01) on the output)",
    }
    if max(sizes[1:-1]) > 4:
        result.update({"enumerated": False, "candidateCircuits": closed_form_count(sizes),
                       "note": "width 5: closed-form count only, candidates not enumerated"})
        write_json(out, result)
        return result

    t0 = time.perf_counter()
    candidates, perfect_keys, min_margin, near = 0, [], np.inf, []
    float32_seconds, float32_perfect, float32_disagreements = 0.0, 0, []
    for combo, masks in circuit_batches(sizes):
        outputs = circuit_outputs(weights, biases, x, combo, masks)
        margin = np.abs(outputs - (np.floor(outputs) + 0.5)).min(axis=1)
        min_margin = min(min_margin, float(margin.min()))
        correct = (np.round(outputs) == y[None, :]).sum(axis=1)
        good = correct * 100 > 99 * len(y)
        k = keys(combo, masks)
        for row in np.nonzero(good)[0]:
            perfect_keys.append((candidates + int(row), k[row]))
        for row in np.nonzero(margin < NEAR_BOUNDARY)[0]:
            near.append({"index": candidates + int(row), "distance": float(margin[row]), "perfect": bool(good[row])})
        # Cross-check, not timed with the rest: the same circuits evaluated in float32.
        t = time.perf_counter()
        out32 = circuit_outputs(weights, biases, x, combo, masks, dtype=np.float32)
        good32 = (np.round(out32) == y[None, :].astype(np.float32)).sum(axis=1) * 100 > 99 * len(y)
        float32_perfect += int(good32.sum())
        float32_disagreements += [candidates + int(r) for r in np.nonzero(good32 != good)[0]]
        float32_seconds += time.perf_counter() - t
        candidates += len(outputs)
    t1 = time.perf_counter()
    assert candidates == result["candidateCircuitsClosedForm"]

    n_layers = len(sizes)
    hidden_output = sum(sizes[1:])
    edges_total = sum(sizes[l] * sizes[l + 1] for l in range(n_layers - 1))
    bits = np.array([k for _, k in perfect_keys], dtype=np.int8).reshape(-1, hidden_output + edges_total)
    stats, minimal = pairwise_statistics(bits) if len(bits) else ({}, np.zeros(0, dtype=bool))
    t2 = time.perf_counter()

    circuits, canonical = [], []
    for (index, key), is_minimal in zip(perfect_keys, minimal):
        node_masks, pos = [[1] * sizes[0]], 0
        for s in sizes[1:]:
            node_masks.append([int(b) for b in key[pos:pos + s]])
            pos += s
        edge_masks_ = []
        for l in range(n_layers - 1):
            o, i = sizes[l + 1], sizes[l]
            edge_masks_.append([[int(b) for b in key[pos + r * i:pos + (r + 1) * i]] for r in range(o)])
            pos += o * i
        h = int(key[:hidden_output].sum())
        e = int(key[hidden_output:].sum())
        canonical.append({"edgeMasks": edge_masks_, "nodeMasks": node_masks})
        circuits.append({
            "index": index, "nodeMasks": node_masks, "edgeMasks": edge_masks_,
            "keptNodes": h, "keptEdges": e,
            "nodeSparsity": (hidden_output - h) / hidden_output,
            "edgeSparsity": (edges_total - e) / edges_total,
            "combinedSparsity": (hidden_output - h + edges_total - e) / (hidden_output + edges_total),
            "minimal": bool(is_minimal),
        })
    canonical_json = json.dumps(canonical, separators=(",", ":"), sort_keys=True)
    listed = circuits
    complete = len(json.dumps(circuits, separators=(",", ":"))) <= MAX_LIST_BYTES
    if not complete:
        listed = circuits[:50]
    result.update({
        "enumerated": True,
        "candidateCircuits": candidates,
        "perfectCircuits": len(circuits),
        "minimalCircuits": int(minimal.sum()),
        **stats,
        "meanNodeSparsity": float(np.mean([c["nodeSparsity"] for c in circuits])) if circuits else None,
        "meanEdgeSparsity": float(np.mean([c["edgeSparsity"] for c in circuits])) if circuits else None,
        "meanCombinedSparsity": float(np.mean([c["combinedSparsity"] for c in circuits])) if circuits else None,
        "hiddenAndOutputNodes": hidden_output,
        "edges": edges_total,
        "minDistanceToRoundingBoundary": min_margin,
        "nearBoundaryThreshold": NEAR_BOUNDARY,
        "nearBoundaryCandidates": near,
        "perfectCircuitsFloat32": float32_perfect,
        "float32Disagreements": float32_disagreements,
        "timingSeconds": {"enumerateAndEvaluate": round(t1 - t0 - float32_seconds, 3),
                          "float32CrossCheck": round(float32_seconds, 3),
                          "pairwiseStatistics": round(t2 - t1, 3)},
        "definitions": {
            "nodeSparsity": "(H - kept hidden+output nodes) / H, H = sum(sizes[1:])",
            "edgeSparsity": "(M - kept edges) / M, M = sum(sizes[l] * sizes[l+1])",
            "combinedSparsity": "(removed nodes + removed edges) / (H + M)",
            "circuitSet": "kept hidden+output nodes ∪ kept edges (input nodes left out)",
            "meanPairwiseJaccard": "mean |A∩B|/|A∪B| over unordered pairs of distinct perfect circuits",
            "meanPairwiseJaccardHiddenNodesOnly": "same with the output node left out (published code's overlap_jaccard)",
            "containmentPairFraction": "unordered pairs {A,B} with A ⊆ B or B ⊆ A (nodes and edges) / n(n-1)/2",
            "minimal": "perfect, and no other perfect circuit is a proper subset of it",
            "enumerationOrder": "lexicographic in the key n_1++...++n_L++vec(E_0)++...++vec(E_{L-1}) (vec row-major, [out][in]); index = 0-based position among all candidates",
            "perfectCircuitListSha256": "sha256 of json.dumps(full list of {edgeMasks, nodeMasks} in enumeration order, separators=(',', ':'), sort_keys=True), UTF-8",
        },
        "perfectCircuitListSha256": hashlib.sha256(canonical_json.encode("utf-8")).hexdigest(),
        "perfectCircuitListComplete": complete,
        "minimalCircuitIndices": [c["index"] for c in circuits if c["minimal"]],
        "perfectCircuitList": listed,
    })
    write_json(out, result)
    return result


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def counts(out):
    rows = []
    for k in (2, 3, 4, 5):
        sizes = [2, k, k, 1]
        row = {"sizes": sizes, "candidateCircuits": closed_form_count(sizes),
               "closedForm": closed_form_count(sizes)}
        if k <= 4:
            t0 = time.perf_counter()
            row["explicitEnumeration"] = explicit_count(sizes)
            row["explicitEnumerationSeconds"] = round(time.perf_counter() - t0, 3)
        if k <= 3:
            with_full, without_full = brute_force_count(sizes)
            row["bruteForceEdgeSubsets"] = without_full
            row["bruteForceEdgeSubsetsIncludingFullCombination"] = with_full
        row["otherReadings"] = {
            "excludeNothing": closed_form_count(sizes, "exclude-nothing"),
            "excludeOnlyTheFullCircuit": closed_form_count(sizes, "exclude-full-circuit-only"),
        }
        if k in ISSUE_COUNTS:
            row["statedInIssue"] = ISSUE_COUNTS[k]
        values = [v for key, v in row.items() if key in ("closedForm", "explicitEnumeration", "bruteForceEdgeSubsets")]
        assert len(set(values)) == 1, row
        assert k not in ISSUE_COUNTS or values[0] == ISSUE_COUNTS[k], row
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    write_json(out, {
        "reading": "the all-kept node combination is excluded together with every edge mask it admits",
        "closedForm": "sum over kept counts a_1..a_L (a_0 = s_0) of prod_l C(s_l, a_l) F(a_l, a_{l-1}), minus prod_l F(s_l, s_{l-1}); "
                      "F(m, n) = sum_i (-1)^i C(m, i) (2^(m-i) - 1)^n counts m x n 0/1 matrices without empty rows or columns",
        "explicitEnumeration": "count_circuits.py generates every candidate (node combinations x admissible edge masks), "
                               "checks each one's validity and that keys strictly increase",
        "bruteForceEdgeSubsets": "every subset of all edges tested for being a valid circuit's edge set (widths 2 and 3)",
        "counts": rows,
    })


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model")
    parser.add_argument("--sizes", type=int, nargs="+")
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.model:
        r = analyse(args.model, args.sizes, args.out)
        print(json.dumps({k: v for k, v in r.items() if k not in ("perfectCircuitList", "minimalCircuitIndices", "definitions")}))
        return
    counts(os.path.join(HERE, "counts.json"))
    for path in sorted(glob.glob(os.path.join(HERE, "xor-*.safetensors"))):
        r = analyse(path)
        print(json.dumps({k: v for k, v in r.items() if k not in ("perfectCircuitList", "minimalCircuitIndices", "definitions")}))


if __name__ == "__main__":
    main()
