#!/usr/bin/python3
"""PyTorch reference for the Hugging Face decoder's CPU speed figures in docs/benchmarks.md.

A Llama-shaped model of about 100M parameters (hidden 768, 12 layers, 12 heads, 4 key/value heads, SwiGLU 2048,
vocabulary 16384, untied head), written once as a Hugging Face checkpoint folder that both sides load:

    /usr/bin/python3 benchmarks/reference/llama_torch.py --write /tmp/llama-100m
    /usr/bin/python3 benchmarks/reference/llama_torch.py /tmp/llama-100m          # PyTorch (Debian's python3-torch)
    dotnet run -c Release --project benchmarks/PrefSuite.Benchmarks -- hf-speed /tmp/llama-100m

The PyTorch side is this file's own implementation of transformers' LlamaForCausalLM forward pass (RMSNorm, rotary
embeddings in the rotate-half layout, grouped-query attention, SwiGLU), the way a user of PyTorch 1.13 would run it:
eager attention (PyTorch 1.13 has no fused scaled_dot_product_attention), a preallocated key/value cache for sampling,
AdamW for training. Same measurements on both sides, both on one thread:
  * training step: forward + backward + AdamW on 8 sequences x 128 tokens (the loss is the mean token NLL), median of 7
    after 2 warm-up steps;
  * sampling: a 32-token prompt, 64 new tokens at temperature 1 with the KV cache, batch 1 and 16, tokens per second
    over all rows (rows that draw EOS stop), best of 3 after a warm-up.
"""
import json
import math
import os

# One thread for everything, GEMM included: Debian's OpenBLAS keeps its own thread pool, which torch.set_num_threads
# does not control. One thread on both sides also keeps the comparison fair on a machine shared with other work (with
# two threads, every elementwise op waits at an OpenMP barrier for a thread the scheduler may not run).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 16384,
    "hidden_size": 768,
    "intermediate_size": 2048,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "num_key_value_heads": 4,
    "head_dim": 64,
    "max_position_embeddings": 2048,
    "rope_theta": 10000.0,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": False,
    "attention_bias": False,
    "mlp_bias": False,
    "hidden_act": "silu",
    "torch_dtype": "float32",
    "bos_token_id": 256,
    "eos_token_id": 257,
}
THREADS = 1
TRAIN_BATCH, TRAIN_LENGTH = 8, 128
PROMPT, NEW = 32, 64


def tensor_shapes(c):
    h, i, d = c["hidden_size"], c["intermediate_size"], c["head_dim"]
    q, kv = c["num_attention_heads"] * d, c["num_key_value_heads"] * d
    shapes = {"model.embed_tokens.weight": (c["vocab_size"], h), "model.norm.weight": (h,), "lm_head.weight": (c["vocab_size"], h)}
    for layer in range(c["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        shapes.update({
            p + "input_layernorm.weight": (h,), p + "post_attention_layernorm.weight": (h,),
            p + "self_attn.q_proj.weight": (q, h), p + "self_attn.k_proj.weight": (kv, h),
            p + "self_attn.v_proj.weight": (kv, h), p + "self_attn.o_proj.weight": (h, q),
            p + "mlp.gate_proj.weight": (i, h), p + "mlp.up_proj.weight": (i, h), p + "mlp.down_proj.weight": (h, i),
        })
    return shapes


def write(folder):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    tensors = {}
    for name, shape in sorted(tensor_shapes(CONFIG).items()):
        tensors[name] = (np.ones(shape) if name.endswith("norm.weight") else rng.normal(0, 0.02, shape)).astype(np.float32)
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, value in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(value.shape), "data_offsets": [offset, offset + value.nbytes]}
        offset += value.nbytes
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - (8 + len(raw)) % 8) % 8)
    with open(os.path.join(folder, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for value in tensors.values():
            f.write(value.tobytes())
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 256, "eos_token_id": 257}, f)
    write_tokenizer(folder)
    print(f"wrote {folder}: {sum(v.size for v in tensors.values()):,} parameters")


def write_tokenizer(folder):
    """A byte-level tokenizer (no merges): 256 byte tokens, then <|begin_of_text|> (256) and <|end_of_text|> (257)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [
            {"id": 256, "content": "<|begin_of_text|>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True},
            {"id": 257, "content": "<|end_of_text|>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True},
        ],
        "normalizer": None, "pre_tokenizer": byte_level, "post_processor": byte_level, "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False, "vocab": {chars[b]: b for b in range(256)}, "merges": []},
    }
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump({"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>"}, f)


def load(folder):
    with open(os.path.join(folder, "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    weights = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        weights[name] = torch.from_numpy(np.frombuffer(data[begin:end], dtype=np.float32).reshape(entry["shape"]).copy())
    return weights


class Llama(torch.nn.Module):
    def __init__(self, c, weights):
        super().__init__()
        self.c = c
        self.w = torch.nn.ParameterDict({k.replace(".", "__"): torch.nn.Parameter(v) for k, v in weights.items()})
        d = c["head_dim"]
        self.inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2).float() / d))

    def p(self, name):
        return self.w[name.replace(".", "__")]

    def rms(self, x, name):
        v = x.pow(2).mean(-1, keepdim=True)
        return self.p(name) * (x * torch.rsqrt(v + self.c["rms_norm_eps"]))

    @staticmethod
    def rotate(x):
        half = x.shape[-1] // 2
        return torch.cat((-x[..., half:], x[..., :half]), -1)

    def forward(self, ids, start=0, cache=None):
        c = self.c
        b, t = ids.shape
        h, kvh, d = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        pos = torch.arange(start, start + t).float()
        freqs = torch.outer(pos, self.inv_freq)
        emb = torch.cat((freqs, freqs), -1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        x = F.embedding(ids, self.p("model.embed_tokens.weight"))
        total = start + t
        mask = torch.full((t, total), float("-inf")).triu(start + 1) if t > 1 else None
        for layer in range(c["num_hidden_layers"]):
            pre = f"model.layers.{layer}."
            y = self.rms(x, pre + "input_layernorm.weight")
            q = F.linear(y, self.p(pre + "self_attn.q_proj.weight")).view(b, t, h, d).transpose(1, 2)
            k = F.linear(y, self.p(pre + "self_attn.k_proj.weight")).view(b, t, kvh, d).transpose(1, 2)
            v = F.linear(y, self.p(pre + "self_attn.v_proj.weight")).view(b, t, kvh, d).transpose(1, 2)
            q = q * cos + self.rotate(q) * sin
            k = k * cos + self.rotate(k) * sin
            if cache is not None:
                cache[layer][0][:, :, start:total] = k
                cache[layer][1][:, :, start:total] = v
                k, v = cache[layer][0][:, :, :total], cache[layer][1][:, :, :total]
            k = k.repeat_interleave(h // kvh, 1)
            v = v.repeat_interleave(h // kvh, 1)
            scores = q @ k.transpose(-1, -2) / math.sqrt(d)
            if mask is not None:
                scores = scores + mask
            a = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, h * d)
            x = x + F.linear(a, self.p(pre + "self_attn.o_proj.weight"))
            y = self.rms(x, pre + "post_attention_layernorm.weight")
            g = F.silu(F.linear(y, self.p(pre + "mlp.gate_proj.weight"))) * F.linear(y, self.p(pre + "mlp.up_proj.weight"))
            x = x + F.linear(g, self.p(pre + "mlp.down_proj.weight"))
        return F.linear(self.rms(x, "model.norm.weight"), self.p("lm_head.weight"))


def train_step_ms(model):
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5)
    gen = torch.Generator().manual_seed(1)
    times = []
    for step in range(9):
        ids = torch.randint(0, 256, (TRAIN_BATCH, TRAIN_LENGTH), generator=gen)
        start = time.perf_counter()
        logits = model(ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step >= 2:
            times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


@torch.no_grad()
def sample_tok_s(model, batch):
    c = model.c
    gen = torch.Generator().manual_seed(2)
    best = 0.0
    for rep in range(4):
        ids = torch.randint(0, 256, (batch, PROMPT), generator=gen)
        start = time.perf_counter()
        cache = [(torch.zeros(batch, c["num_key_value_heads"], PROMPT + NEW, c["head_dim"]),
                  torch.zeros(batch, c["num_key_value_heads"], PROMPT + NEW, c["head_dim"])) for _ in range(c["num_hidden_layers"])]
        logits = model(ids, 0, cache)[:, -1]
        done = torch.zeros(batch, dtype=torch.bool)
        tokens = 0
        for step in range(NEW):
            probs = logits.softmax(-1)
            nxt = torch.multinomial(probs, 1, generator=gen)[:, 0]
            tokens += int((~done).sum())
            done |= nxt == c["eos_token_id"]
            if bool(done.all()) or step == NEW - 1:
                break
            logits = model(nxt[:, None], PROMPT + step, cache)[:, -1]
        elapsed = time.perf_counter() - start
        if rep > 0:
            best = max(best, tokens / elapsed)
    return best


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        write(sys.argv[2])
        return
    torch.set_num_threads(THREADS)
    model = Llama(CONFIG, load(sys.argv[1]))
    params = sum(p.numel() for p in model.parameters())
    step = train_step_ms(model)
    b1, b16 = sample_tok_s(model, 1), sample_tok_s(model, 16)
    print(f"pytorch {torch.__version__}: params={params} train_step_B{TRAIN_BATCH}xT{TRAIN_LENGTH}_ms={step:.0f} sample_b1_tok_s={b1:.1f} sample_b16_tok_s={b16:.1f}")


if __name__ == "__main__":
    main()
