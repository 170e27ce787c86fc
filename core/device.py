"""Which torch device computes: ``cuda`` when there is one, else ``cpu``."""

from __future__ import annotations

import torch

from core.errors import InputError

CHOICES = ("auto", "cpu", "cuda")


def pick_device(pref: str = "auto") -> torch.device:
    """``auto``: cuda when available, else cpu. ``cuda`` without a GPU is an InputError."""
    if pref not in CHOICES:
        raise InputError(f"unknown device '{pref}'; choose one of {', '.join(CHOICES)}")
    if pref == "cuda" and not torch.cuda.is_available():
        raise InputError("device 'cuda' was asked for but no CUDA device is available; "
                         "use 'auto' or 'cpu'")
    if pref == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(pref)
