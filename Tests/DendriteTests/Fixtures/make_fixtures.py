"""Writes the PyTorch parity fixtures in data/*.json: for each case, the inputs, the PyTorch
weights (state_dict names), the outputs and the gradients, as {name: {"shape": [...], "data": [...]}}.

Run: `make fixtures` (creates .venv-torch with torch on first use), or any python with torch.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_default_dtype(torch.float32)


def pack(tensors):
    return {name: {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}
            for name, t in tensors.items()}


def save(name, tensors):
    with open(os.path.join(HERE, "data", name + ".json"), "w") as f:
        json.dump(pack(tensors), f, separators=(",", ":"))


def layer_case(name, layer, x):
    x = x.clone().requires_grad_(True)
    y = layer(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    out = {"input": x, "output": y, "seed_gradient": r, "input.grad": x.grad}
    for key, value in layer.state_dict().items():
        out["param." + key] = value
    for key, p in layer.named_parameters():
        out["grad." + key] = p.grad
    save(name, out)


torch.manual_seed(0)
layer_case("linear", nn.Linear(5, 3), torch.randn(4, 5))
layer_case("conv2d", nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2), torch.randn(2, 4, 7, 6))
layer_case("maxpool2d", nn.MaxPool2d(2), torch.randperm(2 * 3 * 6 * 6).float().reshape(2, 3, 6, 6) / 10)
layer_case("maxpool2d_padded", nn.MaxPool2d(3, stride=2, padding=1), torch.randperm(2 * 2 * 7 * 5).float().reshape(2, 2, 7, 5) / 10)

# Batch norm: a training step (batch statistics, running-statistics update), then eval mode.
bn = nn.BatchNorm2d(3)
with torch.no_grad():
    bn.weight.copy_(torch.randn(3) * 0.5 + 1)
    bn.bias.copy_(torch.randn(3))
initial = {"param." + k: v.clone() for k, v in bn.state_dict().items()}
x = (torch.randn(4, 3, 5, 5) * 2 + 1).requires_grad_(True)
y = bn(x)
r = torch.randn_like(y)
(y * r).sum().backward()
after = {"after." + k: v.clone() for k, v in bn.state_dict().items()}
bn.eval()
x_eval = torch.randn(2, 3, 5, 5)
save("batchnorm2d", {**initial, **after, "input": x, "output": y, "seed_gradient": r, "input.grad": x.grad,
                     "grad.weight": bn.weight.grad, "grad.bias": bn.bias.grad,
                     "eval_input": x_eval, "eval_output": bn(x_eval)})

# Cross-entropy: class indices, label smoothing, probability targets.
logits = torch.randn(5, 4, requires_grad=True)
labels = torch.tensor([0, 3, 1, 1, 2])
ce = {"logits": logits, "labels": labels.float()}
for key, fn in [("plain", lambda z: F.cross_entropy(z, labels)),
                ("smoothed", lambda z: F.cross_entropy(z, labels, label_smoothing=0.1)),
                ("sum", lambda z: F.cross_entropy(z, labels, reduction="sum"))]:
    z = logits.detach().clone().requires_grad_(True)
    loss = fn(z)
    loss.backward()
    ce[key + ".loss"] = loss.reshape(1)
    ce[key + ".grad"] = z.grad
probabilities = torch.softmax(torch.randn(5, 4), dim=1)
z = logits.detach().clone().requires_grad_(True)
loss = F.cross_entropy(z, probabilities)
loss.backward()
ce.update({"probabilities": probabilities, "soft.loss": loss.reshape(1), "soft.grad": z.grad})
save("cross_entropy", ce)

# Optimizers: 10 steps on a small MLP with cross-entropy, from the same initial weights.
torch.manual_seed(1)
base = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
inputs = torch.randn(6, 4)
targets = torch.tensor([0, 2, 1, 0, 1, 2])
initial = {k: v.clone() for k, v in base.state_dict().items()}
configs = {
    "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01),
    "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01),
    "rmsprop_centered": lambda p: torch.optim.RMSprop(p, lr=0.005, momentum=0.5, centered=True, weight_decay=0.01),
    "adam": lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.01),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01),
}
out = {"inputs": inputs, "targets": targets.float()}
out.update({"initial." + k: v for k, v in initial.items()})
for name, make in configs.items():
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
    model.load_state_dict(initial)
    opt = make(model.parameters())
    losses = []
    for _ in range(10):
        opt.zero_grad()
        loss = F.cross_entropy(model(inputs), targets)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    out[name + ".losses"] = torch.tensor(losses)
    out.update({name + ".final." + k: v for k, v in model.state_dict().items()})
save("optimizers", out)

# L-BFGS, with and without the strong-Wolfe line search: 3 steps of up to 10 iterations each on
# a 4-5-3 MLP regressing random targets with MSE (a problem whose trajectory float32 and float64
# agree on, unlike a separable classification where the weights grow without bound): the loss
# each step returns, the closure evaluations, and the parameters after.
torch.manual_seed(3)
lbfgs_model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
lbfgs_inputs, lbfgs_targets = torch.randn(16, 4), torch.randn(16, 3)
lbfgs_initial = {k: v.clone() for k, v in lbfgs_model.state_dict().items()}
lbfgs_out = {"inputs": lbfgs_inputs, "targets": lbfgs_targets}
lbfgs_out.update({"initial." + k: v for k, v in lbfgs_initial.items()})
for name, make in {
    "lbfgs": lambda p: torch.optim.LBFGS(p, lr=0.5, max_iter=10, history_size=5),
    "lbfgs_wolfe": lambda p: torch.optim.LBFGS(p, lr=1, max_iter=10, history_size=5, line_search_fn="strong_wolfe"),
}.items():
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3))
    model.load_state_dict(lbfgs_initial)
    opt = make(model.parameters())

    def closure():
        opt.zero_grad()
        loss = F.mse_loss(model(lbfgs_inputs), lbfgs_targets)
        loss.backward()
        return loss

    lbfgs_out[name + ".losses"] = torch.tensor([float(opt.step(closure).detach()) for _ in range(3)])
    lbfgs_out[name + ".evaluations"] = torch.tensor([float(opt.state[opt._params[0]]["func_evals"])])
    lbfgs_out.update({name + ".final." + k: v for k, v in model.state_dict().items()})
save("lbfgs", lbfgs_out)
print("fixtures written to", os.path.join(HERE, "data"))

# Transformer: nn.MultiheadAttention with a causal mask, nn.TransformerEncoderLayer (GELU,
# dropout 0) post-norm and pre-norm: outputs and every parameter gradient.
torch.manual_seed(2)


def transformer_case(name, module, x, forward):
    x = x.clone().requires_grad_(True)
    y = forward(module, x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    out = {"input": x, "output": y, "seed_gradient": r, "input.grad": x.grad}
    out.update({"param." + k: v for k, v in module.state_dict().items()})
    out.update({"grad." + k: p.grad for k, p in module.named_parameters()})
    save(name, out)


mask = torch.nn.Transformer.generate_square_subsequent_mask(5)
mha = nn.MultiheadAttention(8, 2, batch_first=True)
with torch.no_grad():
    mha.in_proj_bias.normal_(0, 0.1)
    mha.out_proj.bias.normal_(0, 0.1)
transformer_case("mha_causal", mha, torch.randn(3, 5, 8),
                 lambda m, x: m(x, x, x, attn_mask=mask, need_weights=False)[0])
for norm_first in (False, True):
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, activation="gelu",
                                       batch_first=True, norm_first=norm_first)
    with torch.no_grad():
        for p in layer.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    transformer_case("encoder_layer_" + ("prenorm" if norm_first else "postnorm"), layer, torch.randn(2, 4, 8),
                     lambda m, x: m(x))
print("transformer fixtures written")

# LeNet-5 (classic: tanh, average pooling), Dendrite's layout and names, eval-mode output parity.
from safetensors.torch import save_file


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.avg_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.avg_pool2d(torch.tanh(self.conv2(x)), 2)
        x = torch.tanh(self.fc1(x.flatten(1)))
        return self.fc3(torch.tanh(self.fc2(x)))


torch.manual_seed(3)
lenet = LeNet5().eval()
lenet_input = torch.randn(2, 1, 32, 32)
with torch.no_grad():
    lenet_output = lenet(lenet_input)
save_file({**{k: v.contiguous() for k, v in lenet.state_dict().items()}},
          os.path.join(HERE, "data", "lenet5_weights.safetensors"))
save_file({"input": lenet_input, "output": lenet_output}, os.path.join(HERE, "data", "lenet5_io.safetensors"))
print("lenet5 fixtures written")

# Distillation: α·T²·KL(softmax(t/T) ‖ softmax(s/T)) (batchmean) + (1 − α)·CE(s, y).
torch.manual_seed(4)
student = torch.randn(6, 5, requires_grad=True)
teacher = torch.randn(6, 5)
targets = torch.tensor([0, 4, 2, 2, 1, 3])
T, alpha = 3.0, 0.7
kl = F.kl_div(F.log_softmax(student / T, dim=1), F.softmax(teacher / T, dim=1), reduction="batchmean")
loss = alpha * T * T * kl + (1 - alpha) * F.cross_entropy(student, targets)
loss.backward()
save("distillation", {"student": student, "teacher": teacher, "labels": targets.float(), "loss": loss.reshape(1),
                      "student.grad": student.grad})
print("distillation fixture written")
