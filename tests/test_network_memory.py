"""The energy model's training without torch.optim.AdamW objects (issue 13: server memory).

Constructing ``torch.optim.AdamW`` imports torch._dynamo (about 71 MB of server memory on the
Energy model page); the training steps torch's functional AdamW instead. These tests check
that training leaves torch._dynamo unimported, and that the steps are AdamW's own.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import torch

from core.models.network import TrainConfig, _AdamW

TRAIN_THEN_LIST_DYNAMO = textwrap.dedent("""
    import sys
    import numpy as np
    from core.models.network import TrainConfig, fit_batched

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    Y = np.vstack([X @ [1.0, -1.0, 0.5] + rng.normal(scale=s, size=40) for s in (0.1, 1.0)])
    tr = rng.random((2, 40)) < 0.75
    fit_batched(X, Y, tr, ~tr, TrainConfig(max_epochs=40, patience=5, device="cpu"))
    print(sorted(m for m in sys.modules if m.startswith("torch._dynamo")))
""")


def test_training_does_not_import_torch_dynamo():
    done = subprocess.run([sys.executable, "-c", TRAIN_THEN_LIST_DYNAMO], capture_output=True,
                          text=True, check=True, timeout=300)
    assert done.stdout.strip() == "[]", done.stdout


def _params(seed: int) -> list[torch.Tensor]:
    """Seven stacked parameters of 4 members, the shapes of Ensemble.params (d=3, h=5)."""
    gen = torch.Generator().manual_seed(seed)
    shapes = ((4, 3, 1), (4, 3, 5), (4, 1, 5), (4, 5, 5), (4, 1, 5), (4, 5, 1), (4, 1, 1))
    return [torch.randn(s, generator=gen).requires_grad_(True) for s in shapes]


def _loss(params: list[torch.Tensor], step: int) -> torch.Tensor:
    """A loss whose gradient differs between parameters, members and steps, element by
    element (products and sums only: the same bits whatever the tensor's size)."""
    return sum(((p - 0.1 * (i + 1) * step) * (p - 0.1 * (i + 1) * step) * (1 + p * p)).sum()
               for i, p in enumerate(params))


def test_steps_equal_torch_adamw_with_its_groups_and_across_keep():
    """Same parameters, gradients and hyper-parameters: bit for bit torch.optim.AdamW's
    steps, weight decay on W1, W2, W3 only; and after dropping members (keep), the members
    left continue exactly as the full optimizer carries them on."""
    config = TrainConfig(lr=0.01, weight_decay=0.3)
    ours, theirs = _params(1), _params(1)
    W0, W1, b1, W2, b2, W3, b3 = theirs
    reference = torch.optim.AdamW([{"params": [W1, W2, W3], "weight_decay": config.weight_decay},
                                   {"params": [W0, b1, b2, b3], "weight_decay": 0.0}],
                                  lr=config.lr)
    opt = _AdamW.start(ours, config)
    for step in range(6):
        opt.zero_grad()
        _loss(opt.params, step).backward()
        opt.step()
        reference.zero_grad(set_to_none=True)
        _loss(theirs, step).backward()
        reference.step()
        if step == 2:  # members 1 and 3 stop: the others go on alone
            keep = torch.tensor([0, 2])
            opt = opt.keep(keep, [p.detach()[keep].clone().requires_grad_(True)
                                  for p in opt.params])
        kept = slice(None) if step < 2 else [0, 2]
        for a, b in zip(opt.params, theirs, strict=True):
            assert torch.equal(a.detach(), b.detach()[kept]), step
