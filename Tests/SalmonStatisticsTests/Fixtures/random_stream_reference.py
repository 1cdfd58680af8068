"""Independent Python implementation of DeadSalmon's RandomStream (splitmix64-path-v1 + xoshiro256**).

Writes random_stream.json: the first outputs of streams at several (seed, path) addresses, so the
Swift implementation is checked against a second implementation of the documented scheme.
The xoshiro256** core is first checked against the published sequence for state [1, 2, 3, 4]
(the test vector used by the Rust crate rand_xoshiro).

Run: python3 random_stream_reference.py
"""
import json

M = (1 << 64) - 1


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def take(key, word, tag):
    return mix(key ^ mix((word + tag) & M))


def absorb(key, component):
    if isinstance(component, int):
        return take(key, component & M, 0x1D)
    data = component.encode("utf-8")
    key = take(key, len(data), 0x1A)
    for start in range(0, len(data), 8):
        chunk = data[start:start + 8]
        key = take(key, int.from_bytes(chunk, "little"), 0x1B)
    return key


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


class Xoshiro:
    def __init__(self, state):
        self.s = list(state)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result


def stream(seed, path):
    key = mix(seed ^ 0x5A1F0D5EED000001)
    for c in path:
        key = absorb(key, c)
    z = key
    state = []
    for _ in range(4):
        z = (z + 0x9E3779B97F4A7C15) & M
        state.append(mix(z))
    return Xoshiro(state)


published = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360,
             607988272756665600, 16172922978634559625, 8476171486693032832,
             10595114339597558777, 2904607092377533576]
x = Xoshiro([1, 2, 3, 4])
assert [x.next() for _ in published] == published, "xoshiro256** core disagrees with the published vector"

cases = []
for seed, path in [(0, []), (42, []), (42, ["null"]), (42, ["null", 17, "bootstrap", 3]),
                   (2009, ["bootstrap"]), (7, ["a-label-longer-than-eight-bytes", -1]),
                   (M, [0, 1, 2]), (1, ["é"])]:
    g = stream(seed, path)
    cases.append({"seed": str(seed), "path": path, "outputs": [str(g.next()) for _ in range(5)]})

with open("random_stream.json", "w") as f:
    json.dump({"generator": {"script": "random_stream_reference.py"}, "cases": cases}, f, indent=1)
    f.write("\n")
