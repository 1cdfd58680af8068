"""PyTorch reference for DeadSalmon's ConvNet (run once: python3 generate_convnet.py).

A small CNN in the shape of Adebayo et al.'s MNIST CNN, on 8 x 8 one-channel images:
  Conv2d(1, 4, 3, padding=1) -> ReLU -> MaxPool2d(2) -> Conv2d(4, 6, 3, padding=1) -> ReLU -> MaxPool2d(2)
  -> Flatten -> Linear(24, 8) -> ReLU -> Linear(8, 3)
Writes convnet.safetensors holding the state dict under PyTorch's names (conv1.*, conv2.*, fc1.*,
fc2.*) and, beside it:
  input            [5, 64]   five images, NCHW flattened per row
  logits           [5, 3]
  grad.<name>      dL/d(parameter) of the mean cross-entropy with targets [0, 1, 2, 0, 1]
  input_gradient   [5, 64]   d logits[r, target_r] / d input, per row
  guided           [5, 64]   Captum's GuidedBackprop for the same targets
Checked with torch 2.15 and captum 0.9, CPU, float32.
"""
import torch
import torch.nn as nn
from captum.attr import GuidedBackprop
from safetensors.torch import save_file

torch.manual_seed(0)
torch.set_num_threads(1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 6, 3, padding=1)
        self.fc1 = nn.Linear(24, 8)
        self.fc2 = nn.Linear(8, 3)
        self.relu1, self.relu2, self.relu3 = nn.ReLU(), nn.ReLU(), nn.ReLU()
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        x = x.view(-1, 1, 8, 8)
        x = self.pool(self.relu1(self.conv1(x)))
        x = self.pool(self.relu2(self.conv2(x)))
        x = self.relu3(self.fc1(x.flatten(1)))
        return self.fc2(x)


net = Net()
x = torch.randn(5, 64)
targets = torch.tensor([0, 1, 2, 0, 1])
logits = net(x)
loss = nn.functional.cross_entropy(logits, targets)
loss.backward()
tensors = {k: v.detach().clone() for k, v in net.state_dict().items()}
for name, p in net.named_parameters():
    tensors[f"grad.{name}"] = p.grad.detach().clone()
tensors["input"] = x
tensors["logits"] = logits.detach()
xi = x.clone().requires_grad_(True)
chosen = net(xi).gather(1, targets[:, None]).sum()
(g,) = torch.autograd.grad(chosen, xi)
tensors["input_gradient"] = g
tensors["guided"] = GuidedBackprop(net).attribute(x.clone(), target=targets).detach()
save_file({k: v.contiguous() for k, v in tensors.items()}, "convnet.safetensors",
          metadata={"torch": torch.__version__, "targets": "0,1,2,0,1"})
print("wrote convnet.safetensors", {k: tuple(v.shape) for k, v in tensors.items()})
