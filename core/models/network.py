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

What that costs (issue 13: 34.6 s for train + cross-validation at 10,000 districts): a
network that has stopped early leaves the batch with its optimizer state, so the last
networks to stop no longer carry all the others (each keeps exactly its own path, up to
float rounding); with mini-batches, the validation loss is computed on each network's
validation rows only, not on every row; rows are gathered with ``index_select``; and torch
runs on ``GREENPRINT_TRAIN_THREADS`` intra-op threads (1 by default: these are small
networks, and on a busy shared 2-core machine two threads made the 801-district run 10x
slower) below ``GREENPRINT_TRAIN_PARALLEL_ROWS`` districts (5,000), and on every core from
there up, where each operation is large enough to share (10,000 districts on an idle 2-core
machine: about 6.5 s with one thread, 4.1 s with two).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.optim.adamw import adamw

from core.device import pick_device
from core.settings import get_settings

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
        return _forward(*self.params, Xs)

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


def _forward(W0, W1, b1, W2, b2, W3, b3, Xs: torch.Tensor) -> torch.Tensor:
    """Standardised outputs (M, n) of M networks for their standardised inputs Xs (M, n, d)."""
    h = torch.relu(torch.baddbmm(b1, Xs, W1))
    h = torch.relu(torch.baddbmm(b2, h, W2))
    return (torch.baddbmm(b3, h, W3) + torch.bmm(Xs, W0)).squeeze(-1)


@contextmanager
def _intra_op_threads(threads: int, device: torch.device) -> Iterator[None]:
    """torch's intra-op CPU threads set to ``threads`` for the block (0 or a GPU: unchanged)."""
    before = torch.get_num_threads()
    if threads and device.type == "cpu":
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


#: AdamW's hyper-parameters besides lr and weight decay: torch.optim.AdamW's own defaults
_ADAMW_DEFAULTS = inspect.signature(torch.optim.AdamW).parameters
BETAS: tuple[float, float] = _ADAMW_DEFAULTS["betas"].default
EPS: float = _ADAMW_DEFAULTS["eps"].default
DECAYED = (1, 3, 5)  # W1, W2, W3 in Ensemble.params order: the MLP's weights, decayed
UNDECAYED = (0, 2, 4, 6)  # W0, b1, b2, b3


@dataclass
class _AdamW:
    """AdamW over the parameters in :attr:`Ensemble.params` order, weight decay on the MLP's
    weights (W1, W2, W3) only: each parameter's moments and step count, stepped by torch's
    functional ``torch.optim.adamw.adamw`` per group, the update ``torch.optim.AdamW`` makes
    with the same state. Not that optimizer object: constructing one imports torch._dynamo,
    71 MB of server memory on the Energy model page (issue 13)."""

    params: list[torch.Tensor]
    exp_avg: list[torch.Tensor]  # first moments, one per parameter, its shape
    exp_avg_sq: list[torch.Tensor]  # second moments
    steps: list[torch.Tensor]  # steps taken, one CPU scalar per parameter (as AdamW keeps it)
    lr: float
    weight_decay: float  # on W1, W2 and W3

    @classmethod
    def start(cls, params: list[torch.Tensor], config: TrainConfig) -> _AdamW:
        """No step taken yet: zero moments and step counts."""
        return cls(params, [torch.zeros_like(p) for p in params],
                   [torch.zeros_like(p) for p in params],
                   [torch.zeros((), dtype=torch.float32) for _ in params],
                   config.lr, config.weight_decay)

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (AdamW's ``zero_grad(set_to_none=True)``)."""
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """One AdamW step of every parameter from its ``.grad``."""
        for group, decay in ((DECAYED, self.weight_decay), (UNDECAYED, 0.0)):
            adamw([self.params[i] for i in group], [self.params[i].grad for i in group],
                  [self.exp_avg[i] for i in group], [self.exp_avg_sq[i] for i in group], [],
                  [self.steps[i] for i in group], amsgrad=False, beta1=BETAS[0],
                  beta2=BETAS[1], lr=self.lr, weight_decay=decay, eps=EPS, maximize=False)

    def keep(self, keep: torch.Tensor, params: list[torch.Tensor]) -> _AdamW:
        """The state of the networks at positions ``keep`` (of the A) for their ``params``:
        moments per member; the step count is shared."""
        return _AdamW(params, [v[keep].clone() for v in self.exp_avg],
                      [v[keep].clone() for v in self.exp_avg_sq],
                      [s.clone() for s in self.steps], self.lr, self.weight_decay)


@dataclass
class _Live:
    """The networks still training (A of the M): their parameters, optimizer state, data and the
    rows their validation loss is taken on. Early stopping drops the networks that stopped
    (:meth:`keep`): AdamW is element-wise and each member's loss is its own, so the others
    follow exactly the path they would follow beside them."""

    members: torch.Tensor  # (A,) positions among the M
    params: list[torch.Tensor]  # Ensemble.params order, (A, ...)
    opt: _AdamW
    Xs: torch.Tensor  # (A, n, d) standardised inputs
    Ys: torch.Tensor  # (A, n) standardised targets
    tr: torch.Tensor  # (A, n) training rows (float mask)
    scored: torch.Tensor  # (A, n) rows of the validation loss (float mask)
    score_X: torch.Tensor  # (A, V, d) inputs of the rows the validation loss is taken on
    score_Y: torch.Tensor  # (A, V)
    score_w: torch.Tensor  # (A, V) 1 on those rows, 0 on padding

    def keep(self, keep: torch.Tensor) -> _Live:
        """The same run with only the networks at positions ``keep`` (of the A)."""
        params = [p.detach()[keep].clone().requires_grad_(True) for p in self.params]
        opt = self.opt.keep(keep, params)
        return _Live(self.members[keep], params, opt, self.Xs[keep], self.Ys[keep],
                     self.tr[keep], self.scored[keep], self.score_X[keep], self.score_Y[keep],
                     self.score_w[keep])


def _score_rows(Xs: torch.Tensor, Ys: torch.Tensor, rows: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Each member's ``rows`` (M, n mask) gathered to the front: inputs (M, V, d), targets
    (M, V) and weights (M, V: 1 on a row, 0 on padding), V the most rows of a member."""
    count = rows.sum(1).long()
    width = max(int(count.max()), 1)
    order = torch.argsort((rows == 0).to(torch.int8), dim=1, stable=True)[:, :width]
    members = torch.arange(Xs.shape[0], device=Xs.device)[:, None]
    weight = (torch.arange(width, device=Xs.device)[None, :] < count[:, None]).to(Xs.dtype)
    return Xs[members, order], Ys[members, order], weight


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
        (M, n) boolean masks: rows each member fits, and rows it early-stops on (a member
        without validation rows early-stops on its training rows).

    On a CPU, torch runs with :func:`train_threads` intra-op threads meanwhile.
    """
    dev = pick_device(config.device)
    with _intra_op_threads(train_threads(X.shape[0]), dev):
        return _fit(X, Y, train, val, config, dev, progress)


def train_threads(rows: int) -> int:
    """torch's intra-op CPU threads for training on ``rows`` districts (0: torch's default,
    one per core): ``GREENPRINT_TRAIN_THREADS`` for a city below
    ``GREENPRINT_TRAIN_PARALLEL_ROWS`` districts, whose small operations make threads wait
    on each other, badly so on a busy machine; every core from there up, where each
    operation is large enough to share (benchmarks/models.py measures both)."""
    s = get_settings()
    return s.train_threads if rows < s.train_parallel_rows else 0


def _fit(X: np.ndarray, Y: np.ndarray, train: np.ndarray, val: np.ndarray,
         config: TrainConfig, dev: torch.device, progress: Progress | None) -> Ensemble:
    """:func:`fit_batched` on ``dev``."""
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
    scored = torch.where(va.sum(1, keepdim=True) > 0, va, tr)  # rows of the validation loss
    live = _Live(torch.arange(M, device=dev), ens.params, _AdamW.start(ens.params, config), Xs,
                 Ys, tr, scored, *_score_rows(Xs, Ys, scored))
    best = [p.detach().clone() for p in ens.params]
    best_loss = torch.full((M,), float("inf"), device=dev)
    since = torch.zeros(M, dtype=torch.long, device=dev)
    best_epoch = torch.zeros(M, dtype=torch.long, device=dev)
    full = n <= config.batch_rows
    # Budgets count optimizer steps: with mini-batches an epoch takes several steps, so a
    # large city runs fewer, equally costly-per-row epochs (at least a few each).
    steps_per_epoch = math.ceil(n / config.batch_rows)
    max_epochs = max(math.ceil(config.max_epochs / steps_per_epoch), MIN_EPOCHS)
    patience = max(math.ceil(config.patience / steps_per_epoch), MIN_EPOCHS)
    perm_gen = torch.Generator().manual_seed(config.seed + 1)

    def track(loss: torch.Tensor, epoch: int) -> None:
        """Early stopping: remember each live member's parameters at its best validation
        loss ``loss`` (A,)."""
        at = live.members
        before, waited = best_loss[at], since[at]
        better = (loss < before * (1 - config.min_delta)) & (waited <= patience)
        best_loss[at] = torch.where(better, loss, before)
        best_epoch[at] = torch.where(better, torch.full_like(waited, epoch), best_epoch[at])
        since[at] = torch.where(better, torch.zeros_like(waited), waited + 1)
        for b, p in zip(best, live.params, strict=True):
            b[at] = torch.where(better.view(-1, *([1] * (p.dim() - 1))), p.detach(), b[at])

    def masked_mean(sq: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return (sq * w).sum(1) / w.sum(1).clamp(min=1)

    for epoch in range(max_epochs):
        if full:  # one step per epoch; the forward pass before the step also scores validation
            out = _forward(*live.params, live.Xs)
            sq = (out - live.Ys) ** 2
            with torch.no_grad():
                track(masked_mean(sq.detach(), live.scored), epoch)
            loss = masked_mean(sq, live.tr).sum()
            live.opt.zero_grad()
            loss.backward()
            live.opt.step()
        else:
            order = torch.randperm(n, generator=perm_gen).to(dev)
            for r in torch.split(order, config.batch_rows):
                # index_select, not Xs[:, r]: the same rows, gathered about 7x faster
                m = live.tr.index_select(1, r)
                out = _forward(*live.params, live.Xs.index_select(1, r))
                loss = masked_mean((out - live.Ys.index_select(1, r)) ** 2, m).sum()
                live.opt.zero_grad()
                loss.backward()
                live.opt.step()
            with torch.no_grad():  # the validation rows only
                track(masked_mean((_forward(*live.params, live.score_X) - live.score_Y) ** 2,
                                  live.score_w), epoch + 1)
        stopped = since > patience
        n_stopped = int(stopped.sum())
        if progress is not None and (epoch % 20 == 0 or n_stopped == M):
            progress(max(epoch / max_epochs, n_stopped / M),
                     f"epoch {epoch + 1}: {n_stopped} of {M} networks stopped early")
        if n_stopped == M:
            break
        going = ~stopped[live.members]
        if int((~going).sum()) >= max(1, live.members.numel() // 8):
            live = live.keep(torch.nonzero(going).squeeze(1))
    with torch.no_grad():
        for b, p in zip(best, ens.params, strict=True):
            p.copy_(b)
            p.requires_grad_(False)
    ens.epochs = best_epoch.cpu().numpy() + 1
    return ens
