#!/usr/bin/python3
"""Makes the test fixtures of `headlab import`: a tiny GPT-2-family checkpoint series in Hugging Face's layout and
the logits and attention patterns of a PyTorch reference forward on fixed inputs.

Also makes the fixture of tools/headlab_run.py (a run written by a training loop): a tiny attention-only model in
TransformerLens's names and layouts saved at two steps through HeadLabRun, with the logits of a TransformerLens-style
forward written here.

Run once, by hand, with Debian's python3-torch (Hugging Face transformers is not available here, so the reference
forward below is written from the published GPT-2 architecture: Radford et al. 2019 and transformers'
modeling_gpt2.py conventions -- Conv1D weights stored [in, out], fused c_attn = [Q | K | V], pre-LayerNorm blocks,
learned positions, gelu_new, the unembedding tied to wte):

    /usr/bin/python3 tools/make_import_fixtures.py src/test/resources/import/gpt2 \
        src/test/resources/import/headlab-run src/test/resources/import/pythia src/test/resources/import/tl-rms

Also a Pythia-style GPT-NeoX series (revisions step0 and step100: fused per-head-interleaved query_key_value,
rotary positions on half of each head, parallel attention + MLP, untied embed_out; the reference forward written from
Black et al. 2022 and transformers' modeling_gpt_neox.py conventions) and a TransformerLens series with RMSNorm,
rotary positions and a silu MLP.

Writes SRC/checkpoint-0/, SRC/checkpoint-100/ (config.json + model.safetensors, names as a GPT2LMHeadModel saves
them), SRC/tokenizer.json (a word-level tokenizer) and SRC/reference.json (inputs, logits [step][seq][pos][vocab],
attention patterns [step][seq][layer][head][query][key]). Standard library + torch only; safetensors is written by
hand (8-byte header length, JSON header, raw little-endian float32).
"""
import json
import math
import os
import shutil
import struct
import sys

import torch

N_LAYER, N_HEAD, N_EMBD, VOCAB, N_POS = 2, 2, 16, 24, 16
EPS = 1e-5
WORDS = ["<|endoftext|>", "<unk>"] + ["w%d" % i for i in range(VOCAB - 2)]


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def random_weights(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *shape, s=0.3: torch.randn(*shape, generator=g) * s
    w = {"transformer.wte.weight": r(VOCAB, N_EMBD), "transformer.wpe.weight": r(N_POS, N_EMBD, s=0.1)}
    for l in range(N_LAYER):
        p = "transformer.h.%d." % l
        w[p + "ln_1.weight"] = 1 + r(N_EMBD, s=0.1)
        w[p + "ln_1.bias"] = r(N_EMBD, s=0.1)
        w[p + "attn.c_attn.weight"] = r(N_EMBD, 3 * N_EMBD)
        w[p + "attn.c_attn.bias"] = r(3 * N_EMBD, s=0.1)
        w[p + "attn.c_proj.weight"] = r(N_EMBD, N_EMBD)
        w[p + "attn.c_proj.bias"] = r(N_EMBD, s=0.1)
        w[p + "ln_2.weight"] = 1 + r(N_EMBD, s=0.1)
        w[p + "ln_2.bias"] = r(N_EMBD, s=0.1)
        w[p + "mlp.c_fc.weight"] = r(N_EMBD, 4 * N_EMBD)
        w[p + "mlp.c_fc.bias"] = r(4 * N_EMBD, s=0.1)
        w[p + "mlp.c_proj.weight"] = r(4 * N_EMBD, N_EMBD)
        w[p + "mlp.c_proj.bias"] = r(N_EMBD, s=0.1)
        # the causal-mask buffer old GPT-2 checkpoints carry: not a parameter, the importer ignores it
        w[p + "attn.bias"] = torch.tril(torch.ones(N_POS, N_POS)).view(1, 1, N_POS, N_POS)
    w["transformer.ln_f.weight"] = 1 + r(N_EMBD, s=0.1)
    w["transformer.ln_f.bias"] = r(N_EMBD, s=0.1)
    return w


def forward(w, ids):
    """GPT-2 forward on one sequence: logits [T, V] and attention patterns [L][H][T][T]."""
    t = len(ids)
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][:t]
    d_head = N_EMBD // N_HEAD
    mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
    patterns = []
    for l in range(N_LAYER):
        p = "transformer.h.%d." % l
        h = torch.nn.functional.layer_norm(x, (N_EMBD,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], EPS)
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(N_EMBD, dim=-1)
        q = q.view(t, N_HEAD, d_head).transpose(0, 1)
        k = k.view(t, N_HEAD, d_head).transpose(0, 1)
        v = v.view(t, N_HEAD, d_head).transpose(0, 1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(d_head)
        scores = scores.masked_fill(~mask, float("-inf"))
        a = torch.softmax(scores, dim=-1)
        patterns.append(a.tolist())
        z = (a @ v).transpose(0, 1).reshape(t, N_EMBD)
        x = x + z @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h2 = torch.nn.functional.layer_norm(x, (N_EMBD,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], EPS)
        m = gelu_new(h2 @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + m @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = torch.nn.functional.layer_norm(x, (N_EMBD,), w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], EPS)
    return (x @ w["transformer.wte.weight"].T).tolist(), patterns


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        data = tensors[name].contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


def main(out):
    os.makedirs(out, exist_ok=True)
    config = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_layer": N_LAYER, "n_head": N_HEAD,
              "n_embd": N_EMBD, "vocab_size": VOCAB, "n_positions": N_POS, "n_ctx": N_POS, "n_inner": None,
              "activation_function": "gelu_new", "layer_norm_epsilon": EPS, "tie_word_embeddings": True,
              "bos_token_id": 0, "eos_token_id": 0}
    tokenizer = {"version": "1.0", "truncation": None, "padding": None,
                 "added_tokens": [{"id": 0, "content": WORDS[0], "single_word": False, "lstrip": False,
                                   "rstrip": False, "normalized": False, "special": True}],
                 "normalizer": None, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": None,
                 "decoder": None, "model": {"type": "WordLevel", "vocab": {wd: i for i, wd in enumerate(WORDS)},
                                            "unk_token": "<unk>"}}
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tokenizer, f, indent=1)
    inputs = [[0, 5, 9, 2, 7, 5, 9, 2], [0, 3, 3, 4, 11, 20, 13, 21, 8, 6]]
    reference = {"made_by": "tools/make_import_fixtures.py (torch %s)" % torch.__version__, "inputs": inputs,
                 "steps": [0, 100], "logits": [], "patterns": []}
    for step, seed in ((0, 1), (100, 2)):
        d = os.path.join(out, "checkpoint-%d" % step)
        os.makedirs(d, exist_ok=True)
        w = random_weights(seed)
        write_safetensors(os.path.join(d, "model.safetensors"), w)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config, f, indent=1)
        logits, patterns = zip(*[forward(w, ids) for ids in inputs])
        reference["logits"].append(list(logits))
        reference["patterns"].append(list(patterns))
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(reference, f)


def tl_attn_only(seed):
    """A TransformerLens state dict of a 2-layer, 2-head attention-only model (d_model 16, d_head 8)."""
    g = torch.Generator().manual_seed(seed)
    r = lambda *shape, s=0.3: torch.randn(*shape, generator=g) * s
    h, d, dh = 2, 16, 8
    w = {"embed.W_E": r(VOCAB, d), "pos_embed.W_pos": r(N_POS, d, s=0.1)}
    for l in range(2):
        b = "blocks.%d." % l
        w[b + "ln1.w"], w[b + "ln1.b"] = 1 + r(d, s=0.1), r(d, s=0.1)
        for m in ("Q", "K", "V"):
            w[b + "attn.W_" + m] = r(h, d, dh)
            w[b + "attn.b_" + m] = r(h, dh, s=0.1)
        w[b + "attn.W_O"] = r(h, dh, d)
        w[b + "attn.b_O"] = r(d, s=0.1)
        w[b + "attn.IGNORE"] = torch.tensor(-1e5)  # a HookedTransformer buffer: left out by HeadLabRun
    w["ln_final.w"], w["ln_final.b"] = 1 + r(d, s=0.1), r(d, s=0.1)
    w["unembed.W_U"], w["unembed.b_U"] = r(d, VOCAB), r(VOCAB, s=0.1)
    return w


def tl_forward(w, ids):
    """TransformerLens's attention-only forward (LN, standard positions): logits [T, V]."""
    t = len(ids)
    x = w["embed.W_E"][ids] + w["pos_embed.W_pos"][:t]
    mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for l in range(2):
        b = "blocks.%d." % l
        h = torch.nn.functional.layer_norm(x, (16,), w[b + "ln1.w"], w[b + "ln1.b"], EPS)
        q = torch.einsum("td,hde->hte", h, w[b + "attn.W_Q"]) + w[b + "attn.b_Q"][:, None, :]
        k = torch.einsum("td,hde->hte", h, w[b + "attn.W_K"]) + w[b + "attn.b_K"][:, None, :]
        v = torch.einsum("td,hde->hte", h, w[b + "attn.W_V"]) + w[b + "attn.b_V"][:, None, :]
        a = torch.softmax((q @ k.transpose(-1, -2) / math.sqrt(8)).masked_fill(~mask, float("-inf")), dim=-1)
        x = x + torch.einsum("hte,hed->td", a @ v, w[b + "attn.W_O"]) + w[b + "attn.b_O"]
    x = torch.nn.functional.layer_norm(x, (16,), w["ln_final.w"], w["ln_final.b"], EPS)
    return (x @ w["unembed.W_U"] + w["unembed.b_U"]).tolist()


def headlab_run_fixture(out, tokenizer_file):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import headlab_run
    if os.path.exists(out):
        shutil.rmtree(out)
    config = {"n_layers": 2, "n_heads": 2, "d_model": 16, "d_head": 8, "d_vocab": VOCAB, "n_ctx": N_POS,
              "attn_only": True, "normalization_type": "LN", "positional_embedding_type": "standard", "eps": EPS}
    run = headlab_run.HeadLabRun(out, config=config, tokenizer_file=tokenizer_file, bos=WORDS[0],
                                 description="written by tools/headlab_run.py from tools/make_import_fixtures.py")
    run.add_dataset("train", ["w1 w2 w3 w1 w2 w3", "w4 w5 w6 w4 w5 w6 w7"])
    inputs = [[0, 5, 9, 2, 7, 5, 9, 2]]
    reference = {"made_by": "tools/make_import_fixtures.py (torch %s)" % torch.__version__, "inputs": inputs,
                 "steps": [0, 50], "logits": []}
    for step, seed in ((0, 3), (50, 4)):
        w = tl_attn_only(seed)
        run.save(step, w)
        reference["logits"].append([tl_forward(w, ids) for ids in inputs])
    with open(os.path.join(os.path.dirname(out), "headlab-run-reference.json"), "w") as f:
        json.dump(reference, f)


NEOX = {"layers": 2, "heads": 2, "hidden": 16, "mlp": 64, "rotary_pct": 0.5, "base": 10000.0}


def neox_weights(seed):
    """A GPTNeoXForCausalLM state dict (Pythia's names): fused query_key_value [3D, D] per-head interleaved."""
    g = torch.Generator().manual_seed(seed)
    r = lambda *shape, s=0.3: torch.randn(*shape, generator=g) * s
    d, m = NEOX["hidden"], NEOX["mlp"]
    w = {"gpt_neox.embed_in.weight": r(VOCAB, d)}
    for l in range(NEOX["layers"]):
        p = "gpt_neox.layers.%d." % l
        w[p + "input_layernorm.weight"], w[p + "input_layernorm.bias"] = 1 + r(d, s=0.1), r(d, s=0.1)
        w[p + "post_attention_layernorm.weight"] = 1 + r(d, s=0.1)
        w[p + "post_attention_layernorm.bias"] = r(d, s=0.1)
        w[p + "attention.query_key_value.weight"] = r(3 * d, d)
        w[p + "attention.query_key_value.bias"] = r(3 * d, s=0.1)
        w[p + "attention.dense.weight"], w[p + "attention.dense.bias"] = r(d, d), r(d, s=0.1)
        w[p + "mlp.dense_h_to_4h.weight"], w[p + "mlp.dense_h_to_4h.bias"] = r(m, d), r(m, s=0.1)
        w[p + "mlp.dense_4h_to_h.weight"], w[p + "mlp.dense_4h_to_h.bias"] = r(d, m), r(d, s=0.1)
        # buffers older GPT-NeoX checkpoints carry: not parameters, the importer skips them
        w[p + "attention.rotary_emb.inv_freq"] = torch.zeros(2)
        w[p + "attention.bias"] = torch.tril(torch.ones(N_POS, N_POS)).view(1, 1, N_POS, N_POS)
    w["gpt_neox.final_layer_norm.weight"] = 1 + r(d, s=0.1)
    w["gpt_neox.final_layer_norm.bias"] = r(d, s=0.1)
    w["embed_out.weight"] = r(VOCAB, d)
    return w


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rotary(x, rd, base):
    """GPT-NeoX rotary positions on [H, T, dh]: the first rd dimensions, halves rotated together."""
    t = x.shape[-2]
    inv_freq = 1.0 / (base ** (torch.arange(0, rd, 2).float() / rd))
    freqs = torch.outer(torch.arange(t).float(), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    x_rot, x_pass = x[..., :rd], x[..., rd:]
    return torch.cat((x_rot * emb.cos() + rotate_half(x_rot) * emb.sin(), x_pass), dim=-1)


def neox_forward(w, ids, parallel):
    """GPT-NeoX forward (Black et al. 2022; transformers' modeling_gpt_neox conventions: Linear weights [out, in],
    qkv viewed as [T, H, 3·dh], partial rotary, parallel residual, exact gelu, untied embed_out): logits [T, V] and
    attention patterns [L][H][T][T]."""
    t, d, h = len(ids), NEOX["hidden"], NEOX["heads"]
    dh = d // h
    rd = int(dh * NEOX["rotary_pct"])
    ln = lambda x, name: torch.nn.functional.layer_norm(x, (d,), w[name + ".weight"], w[name + ".bias"], EPS)
    x = w["gpt_neox.embed_in.weight"][ids]
    mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
    patterns = []
    for l in range(NEOX["layers"]):
        p = "gpt_neox.layers.%d." % l
        qkv = ln(x, p + "input_layernorm") @ w[p + "attention.query_key_value.weight"].T \
            + w[p + "attention.query_key_value.bias"]
        qkv = qkv.view(t, h, 3 * dh).transpose(0, 1)
        q, k, v = qkv[..., :dh], qkv[..., dh:2 * dh], qkv[..., 2 * dh:]
        q, k = rotary(q, rd, NEOX["base"]), rotary(k, rd, NEOX["base"])
        a = torch.softmax((q @ k.transpose(-1, -2) / math.sqrt(dh)).masked_fill(~mask, float("-inf")), dim=-1)
        patterns.append(a.tolist())
        attn = (a @ v).transpose(0, 1).reshape(t, d) @ w[p + "attention.dense.weight"].T \
            + w[p + "attention.dense.bias"]
        mlp = lambda y: torch.nn.functional.gelu(y @ w[p + "mlp.dense_h_to_4h.weight"].T
                                                 + w[p + "mlp.dense_h_to_4h.bias"]) \
            @ w[p + "mlp.dense_4h_to_h.weight"].T + w[p + "mlp.dense_4h_to_h.bias"]
        if parallel:
            x = x + attn + mlp(ln(x, p + "post_attention_layernorm"))
        else:
            x = x + attn
            x = x + mlp(ln(x, p + "post_attention_layernorm"))
    x = ln(x, "gpt_neox.final_layer_norm")
    return (x @ w["embed_out.weight"].T).tolist(), patterns


def neox_fixture(out, tokenizer_file):
    """A Pythia-style series: revisions step0 and step100 (config.json + model.safetensors), parallel residual."""
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    shutil.copy(tokenizer_file, os.path.join(out, "tokenizer.json"))
    config = {"model_type": "gpt_neox", "architectures": ["GPTNeoXForCausalLM"], "vocab_size": VOCAB,
              "hidden_size": NEOX["hidden"], "num_hidden_layers": NEOX["layers"],
              "num_attention_heads": NEOX["heads"], "intermediate_size": NEOX["mlp"], "hidden_act": "gelu",
              "rotary_pct": NEOX["rotary_pct"], "rotary_emb_base": NEOX["base"], "max_position_embeddings": N_POS,
              "layer_norm_eps": EPS, "use_parallel_residual": True, "tie_word_embeddings": False,
              "bos_token_id": 0, "eos_token_id": 0}
    inputs = [[0, 5, 9, 2, 7, 5, 9, 2], [0, 3, 3, 4, 11, 20, 13, 21, 8, 6, 1, 2, 3, 4, 5, 6]]
    reference = {"made_by": "tools/make_import_fixtures.py (torch %s)" % torch.__version__, "inputs": inputs,
                 "steps": [0, 100], "logits": [], "patterns": []}
    for step, seed in ((0, 5), (100, 6)):
        d = os.path.join(out, "step%d" % step)
        os.makedirs(d)
        w = neox_weights(seed)
        write_safetensors(os.path.join(d, "model.safetensors"), w)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config, f, indent=1)
        logits, patterns = zip(*[neox_forward(w, ids, True) for ids in inputs])
        reference["logits"].append(list(logits))
        reference["patterns"].append(list(patterns))
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(reference, f)


def tl_rms_fixture(out):
    """A TransformerLens series with RMSNorm, rotary positions on all of d_head, a silu MLP in sequence: one
    state dict (step 7) and its TL config, logits of a TransformerLens-style forward written here."""
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    g = torch.Generator().manual_seed(7)
    r = lambda *shape, s=0.3: torch.randn(*shape, generator=g) * s
    L, h, d, dh, m = 2, 2, 16, 8, 32
    w = {"embed.W_E": r(VOCAB, d)}
    for l in range(L):
        b = "blocks.%d." % l
        w[b + "ln1.w"], w[b + "ln2.w"] = 1 + r(d, s=0.1), 1 + r(d, s=0.1)
        for x in ("Q", "K", "V"):
            w[b + "attn.W_" + x] = r(h, d, dh)
            w[b + "attn.b_" + x] = r(h, dh, s=0.1)
        w[b + "attn.W_O"], w[b + "attn.b_O"] = r(h, dh, d), r(d, s=0.1)
        w[b + "mlp.W_in"], w[b + "mlp.b_in"] = r(d, m), r(m, s=0.1)
        w[b + "mlp.W_out"], w[b + "mlp.b_out"] = r(m, d), r(d, s=0.1)
    w["ln_final.w"] = 1 + r(d, s=0.1)
    w["unembed.W_U"], w["unembed.b_U"] = r(d, VOCAB), r(VOCAB, s=0.1)
    write_safetensors(os.path.join(out, "model_7.safetensors"), w)
    config = {"n_layers": L, "n_heads": h, "d_model": d, "d_head": dh, "d_vocab": VOCAB, "n_ctx": N_POS,
              "d_mlp": m, "act_fn": "silu", "attn_only": False, "normalization_type": "RMS", "eps": EPS,
              "positional_embedding_type": "rotary", "rotary_dim": dh, "rotary_base": 10000}
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    rms = lambda x, name: x / (x.pow(2).mean(-1, keepdim=True) + EPS).sqrt() * w[name]
    ids = [0, 5, 9, 2, 7, 5, 9, 2, 4, 4]
    t = len(ids)
    x = w["embed.W_E"][ids]
    mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for l in range(L):
        b = "blocks.%d." % l
        y = rms(x, b + "ln1.w")
        q, k, v = (torch.einsum("td,hde->hte", y, w[b + "attn.W_" + n]) + w[b + "attn.b_" + n][:, None, :]
                   for n in ("Q", "K", "V"))
        q, k = rotary(q, dh, 10000.0), rotary(k, dh, 10000.0)
        a = torch.softmax((q @ k.transpose(-1, -2) / math.sqrt(dh)).masked_fill(~mask, float("-inf")), dim=-1)
        x = x + torch.einsum("hte,hed->td", a @ v, w[b + "attn.W_O"]) + w[b + "attn.b_O"]
        y = rms(x, b + "ln2.w")
        x = x + torch.nn.functional.silu(y @ w[b + "mlp.W_in"] + w[b + "mlp.b_in"]) @ w[b + "mlp.W_out"] \
            + w[b + "mlp.b_out"]
    x = rms(x, "ln_final.w")
    reference = {"made_by": "tools/make_import_fixtures.py (torch %s)" % torch.__version__, "inputs": [ids],
                 "steps": [7], "logits": [[(x @ w["unembed.W_U"] + w["unembed.b_U"]).tolist()]]}
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(reference, f)


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    main(sys.argv[1])
    if len(sys.argv) > 2:
        headlab_run_fixture(sys.argv[2], os.path.join(sys.argv[1], "tokenizer.json"))
    if len(sys.argv) > 3:
        neox_fixture(sys.argv[3], os.path.join(sys.argv[1], "tokenizer.json"))
    if len(sys.argv) > 4:
        tl_rms_fixture(sys.argv[4])
