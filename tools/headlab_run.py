"""Save a PyTorch training run as a HeadLab run while it trains (standard library + torch only).

HeadLab reads a run folder: run.json (the model's TransformerLens config, the tokenizer, the dataset slices, the
checkpoints) and one safetensors file per checkpoint with TransformerLens parameter names. This module writes that
folder from a training loop, one checkpoint at a time, and rewrites run.json after each (atomically: a crash leaves
the previous run.json), so the run opens in HeadLab at any point of training:

    import headlab_run
    run = headlab_run.HeadLabRun("runs/mine", config={"n_layers": 2, "n_heads": 4, "d_model": 64, "d_head": 16,
                                 "d_vocab": 512, "n_ctx": 128, "attn_only": True, "normalization_type": "LN",
                                 "positional_embedding_type": "standard"},
                                 tokenizer_file="tokenizer.json", bos="<bos>")
    run.add_dataset("train", ["first document", "second document"])
    for step in range(10_001):
        train_step(model)                                   # your loop
        if step in (0, 10, 100, 1000, 10_000):
            run.save(step, model.state_dict())              # a HookedTransformer's state dict: names as they are

`save` accepts a TransformerLens HookedTransformer's state_dict (names such as blocks.0.attn.W_Q, shapes
[n_heads, d_model, d_head]); buffers it carries (IGNORE masks, hook points) are left out; tensors are stored as
float32. `headlab info runs/mine` checks the folder; `headlab import` reads Hugging Face GPT-2 series instead.
"""
import json
import os
import shutil
import struct
import tempfile

FORMAT = "headlab-run/1"
# the TransformerLens config keys HeadLab reads (a HookedTransformerConfig's to_dict() has many more, some of them
# not JSON, such as its dtype)
_CONFIG_KEYS = ("n_layers", "n_heads", "d_model", "d_head", "d_vocab", "n_ctx", "attn_only", "d_mlp", "act_fn",
                "normalization_type", "positional_embedding_type", "eps", "model_name")
_TL_PARAMETER_SUFFIXES = ("W_E", "W_pos", "W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O", "W_in", "b_in",
                          "W_out", "b_out", "W_U", "b_U", ".w", ".b")


class HeadLabRun:
    """A HeadLab run folder being written by a training loop."""

    def __init__(self, folder, config, tokenizer_file=None, bos=None, name=None, description=""):
        for key in ("n_layers", "n_heads", "d_model", "d_head", "d_vocab", "n_ctx"):
            if not isinstance(config.get(key), int) or config[key] <= 0:
                raise ValueError("config[%r] must be a positive integer, not %r" % (key, config.get(key)))
        self.folder = folder
        self.config = {k: config[k] for k in _CONFIG_KEYS if config.get(k) is not None}
        os.makedirs(os.path.join(folder, "checkpoints"), exist_ok=True)
        os.makedirs(os.path.join(folder, "data"), exist_ok=True)
        tokenizer = {"type": "huggingface", "file": "tokenizer.json"}
        if tokenizer_file is not None:
            shutil.copyfile(tokenizer_file, os.path.join(folder, "tokenizer.json"))
        if bos is not None:
            tokenizer["bos"] = bos
        existing = self._read()
        self.manifest = existing or {"format": FORMAT, "name": name or os.path.basename(os.path.abspath(folder)),
                                     "description": description, "model": self.config, "tokenizer": tokenizer,
                                     "datasets": [], "checkpoints": []}
        if existing and existing.get("model") != self.config:
            raise ValueError("%s holds a run of another model: %r" % (folder, existing.get("model")))
        self._write_manifest()

    def add_dataset(self, name, texts, description=""):
        """A dataset slice, one document per text, as data/NAME.jsonl."""
        path = "data/%s.jsonl" % name
        self._atomic(os.path.join(self.folder, path),
                     "".join(json.dumps({"text": t}) + "\n" for t in texts).encode("utf-8"))
        self.manifest["datasets"] = [d for d in self.manifest["datasets"] if d["name"] != name]
        self.manifest["datasets"].append({"name": name, "file": path, "description": description})
        self._write_manifest()

    def save(self, step, state_dict):
        """The weights at STEP (a TransformerLens state dict); run.json is rewritten to list it."""
        if not isinstance(step, int) or step < 0:
            raise ValueError("step must be a non-negative integer, not %r" % (step,))
        if any(c["step"] == step for c in self.manifest["checkpoints"]):
            raise ValueError("step %d is already saved" % step)
        tensors = {}
        for key, value in state_dict.items():
            if key.endswith(_TL_PARAMETER_SUFFIXES) and not key.endswith("IGNORE"):
                tensors[key] = value.detach().to("cpu").float().contiguous()
        path = "checkpoints/step-%06d.safetensors" % step
        self._atomic(os.path.join(self.folder, path), _safetensors(tensors, {"format": "pt", "step": str(step)}))
        self.manifest["checkpoints"].append({"step": step, "file": path})
        self.manifest["checkpoints"].sort(key=lambda c: c["step"])
        self._write_manifest()

    def _read(self):
        try:
            with open(os.path.join(self.folder, "run.json")) as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def _write_manifest(self):
        self._atomic(os.path.join(self.folder, "run.json"), json.dumps(self.manifest, indent=2).encode("utf-8"))

    @staticmethod
    def _atomic(path, data):
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)


def _safetensors(tensors, metadata):
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name in sorted(tensors):
        t = tensors[name]
        data = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)
    return struct.pack("<Q", len(head)) + head + b"".join(blobs)
