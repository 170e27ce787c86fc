"""The neural network of the energy model and its training: many small networks as one.

The network is the source design, Linear-ReLU-Linear-ReLU-Linear, plus a linear path from
its inputs to its output (a skip connection), trained with AdamW on the mean squared error
of standardised log intensity, with weight decay on the MLP's weights and early stopping on
an inner validation split.

The linear path starts at the least-squares fit of the member's training rows (the
log-linear baseline) and the MLP's output layer starts at zero: every network starts as
the log-linear model, and the MLP learns only what that misses, for as long as the
validation rows say it helps. Why: a city has 50-100 districts, often a few very unlike
the rest (a downtown with ten times the floor area per resident). A plain MLP,
early-stopped after a few dozen steps on a dozen validation rows, is then worse than the
log-linear baseline and extrapolates badly to those districts: on Chicago's real 2010 data
its cross-validated CV(RMSE), averaged over five fold splits, was 0.62 for electricity and
0.55 for gas against the baseline's 0.42 and 0.27; starting from the linear fit it is 0.48
and 0.26. On generated cities (every column, a smooth non-linear law) the plain MLP was
better for electricity: 0.20 against 0.22 at 77 districts, 0.30 against 0.37 at 801 (as
good in log units, its errors fall less on the largest districts). A ridge start with the penalty chosen by
generalised cross-validation was tried too: better on the generated city (0.19), much
worse for electricity on the real one (0.56), as it shrinks the extrapolation to the
largest districts, which dominate totals. Where there is a non-linear law to learn (the
tests' synthetic city) the MLP learns it.

Every network of an evaluation (all folds x ensemble members x targets, plus the final
ensemble trained on all rows) is ONE batched model: weights are stacked along a leading
member axis and trained together with ``torch.bmm``; each member has its own row masks,
its own standardisation and its own least-squares start. AdamW is element-wise, so this
equals training them one by one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from core.device import pick_device

MIN_EPOCHS = 5  # the least epochs of training and of patience, however large the city
LS_RIDGE = 1e-3  # on the inputs' correlation matrix: keeps collinear inputs solvable

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class TrainConfig:
    """Settings of the network and its validation. Defaults are judgement values chosen to
    generalise at 50-100 rows (small layers, strong decay, early stopping) and to stay fast
    at 100,000 rows; they are the same for every city, never tuned to the bundled one."""

    hidden: int = 16
    lr: float = 0.003
    weight_decay: float = 0.05
    max_epochs: int = 1500  # optimizer steps, in full-batch epochs (see fit_batched)
    patience: int = 60  # in the same units
    min_delta: float = 1e-3  # relative improvement of the validation loss that resets patience
    val_share: float = 0.2
    members: int = 5
    folds: int | None = 5  # None = leave-one-out
    seed: int = 0
    batch_rows: int = 2048  # full batch up to this many rows, mini-batches of this size beyond
    device: str = "auto"


#: the tensors of an Ensemble, in constructor order
TENSORS = ("W0", "W1", "b1", "W2", "b2", "W3", "b3", "x_mean", "x_sd", "y_mean", "y_sd")


@dataclass
class Ensemble:
    """Stacked weights of M networks and the standardisation each was trained with."""

    W0: torch.Tensor  # (M, d, 1) the linear path from inputs to output
    W1: torch.Tensor  # (M, d, h)
    b1: torch.Tensor  # (M, 1, h)
    W2: torch.Tensor  # (M, h, h)
    b2: torch.Tensor
    W3: torch.Tensor  # (M, h, 1)
    b3: torch.Tensor  # (M, 1, 1)
    x_mean: torch.Tensor  # (M, 1, d)
    x_sd: torch.Tensor
    y_mean: torch.Tensor  # (M, 1)
    y_sd: torch.Tensor
    epochs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # (M,) best epoch

    @property
    def params(self) -> list[torch.Tensor]:
        return [self.W0, self.W1, self.b1, self.W2, self.b2, self.W3, self.b3]

    def standardise(self, X: torch.Tensor) -> torch.Tensor:
        """Shared inputs X (n, d) as each member's standardised inputs (M, n, d)."""
        return (X.unsqueeze(0) - self.x_mean) / self.x_sd

    def forward(self, Xs: torch.Tensor) -> torch.Tensor:
        """Standardised outputs (M, n) for standardised inputs (M, n, d)."""
        h = torch.relu(torch.baddbmm(self.b1, Xs, self.W1))
        h = torch.relu(torch.baddbmm(self.b2, h, self.W2))
        return (torch.baddbmm(self.b3, h, self.W3) + torch.bmm(Xs, self.W0)).squeeze(-1)

    @torch.no_grad()
    def predict_log(self, X: np.ndarray | torch.Tensor, chunk: int = 65536) -> np.ndarray:
        """Log intensity (M, n) of every member for every row."""
        dev = self.W1.device
        Xt = torch.as_tensor(X, dtype=torch.float32, device=dev)
        outs = [self.forward(self.standardise(Xt[i:i + chunk])) * self.y_sd + self.y_mean
                for i in range(0, Xt.shape[0], chunk)]
        return torch.cat(outs, dim=1).cpu().numpy().astype(float)

    def select(self, idx: np.ndarray) -> Ensemble:
        """The members at positions ``idx``, as a new ensemble."""
        i = torch.as_tensor(idx, device=self.W1.device)
        return Ensemble(*(getattr(self, n).detach()[i].clone() for n in TENSORS),
                        epochs=self.epochs[idx])

    def state(self) -> dict[str, torch.Tensor]:
        """Weights, standardisation and best epochs as a state dict of CPU tensors."""
        return {**{n: getattr(self, n).detach().cpu() for n in TENSORS},
                "epochs": torch.as_tensor(self.epochs, dtype=torch.long)}

    @classmethod
    def from_state(cls, state: dict[str, torch.Tensor], device: torch.device) -> Ensemble:
        """The ensemble a ``state()`` dict describes, on ``device`` (KeyError if incomplete)."""
        return cls(*(state[n].to(device) for n in TENSORS), epochs=state["epochs"].numpy())



def _init(M: int, d: int, h: int, seed: int, dev: torch.device):
    """PyTorch's Linear default, uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases,
    drawn per member from ``(seed, member)``: member m starts the same whatever the batch."""
    shapes = (((d, h), d), ((1, h), d), ((h, h), h), ((1, h), h), ((h, 1), h), ((1, 1), h))
    per_member = []
    for m in range(M):
        gen = torch.Generator().manual_seed(int(np.random.SeedSequence([seed, m]).generate_state(1)[0]))
        per_member.append([(torch.rand(shape, generator=gen) * 2 - 1) / math.sqrt(max(fan_in, 1))
                           for shape, fan_in in shapes])
    return tuple(torch.stack([w[i] for w in per_member]).to(dev).requires_grad_(True)
                 for i in range(len(shapes)))


def _masked_stats(V: torch.Tensor, mask: torch.Tensor,
                  per_member: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and sd over each member's masked rows.

    ``V`` is (n, d) shared features (-> (M, d)) or, with ``per_member``, (M, n) targets (-> (M,)).
    """
    w = mask / mask.sum(1, keepdim=True).clamp(min=1)
    if per_member:
        mean = (w * V).sum(1)
        var = (w * (V - mean[:, None]) ** 2).sum(1)
    else:
        mean = w @ V
        var = w @ (V ** 2) - mean ** 2
    return mean, var.clamp(min=0).sqrt()


def _least_squares(Xs: torch.Tensor, Ys: torch.Tensor, tr: torch.Tensor,
                   chunk: int) -> torch.Tensor:
    """(M, d, 1) least-squares weights of each member's standardised targets Ys (M, n) on its
    standardised inputs Xs (M, n, d) over its training rows ``tr`` (M, n): the linear path's
    start, the log-linear fit of those rows. Both are centred on those rows, so no intercept
    is needed; the normal equations are accumulated ``chunk`` rows at a time."""
    M, n, d = Xs.shape
    gram = Xs.new_zeros(M, d, d)
    xy = Xs.new_zeros(M, d, 1)
    for r in range(0, n, chunk):
        xt = (Xs[:, r:r + chunk] * tr[:, r:r + chunk, None]).transpose(1, 2)  # (M, d, rows)
        gram += torch.bmm(xt, Xs[:, r:r + chunk])
        xy += torch.bmm(xt, Ys[:, r:r + chunk, None])
    n_tr = tr.sum(1).clamp(min=1)[:, None, None]
    return torch.linalg.solve(gram / n_tr + LS_RIDGE * torch.eye(d, device=Xs.device), xy / n_tr)


def fit_batched(X: np.ndarray, Y: np.ndarray, train: np.ndarray, val: np.ndarray,
                config: TrainConfig, progress: Progress | None = None) -> Ensemble:
    """Train M networks at once.

    Parameters
    ----------
    X
        (n, d) features shared by all members.
    Y
        (M, n) target (log intensity) of each member; NaN where unknown.
    train, val
        (M, n) boolean masks: rows each member fits, and rows it early-stops on.
    """
    dev = pick_device(config.device)
    torch.manual_seed(config.seed)
    M, n = Y.shape
    Xt = torch.as_tensor(X, dtype=torch.float32, device=dev)
    Yt = torch.as_tensor(np.nan_to_num(Y), dtype=torch.float32, device=dev)
    tr = torch.as_tensor(train, dtype=torch.float32, device=dev)
    va = torch.as_tensor(val, dtype=torch.float32, device=dev)
    x_mean, x_sd = _masked_stats(Xt, tr, per_member=False)
    x_sd = torch.where(x_sd > 0, x_sd, torch.ones_like(x_sd))
    y_mean, y_sd = _masked_stats(Yt, tr, per_member=True)
    y_sd = torch.where(y_sd > 0, y_sd, torch.ones_like(y_sd))
    Ys = (Yt - y_mean[:, None]) / y_sd[:, None]
    ens = Ensemble(torch.zeros(M, X.shape[1], 1, device=dev),
                   *_init(M, X.shape[1], config.hidden, config.seed, dev),
                   x_mean[:, None, :], x_sd[:, None, :], y_mean[:, None], y_sd[:, None])
    with torch.no_grad():
        Xs = ens.standardise(Xt)  # (M, n, d), computed once
        ens.W0.copy_(_least_squares(Xs, Ys, tr, config.batch_rows))
        ens.W3.zero_()  # the MLP path starts silent: the network starts as the linear fit
        ens.b3.zero_()
    ens.W0.requires_grad_(True)
    weights = [ens.W1, ens.W2, ens.W3]
    unpenalised = [ens.W0, ens.b1, ens.b2, ens.b3]
    opt = torch.optim.AdamW([{"params": weights, "weight_decay": config.weight_decay},
                             {"params": unpenalised, "weight_decay": 0.0}], lr=config.lr)
    best = [p.detach().clone() for p in ens.params]
    best_loss = torch.full((M,), float("inf"), device=dev)
    since = torch.zeros(M, dtype=torch.long, device=dev)
    best_epoch = torch.zeros(M, dtype=torch.long, device=dev)
    n_val = va.sum(1).clamp(min=1)
    has_val = va.sum(1) > 0
    full = n <= config.batch_rows
    # Budgets count optimizer steps: with mini-batches an epoch takes several steps, so a
    # large city runs fewer, equally costly-per-row epochs (at least a few each).
    steps_per_epoch = math.ceil(n / config.batch_rows)
    max_epochs = max(math.ceil(config.max_epochs / steps_per_epoch), MIN_EPOCHS)
    patience = max(math.ceil(config.patience / steps_per_epoch), MIN_EPOCHS)
    perm_gen = torch.Generator().manual_seed(config.seed + 1)
    def track(out: torch.Tensor, epoch: int) -> None:
        """Early stopping: remember each member's parameters at its best validation loss."""
        nonlocal best_loss, best_epoch, since
        sq = (out - Ys) ** 2
        v = torch.where(has_val, (sq * va).sum(1) / n_val,
                        (sq * tr).sum(1) / tr.sum(1).clamp(min=1))
        better = (v < best_loss * (1 - config.min_delta)) & (since <= patience)
        best_loss = torch.where(better, v, best_loss)
        best_epoch = torch.where(better, torch.full_like(best_epoch, epoch), best_epoch)
        since = torch.where(better, torch.zeros_like(since), since + 1)
        for b, p in zip(best, ens.params, strict=True):
            b.copy_(torch.where(better.view(-1, *([1] * (p.dim() - 1))), p.detach(), b))

    for epoch in range(max_epochs):
        if full:  # one step per epoch; the forward pass before the step also scores validation
            out = ens.forward(Xs)
            with torch.no_grad():
                track(out.detach(), epoch)
            loss = (((out - Ys) ** 2 * tr).sum(1) / tr.sum(1).clamp(min=1)).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        else:
            order = torch.randperm(n, generator=perm_gen).to(dev)
            for r in torch.split(order, config.batch_rows):
                m = tr[:, r]
                err = (ens.forward(Xs[:, r]) - Ys[:, r]) ** 2 * m
                loss = (err.sum(1) / m.sum(1).clamp(min=1)).sum()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            with torch.no_grad():
                track(torch.cat([ens.forward(x) for x in torch.split(Xs, config.batch_rows, dim=1)],
                                dim=1), epoch + 1)
        stopped = since > patience
        done = bool(stopped.all())
        if progress is not None and (epoch % 20 == 0 or done):
            progress(max(epoch / max_epochs, float(stopped.float().mean())),
                     f"epoch {epoch + 1}: {int(stopped.sum())} of {M} networks stopped early")
        if done:
            break
    with torch.no_grad():
        for b, p in zip(best, ens.params, strict=True):
            p.copy_(b)
            p.requires_grad_(False)
    ens.epochs = best_epoch.cpu().numpy() + 1
    return ens
