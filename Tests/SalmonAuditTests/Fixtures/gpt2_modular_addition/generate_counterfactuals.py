"""Clean/corrupted pairs for activation patching of the GPT-2-layout state dict that generate.py
wrote, with PyTorch's own head patching as the reference (run once after generate.py:
python3 generate_counterfactuals.py; PyTorch, safetensors and numpy).

The clean inputs are tokens.npy, the held-out pairs (a, b). Writes:
  corrupted.npy                 int64 [n, 2]: (a', b), a' = a + delta mod p, delta uniform on 1 ... p - 1
                                (numpy RandomState(7))
  correct.npy, wrong.npy        int64 [n]: the clean sum (a + b) mod p and the corrupted one (a' + b) mod p
  reference_head_recovered.npy  float64 [heads]: per head of block 0, the logit difference recovered,
                                (mean LD_patched - mean LD_corrupt) / (mean LD_clean - mean LD_corrupt),
                                LD = logit(correct) - logit(wrong) at the last position, when the head's
                                output (before c_proj) on the corrupted run is replaced by its clean one
"""
import numpy as np
import torch
from safetensors.torch import load_file

from generate import GPT, HEADS, P

torch.set_num_threads(1)
model = GPT()
model.load_state_dict(load_file("model.safetensors"))
model.eval()
clean = torch.from_numpy(np.load("tokens.npy"))
delta = np.random.RandomState(7).randint(1, P, size=len(clean))
corrupted = clean.clone()
corrupted[:, 0] = (clean[:, 0] + torch.from_numpy(delta)) % P
correct = clean.sum(1) % P
wrong = corrupted.sum(1) % P


def mean_difference(logits):
    last = logits[:, -1].double()
    rows = torch.arange(len(last))
    return (last[rows, correct] - last[rows, wrong]).mean().item()


with torch.no_grad():
    clean_heads = []
    ld_clean = mean_difference(model(clean, heads_out=clean_heads))
    ld_corrupt = mean_difference(model(corrupted))
    recovered = [(mean_difference(model(corrupted, heads_in=(h, clean_heads[0]))) - ld_corrupt) / (ld_clean - ld_corrupt)
                 for h in range(HEADS)]
print(f"LD clean {ld_clean:.4f}, corrupted {ld_corrupt:.4f}; recovered per head {np.round(recovered, 4)}")
np.save("corrupted.npy", corrupted.numpy().astype(np.int64))
np.save("correct.npy", correct.numpy().astype(np.int64))
np.save("wrong.npy", wrong.numpy().astype(np.int64))
np.save("reference_head_recovered.npy", np.array(recovered, dtype=np.float64))
