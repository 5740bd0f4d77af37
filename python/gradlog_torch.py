"""Capture a PyTorch step for gradlog: every module's output and its gradient, every parameter
and its .grad, and tensors you name, written as one safetensors file that `gradlog import`
records as a run.

    import gradlog_torch                      # PYTHONPATH=python from the gradlog checkout
    with gradlog_torch.capture(model, "step.safetensors") as cap:
        loss = cap.name("loss", loss_fn(model(x), y))
        loss.backward()

Names: a module's output is recorded under its qualified name (`encoder.fc1`), by a forward
hook; its gradient under `NAME.grad`, by a hook on that tensor. Parameters keep their
state-dict names (`fc1.weight`, `fc1.weight.grad`). A module called more than once gives
`NAME`, `NAME@2`, `NAME@3`, ... in call order, which gradlog reads back as occurrences of NAME.
The order (parameters first, then outputs in execution order) is written to the metadata key
`gradlog.order`, since safetensors lays data out by dtype and name. Tensors keep their dtype
(gradlog widens float32, float16 and bfloat16 exactly and remembers the source dtype).

Needs torch and safetensors (pip install torch==2.13.0+cpu safetensors==0.8.0).
"""
import contextlib

import torch
from safetensors.torch import save_file

__all__ = ["capture", "Capture"]


class Capture:
    """What `capture` collects; `name` records a tensor of your own."""

    def __init__(self, model, path):
        self.model = model
        self.path = path
        self._values = {}
        self._grads = {}
        self._order = []
        self._calls = {}

    def name(self, name, tensor):
        """Records `tensor` (and, after backward, its gradient) under `name`; returns it."""
        self._record(name, tensor)
        return tensor

    def _record(self, name, tensor):
        if not isinstance(tensor, torch.Tensor):
            return
        calls = self._calls.get(name, 0) + 1
        self._calls[name] = calls
        key = name if calls == 1 else f"{name}@{calls}"
        self._values[key] = tensor.detach().clone()
        self._order.append(key)
        if tensor.requires_grad:
            tensor.register_hook(lambda grad, key=key: self._grads.__setitem__(key, grad.detach().clone()))

    def _tensors(self):
        tensors, order = {}, []
        for name, parameter in self.model.named_parameters():
            tensors[name] = parameter.detach().clone()
            order.append(name)
            if parameter.grad is not None:
                tensors[name + ".grad"] = parameter.grad.detach().clone()
        for key in self._order:
            tensors[key] = self._values[key]
            order.append(key)
            if key in self._grads:
                tensors[key + ".grad"] = self._grads[key]
        return {k: v.contiguous() for k, v in tensors.items()}, order

    def save(self):
        tensors, order = self._tensors()
        metadata = {"format": "gradlog_torch 1", "torch": torch.__version__, "gradlog.order": ",".join(order)}
        save_file(tensors, self.path, metadata=metadata)


@contextlib.contextmanager
def capture(model, path):
    """Hooks every submodule of `model` for the block's forward and backward, then writes
    `path` when the block ends without an exception."""
    cap = Capture(model, path)
    handles = [
        module.register_forward_hook(lambda _module, _inputs, output, qualified=qualified: cap._record(qualified, output))
        for qualified, module in model.named_modules()
        if qualified
    ]
    try:
        yield cap
    finally:
        for handle in handles:
            handle.remove()
    cap.save()
