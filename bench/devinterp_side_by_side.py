#!/usr/bin/python3
"""The same rLLC estimate in devinterp and in HeadLab, on identical windows, side by side (issue 13, item 2).

Not part of the build or of CI: it needs Debian's PyTorch and a copy of devinterp's source (bench/README.md).

What is matched before the two numbers are compared:
- the data: HeadLab writes the n_ctx windows its estimators read (`headlab windows`); devinterp samples from exactly
  those rows, and both take the init loss from the first `init_batches` batches of `batch` windows in that order
  (computed here once and handed to devinterp, whose own default would use `num_chains` batches);
- the model: a plain PyTorch transcription of HeadLab's transformer (TransformerLens conventions: LayerNorm with
  population variance, masked scores -1e5, W_Q [H, D, dh], ...), loading the same safetensors checkpoint; its loss at
  w* must equal HeadLab's init loss to ~1e-4 relative, which the script checks and prints;
- the sampler: SGLD with lr = epsilon, localization = gamma, nbeta, restricted to the head's W_Q/W_K/W_V/W_O slices
  with devinterp's `optimize_over_per_model_param` masks; 4 chains x 200 draws, burn-in 0 (the paper's settings).

devinterp enters `torch.autocast(device_type='cpu', dtype=float16, enabled=False)` around every step, which torch
1.13 refuses to enter ("AutocastCPU only support Bfloat16") although it is disabled; a disabled autocast is replaced
by a null context before devinterp is imported (no arithmetic changes). The output says so.
"""
import argparse
import contextlib
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

_real_autocast = torch.autocast


def _autocast(*args, **kwargs):
    if kwargs.get("enabled", True) is False:
        return contextlib.nullcontext()
    return _real_autocast(*args, **kwargs)


torch.autocast = _autocast

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64}


def read_safetensors(path):
    """Every tensor of a safetensors file as float32 torch tensors (BF16 widened by hand: numpy has no bfloat16)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        raw = data[start:end]
        if spec["dtype"] == "BF16":
            a = (np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            a = np.frombuffer(raw, dtype=DTYPES[spec["dtype"]]).astype(np.float32)
        out[name] = torch.from_numpy(a.reshape(spec["shape"]).copy())
    return out


class Transformer(torch.nn.Module):
    """HeadLab's attention-only transformer (core/model/Transformer.java) in PyTorch."""

    def __init__(self, cfg, weights):
        super().__init__()
        if not cfg.get("attn_only", False):
            raise SystemExit("this harness transcribes attention-only models (dyck, lm), not MLPs")
        if cfg.get("positional_embedding_type", "standard") != "standard":
            raise SystemExit("standard positional embeddings only")
        self.cfg = cfg
        self.norm = cfg.get("normalization_type", "LN")
        self.eps = cfg.get("eps", 1e-5)
        self.p = torch.nn.ParameterDict({k.replace(".", "__"): torch.nn.Parameter(v) for k, v in weights.items()})

    def w(self, name):
        return self.p[name.replace(".", "__")]

    def normalize(self, x, name):
        if self.norm in (None, "none", "None"):
            return x
        x = x - x.mean(-1, keepdim=True)
        x = x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        if self.norm == "LN":
            x = x * self.w(name + ".w") + self.w(name + ".b")
        return x

    def forward(self, tokens):
        b, t = tokens.shape
        resid = self.w("embed.W_E")[tokens] + self.w("pos_embed.W_pos")[:t]
        causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
        for layer in range(self.cfg["n_layers"]):
            blk = f"blocks.{layer}."
            x = self.normalize(resid, blk + "ln1")
            q = torch.einsum("btd,hde->bhte", x, self.w(blk + "attn.W_Q")) + self.w(blk + "attn.b_Q")[:, None, :]
            k = torch.einsum("btd,hde->bhte", x, self.w(blk + "attn.W_K")) + self.w(blk + "attn.b_K")[:, None, :]
            v = torch.einsum("btd,hde->bhte", x, self.w(blk + "attn.W_V")) + self.w(blk + "attn.b_V")[:, None, :]
            scores = q @ k.transpose(-1, -2) / math.sqrt(self.cfg["d_head"])
            scores = torch.where(causal, scores, torch.tensor(-1e5))
            z = scores.softmax(-1) @ v
            resid = resid + torch.einsum("bhte,hed->btd", z, self.w(blk + "attn.W_O")) + self.w(blk + "attn.b_O")
        return self.normalize(resid, "ln_final") @ self.w("unembed.W_U") + self.w("unembed.b_U")


def loss_of(model, tokens):
    logits = model(tokens)[:, :-1]
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--step", type=int, required=True)
    ap.add_argument("--head", required=True, help="L:H")
    ap.add_argument("--dataset", default=None)
    ap.add_argument("--jar", default="target/headlab.jar")
    ap.add_argument("--devinterp-src", required=True, help="folder holding devinterp's src/ tree")
    ap.add_argument("--chains", type=int, default=4)
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--epsilon", type=float, default=1e-3)
    ap.add_argument("--gamma", type=float, default=200)
    ap.add_argument("--nbeta", type=float, default=30)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--init-batches", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    layer, head = (int(x) for x in a.head.split(":"))
    sys.path.insert(0, os.path.join(a.devinterp_src, "src"))
    from devinterp.optim.sgld import SGLD
    from devinterp.slt.sampler import estimate_learning_coeff_with_summary

    torch.set_num_threads(a.threads)
    run = json.load(open(os.path.join(a.run, "run.json")))
    cfg = run["model"]
    ckpt = next(c for c in run["checkpoints"] if c["step"] == a.step)
    dataset = a.dataset or run["datasets"][0]["name"]

    java = ["java", "-jar", a.jar]
    with tempfile.TemporaryDirectory() as tmp:
        wfile = os.path.join(tmp, "windows.jsonl")
        subprocess.run(java + ["windows", a.run, "--dataset", dataset, "--out", wfile], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        windows = torch.tensor([json.loads(line)["tokens"] for line in open(wfile)], dtype=torch.long)

    model = Transformer(cfg, read_safetensors(os.path.join(a.run, ckpt["file"])))
    with torch.no_grad():
        init = np.mean([loss_of(model, windows[i * a.batch:(i + 1) * a.batch]).item()
                        for i in range(a.init_batches)])
    masks = {}
    sampled = 0
    for name, p in model.named_parameters():
        m = torch.zeros_like(p, dtype=torch.bool)
        # named_parameters() prefixes the ParameterDict's attribute: "p.blocks__1__attn__W_Q"
        if name.split(".")[-1] in {f"blocks__{layer}__attn__W_{x}" for x in "QKVO"}:
            m[head] = True
            sampled += int(m.sum())
        masks[name] = m
    if sampled != 4 * cfg["d_model"] * cfg["d_head"]:
        raise SystemExit(f"the head mask selects {sampled} weights, expected 4 x d_model x d_head")
    torch.manual_seed(a.seed)  # devinterp pickles the loader: no generator object of its own
    loader = torch.utils.data.DataLoader(windows, batch_size=a.batch, shuffle=True)
    t0 = time.time()
    out = estimate_learning_coeff_with_summary(
        model, loader, evaluate=lambda m, batch: loss_of(m, batch), sampling_method=SGLD,
        optimizer_kwargs=dict(lr=a.epsilon, localization=a.gamma, nbeta=a.nbeta), num_chains=a.chains,
        num_draws=a.draws, num_burnin_steps=0, num_steps_bw_draws=1, init_loss=float(init), seed=a.seed,
        device="cpu", verbose=False, optimize_over_per_model_param=masks)
    t_devinterp = time.time() - t0

    t0 = time.time()
    hl = subprocess.run(java + ["llc", a.run, "--step", str(a.step), "--head", a.head, "--dataset", dataset,
                                "--epsilon", str(a.epsilon), "--gamma", str(a.gamma), "--nbeta", str(a.nbeta),
                                "--chains", str(a.chains), "--draws", str(a.draws), "--batch", str(a.batch),
                                "--init-batches", str(a.init_batches), "--seed", str(a.seed), "--json"],
                        check=True, capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS=str(a.threads)))
    t_headlab = time.time() - t0
    r = json.loads(hl.stdout)["results"][0]
    print(f"run {run['name']} step {a.step} head {a.head} on '{dataset}': {len(windows)} windows x "
          f"{windows.shape[1]} tokens; eps {a.epsilon}, gamma {a.gamma}, nbeta {a.nbeta}, {a.chains} chains x "
          f"{a.draws} draws, batch {a.batch}, {a.threads} threads; torch {torch.__version__} "
          f"(disabled autocast replaced by a null context)")
    print(f"init loss:  devinterp harness {init:.6f}   HeadLab {r['init_loss']:.6f}   "
          f"relative difference {abs(init - r['init_loss']) / abs(r['init_loss']):.1e}")
    print(f"llc:        devinterp {out['llc/mean']:.4f} +- {out['llc/std']:.4f}   "
          f"HeadLab {r['llc/mean']:.4f} +- {r['llc/std']:.4f}")
    print(f"wall time:  devinterp sampling {t_devinterp:.1f} s   HeadLab whole process {t_headlab:.1f} s   "
          f"ratio {t_devinterp / t_headlab:.2f}")


if __name__ == "__main__":
    main()
