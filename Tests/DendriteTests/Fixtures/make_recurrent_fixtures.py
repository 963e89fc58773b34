"""Writes data/recurrent.json: PyTorch's RNN, LSTM and GRU (and their cells) on small random
inputs, for RecurrentParityTests. Each case `<case>.` holds the inputs (`x`, `h0`, `c0`), the
parameters under their state_dict names (`param.<name>`), the outputs (`output`, `h_n`, `c_n`)
and the gradients of L = Σ output·w_out + Σ h_n·w_h + Σ c_n·w_c (`w_out`, `w_h`, `w_c` random)
with respect to the inputs (`grad.x`, `grad.h0`, `grad.c0`) and every parameter (`grad.<name>`).

Run: `make fixtures`, or any python with torch.
"""
import json
import os

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

HERE = os.path.dirname(os.path.abspath(__file__))


def entry(tensor):
    tensor = tensor.detach().contiguous().float()
    return {"shape": list(tensor.shape), "data": [round(float(v), 8) for v in tensor.flatten()]}


def network_case(cases, name, module, x, lengths=None, initial=True):
    """One nn.RNN/LSTM/GRU case; `lengths` packs the batch (enforce_sorted=False)."""
    is_lstm = isinstance(module, nn.LSTM)
    layers = module.num_layers * (2 if module.bidirectional else 1)
    batch = x.shape[0] if module.batch_first else x.shape[1]
    state_size = module.proj_size if getattr(module, "proj_size", 0) > 0 else module.hidden_size
    x = x.clone().requires_grad_(True)
    h0 = (torch.randn(layers, batch, state_size) * 0.5).requires_grad_(True)
    c0 = (torch.randn(layers, batch, module.hidden_size) * 0.5).requires_grad_(True)
    state = ((h0, c0) if is_lstm else h0) if initial else None
    if lengths is not None:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=module.batch_first, enforce_sorted=False)
        packed_output, final = module(packed, state)
        total = x.shape[1] if module.batch_first else x.shape[0]
        output, _ = pad_packed_sequence(packed_output, batch_first=module.batch_first, total_length=total)
    else:
        output, final = module(x, state)
    h_n, c_n = final if is_lstm else (final, None)
    w_out, w_h = torch.randn_like(output), torch.randn_like(h_n)
    loss = (output * w_out).sum() + (h_n * w_h).sum()
    tensors = {"x": x, "output": output, "h_n": h_n, "w_out": w_out, "w_h": w_h}
    if is_lstm:
        w_c = torch.randn_like(c_n)
        loss = loss + (c_n * w_c).sum()
        tensors.update({"c_n": c_n, "w_c": w_c})
    loss.backward()
    tensors["grad.x"] = x.grad
    if initial:
        tensors.update({"h0": h0, "grad.h0": h0.grad})
        if is_lstm:
            tensors.update({"c0": c0, "grad.c0": c0.grad})
    for parameter_name, parameter in module.named_parameters():
        tensors["param." + parameter_name] = parameter
        tensors["grad." + parameter_name] = parameter.grad
    if lengths is not None:
        tensors["lengths"] = torch.tensor(lengths, dtype=torch.float32)
    for key, value in tensors.items():
        cases[name + "." + key] = entry(value)


def cell_case(cases, name, cell, x):
    is_lstm = isinstance(cell, nn.LSTMCell)
    x = x.clone().requires_grad_(True)
    h0 = (torch.randn(x.shape[0], cell.hidden_size) * 0.5).requires_grad_(True)
    c0 = (torch.randn(x.shape[0], cell.hidden_size) * 0.5).requires_grad_(True)
    result = cell(x, (h0, c0) if is_lstm else h0)
    h, c = result if is_lstm else (result, None)
    w_h = torch.randn_like(h)
    loss = (h * w_h).sum()
    tensors = {"x": x, "h0": h0, "h_n": h, "w_h": w_h}
    if is_lstm:
        w_c = torch.randn_like(c)
        loss = loss + (c * w_c).sum()
        tensors.update({"c0": c0, "c_n": c, "w_c": w_c})
    loss.backward()
    tensors.update({"grad.x": x.grad, "grad.h0": h0.grad})
    if is_lstm:
        tensors["grad.c0"] = c0.grad
    for parameter_name, parameter in cell.named_parameters():
        tensors["param." + parameter_name] = parameter
        tensors["grad." + parameter_name] = parameter.grad
    for key, value in tensors.items():
        cases[name + "." + key] = entry(value)


def main():
    torch.manual_seed(15)
    cases = {}
    network_case(cases, "rnn_tanh", nn.RNN(5, 4), torch.randn(3, 2, 5))
    network_case(cases, "rnn_relu", nn.RNN(5, 4, num_layers=2, nonlinearity="relu"), torch.randn(4, 3, 5))
    network_case(cases, "lstm_bidirectional_projection",
                 nn.LSTM(5, 6, num_layers=2, bidirectional=True, batch_first=True, proj_size=3), torch.randn(2, 4, 5))
    network_case(cases, "lstm_no_state", nn.LSTM(3, 4, bias=False), torch.randn(3, 2, 3), initial=False)
    network_case(cases, "gru_bidirectional", nn.GRU(5, 4, num_layers=2, bidirectional=True), torch.randn(4, 3, 5))
    network_case(cases, "lstm_packed", nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True),
                 torch.randn(3, 5, 3), lengths=[5, 2, 4])
    network_case(cases, "gru_packed", nn.GRU(3, 4, bidirectional=True), torch.randn(5, 3, 3), lengths=[3, 5, 1])
    network_case(cases, "rnn_packed", nn.RNN(3, 4, batch_first=True), torch.randn(3, 4, 3), lengths=[4, 1, 3])
    cell_case(cases, "rnn_cell", nn.RNNCell(5, 4), torch.randn(3, 5))
    cell_case(cases, "lstm_cell", nn.LSTMCell(5, 4), torch.randn(3, 5))
    cell_case(cases, "gru_cell", nn.GRUCell(5, 4), torch.randn(3, 5))
    with open(os.path.join(HERE, "data", "recurrent.json"), "w") as handle:
        json.dump(cases, handle, separators=(",", ":"))
        handle.write("\n")


if __name__ == "__main__":
    main()
