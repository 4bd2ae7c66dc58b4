#!/usr/bin/python3
"""Independent NumPy reference for PrefSuite's Hugging Face decoder models (Llama / Qwen2 / Mistral).

What it does
------------
1. Builds five tiny deterministic checkpoints ("prefsuite-tiny-weights/1") in the exact Hugging Face
   layout: safetensors file(s) written byte for byte by the rules below, config.json and
   generation_config.json.
2. Runs the forward pass of each model in NumPy float64 on the stored weight values (upcast exactly),
   following transformers' modeling code step by step.
3. Writes one JSON fixture per model to ../Fixtures/<model>.json. The C# TorchSharp implementation's
   tests are checked against these files.

Regenerate (from the repository root; this is the exact command recorded in every fixture):

    /usr/bin/python3 tests/PrefSuite.Models.Tests/HuggingFace/Reference/hf_reference.py

Options: --write-checkpoints DIR (also write the checkpoint folders there, for inspection; they are not
committed), --check-torch (re-run everything with torch 1.13 float64 ops and assert agreement to 1e-10),
--print-rng (print s0 / u_0 / u_1 for one tensor name, to compare with the C# SplitMix64).
Needs Debian's /usr/bin/python3 with python3-numpy (torch only for --check-torch). Deterministic: two
runs give byte-identical fixtures.

Weights ("prefsuite-tiny-weights/1")
-----------------------------------
For a tensor NAME of shape S in a model with MODEL_SEED, element j (row-major):
  key = FNV-1a-64(UTF-8 of NAME); s0 = mix(MODEL_SEED ^ mix(key + 0x632BE59BD9B4E019))
  u_j = (mix(s0 + (j+1) * 0x9E3779B97F4A7C15) >> 11) * 2^-53          (mix = SplitMix64 finaliser)
  value_j = float32(center + scale * (2 u_j - 1))                       (computed in float64)
This is PrefSuite.Science.Randomness: SplitMix64.ForKey(MODEL_SEED, StableHash.Fnv1a64(NAME)) has state s0
and its j-th NextDouble() (0-based) is u_j. center/scale: "*norm.weight" 1/0.1, "*.bias" 0/0.1,
model.embed_tokens.weight 0/0.5, everything else 0/(1/sqrt(S[-1])). Stored dtype: F32 as is; F16 =
numpy float32->float16 (round to nearest even); BF16 = upper 16 bits of the float32 after round to
nearest even: (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16.
Safetensors: u64 LE header length N, compact header JSON {"__metadata__":{"format":"pt"},"NAME":{...},...}
with names in byte-wise order, padded with spaces so that 8 + N is a multiple of 8, then the tensors'
little-endian data in the same order, contiguous.

What was read in transformers, and what was concluded
-----------------------------------------------------
Files read (huggingface/transformers; stored revisions, commit prefixes given, spanning about v4.38 to v5):
- src/transformers/models/llama/modeling_llama.py @0022728 (v4.38-era rotary classes) and @5dd4a63 (v4.48-era:
  LlamaRMSNorm, LlamaRotaryEmbedding, rotate_half, apply_rotary_pos_emb, repeat_kv, eager_attention_forward,
  LlamaAttention, LlamaMLP, LlamaDecoderLayer, LlamaForCausalLM, LlamaForSequenceClassification);
- models/qwen2/modeling_qwen2.py @63bb723 (Qwen2Attention, Qwen2RMSNorm, Qwen2RotaryEmbedding; sequence
  classification via GenericForSequenceClassification) and configuration_qwen2.py @caa3177;
- models/mistral/modeling_mistral.py @93e0020 (MistralAttention, MistralModel
  ._prepare_4d_causal_attention_mask_with_cache_position);
- modeling_rope_utils.py @0044e3b and @ef46806 (_compute_default_rope_parameters,
  _compute_linear_scaling_rope_parameters, _compute_dynamic_ntk_parameters, _compute_yarn_parameters,
  _compute_llama3_parameters), plus a newer stored revision whose yarn reads original_max_position_embeddings,
  mscale / mscale_all_dim and truncate from rope_scaling (followed here);
- masking_utils.py @00c4411 (causal_mask_function, sliding_window_overlay, sliding_window_causal_mask_function);
- modeling_layers.py @9f84789 (GenericForSequenceClassification.forward).
This script contains no code from them.

* RMSNorm dtype handling (LlamaRMSNorm / Qwen2RMSNorm / MistralRMSNorm.forward): the input is cast to
  float32, variance = mean(x^2) over the last axis, x * rsqrt(variance + eps), cast BACK to the input dtype,
  and only then multiplied by the weight (weight * normed.to(input_dtype)); the weight is not upcast, so in a
  bf16/fp16 model the product is rounded to bf16/fp16. The weight is used as is (no "1 + weight" as in
  Gemma). In float64, which this reference uses throughout, all of that is x * (1/sqrt(mean(x^2) + eps)) * w.
* rotate_half layout: NOT interleaved pairs. rotate_half(x) = cat(-x[d/2:], x[:d/2]); cos/sin come from
  emb = cat(freqs, freqs) with freqs[t, i] = t * inv_freq[i], i < d/2; so dimension i and i + d/2 form a
  rotation pair: out[i] = x[i] cos - x[i+d/2] sin, out[i+d/2] = x[i+d/2] cos + x[i] sin. Positions are
  0..T-1 (position_ids = cache_position). cos and sin are multiplied by the rope type's attention factor
  (attention_scaling; 1.0 except yarn/longrope). transformers computes inv_freq, freqs, cos and sin in float32
  (autocast disabled); this reference computes them in float64 (differences ~1e-7 relative).
* inverse frequencies (modeling_rope_utils.py): default inv_freq[i] = 1 / theta^(2i/d), d = head_dim
  (times partial_rotary_factor, 1 here). linear: default / factor. dynamic: theta' = theta *
  ((factor * L / max_pos) - (factor - 1))^(d/(d-2)) with L = max(seq_len, max_pos), so unchanged up to
  max_position_embeddings. yarn (newer revision): original_max_position_embeddings from rope_scaling (else
  config.max_position_embeddings), attention_factor = given, else mscale/mscale_all_dim ratio, else
  0.1 ln(factor) + 1 (1 if factor <= 1); correction range from beta_fast (32) / beta_slow (1), floor/ceil
  when truncate (default true), clamped to [0, d-1]; linear ramp over d/2 (max += 0.001 if min == max);
  inv = interp * ramp + extrap * (1 - ramp) with interp = extrap / factor.
* llama3 smoothing (_compute_llama3_parameters): wavelen = 2 pi / inv_freq; low_freq_wavelen = old_ctx /
  low_freq_factor, high_freq_wavelen = old_ctx / high_freq_factor (old_ctx = rope_scaling
  original_max_position_embeddings). wavelen < high_freq_wavelen: kept. wavelen > low_freq_wavelen:
  inv_freq / factor. Otherwise (BOTH ends inclusive: is_medium = !(wavelen < high) & !(wavelen > low)):
  smooth = (old_ctx / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor),
  inv = (1 - smooth) * inv_freq / factor + smooth * inv_freq. (Continuous at both ends.) attention factor 1.
  For llama3-tiny (theta 500000, d 8, old_ctx 256, factors 8/1/4): wavelengths 6.28, 167.1, 4443, 118143
  against 64 and 256 -> kept, smoothed, divided, divided.
* Attention (eager_attention_forward): scores = q k^T * head_dim^-0.5, + additive mask, softmax in float32
  (here float64), times v. GQA via repeat_kv: kv head k serves query heads k*n_rep .. k*n_rep + n_rep - 1,
  i.e. query head h uses kv head h // n_rep. head_dim = config.head_dim if present, else hidden/heads.
  Qwen2: q/k/v have biases, o_proj none; Llama: attention_bias / mlp_bias (false here); Mistral: no biases.
* Sliding window (masking_utils.sliding_window_overlay, and the older Mistral
  _prepare_4d_causal_attention_mask_with_cache_position, which agree): a key at kv_idx is visible from the
  query at q_idx iff kv_idx <= q_idx and kv_idx > q_idx - W. A key at distance exactly W is OUTSIDE: each query
  sees itself and the W - 1 keys before it (W keys in all). (Old flash-attention paths used W + 1 keys:
  transformers issue #29623; the eager/sdpa rule above is the one followed.) Qwen2 with
  use_sliding_window false has sliding_window None and uses full causal attention in every layer.
* MLP: down(silu(gate(x)) * up(x)), silu(x) = x * sigmoid(x). Decoder layer: pre-norm residual blocks;
  final model.norm; logits = lm_head(h), or h @ embed_tokens^T when tie_word_embeddings (no lm_head.weight
  in the checkpoint). The masked fill value (finfo.min) makes the same zero weights as -inf here.
* Sequence classification pooling (GenericForSequenceClassification.forward, and
  LlamaForSequenceClassification.forward from v4.48 on): score is applied to every position, then the
  position taken is last_non_pad_token = argmax_t(t * (input_ids[t] != pad_token_id)), i.e. the RIGHTMOST
  token that is not the pad id (index 0 if every token is pad). Older versions used
  (first index of pad_token_id) - 1, mod T; both agree for inputs whose only pad ids are trailing. The model
  is run on the padded ids with no attention mask: causal attention means the trailing pads do not change
  the pooled position's hidden state.
"""

import argparse
import hashlib
import json
import math
import os
import struct
import sys

import numpy as np

SPEC = "prefsuite-tiny-weights/1"
SCRIPT_VERSION = "1"
SCRIPT_RELPATH = "tests/PrefSuite.Models.Tests/HuggingFace/Reference/hf_reference.py"
COMMAND = "/usr/bin/python3 " + SCRIPT_RELPATH

MASK64 = (1 << 64) - 1
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
KEY_SALT = 0x632BE59BD9B4E019
GOLDEN = 0x9E3779B97F4A7C15

VOCAB = 320
BOS = 300
IM_START = 301
EOS = 302
PAD = 300

GREEDY_NEW_TOKENS = 8
GREEDY_MIN_GAP = 1e-3  # the spec's bound: every step's top-1 minus top-2 logit must exceed it


# ----------------------------------------------------------------------------------------------------------
# Deterministic weights
# ----------------------------------------------------------------------------------------------------------

def fnv1a64(text):
    h = FNV_OFFSET
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * FNV_PRIME) & MASK64
    return h


def mix64(z):
    z &= MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def stream_seed(model_seed, name):
    return mix64(model_seed ^ mix64(fnv1a64(name) + KEY_SALT))


def uniforms(s0, count):
    """u_j for j = 0..count-1 (vectorised SplitMix64; uint64 arithmetic wraps mod 2^64)."""
    with np.errstate(over="ignore"):
        j1 = np.arange(1, count + 1, dtype=np.uint64)
        z = np.uint64(s0) + j1 * np.uint64(GOLDEN)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)


def uniform_scalar(s0, j):
    """u_j with Python integers only (cross-check of the vectorised version)."""
    return (mix64(s0 + (j + 1) * GOLDEN) >> 11) * (2.0 ** -53)


def center_scale(name, shape):
    if name.endswith("norm.weight"):
        return 1.0, 0.1
    if name.endswith(".bias"):
        return 0.0, 0.1
    if name == "model.embed_tokens.weight":
        return 0.0, 0.5
    return 0.0, 1.0 / math.sqrt(float(shape[-1]))


def float32_values(model_seed, name, shape):
    n = int(np.prod(shape))
    center, scale = center_scale(name, shape)
    u = uniforms(stream_seed(model_seed, name), n)
    v64 = center + scale * (2.0 * u - 1.0)
    return v64.astype(np.float32).reshape(shape)


def bf16_bits(f32):
    bits = f32.view(np.uint32).astype(np.uint64)
    return ((bits + np.uint64(0x7FFF) + ((bits >> np.uint64(16)) & np.uint64(1))) >> np.uint64(16)).astype(np.uint16)


def bf16_bits_to_f64(bits16):
    return (bits16.astype(np.uint32) << np.uint32(16)).view(np.float32).astype(np.float64)


def store(f32, dtype):
    """Returns (raw little-endian bytes, stored values as float64)."""
    if dtype == "F32":
        a = f32.astype("<f4")
        return a.tobytes(), a.astype(np.float64)
    if dtype == "F16":
        a = f32.astype("<f2")
        return a.tobytes(), a.astype(np.float64)
    if dtype == "BF16":
        b = bf16_bits(f32).astype("<u2")
        return b.tobytes(), bf16_bits_to_f64(b).reshape(f32.shape)
    raise ValueError(dtype)


# ----------------------------------------------------------------------------------------------------------
# Models
# ----------------------------------------------------------------------------------------------------------

MODELS = [
    dict(name="qwen2-tiny", seed=11, arch="Qwen2ForCausalLM", model_type="qwen2", hidden=32, inter=64,
         layers=2, heads=4, kv_heads=2, head_dim=8, max_pos=128, rope_theta=10000.0, rope_scaling=None,
         eps=1e-6, tie=True, qkv_bias=True, sliding_window=None, torch_dtype="float32", dtype="F32",
         sharded=False, num_labels=None),
    dict(name="llama3-tiny", seed=12, arch="LlamaForCausalLM", model_type="llama", hidden=32, inter=80,
         layers=2, heads=4, kv_heads=2, head_dim=8, max_pos=512, rope_theta=500000.0,
         rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                       "original_max_position_embeddings": 256},
         eps=1e-5, tie=False, qkv_bias=False, sliding_window=None, torch_dtype="bfloat16", dtype="BF16",
         sharded=True, num_labels=None),
    dict(name="mistral-tiny", seed=13, arch="MistralForCausalLM", model_type="mistral", hidden=32, inter=64,
         layers=2, heads=4, kv_heads=1, head_dim=8, max_pos=128, rope_theta=10000.0, rope_scaling=None,
         eps=1e-5, tie=False, qkv_bias=False, sliding_window=4, torch_dtype="float16", dtype="F16",
         sharded=False, num_labels=None),
    # Qwen3: no q/k/v bias, RMSNorm of each head's queries and keys (q_norm, k_norm) before the rotary embedding, and a
    # head_dim (16) that is not hidden / heads (8), as Qwen3-0.6B's 128 is not 1024 / 16.
    dict(name="qwen3-tiny", seed=16, arch="Qwen3ForCausalLM", model_type="qwen3", hidden=32, inter=64,
         layers=2, heads=4, kv_heads=2, head_dim=16, max_pos=256, rope_theta=1000000.0, rope_scaling=None,
         eps=1e-6, tie=True, qkv_bias=False, qk_norm=True, sliding_window=None, torch_dtype="bfloat16", dtype="BF16",
         sharded=False, num_labels=None),
    dict(name="qwen2-reward-tiny", seed=14, arch="Qwen2ForSequenceClassification", model_type="qwen2",
         hidden=32, inter=64, layers=2, heads=4, kv_heads=2, head_dim=8, max_pos=128, rope_theta=10000.0,
         rope_scaling=None, eps=1e-6, tie=False, qkv_bias=True, sliding_window=None, torch_dtype="float32",
         dtype="F32", sharded=False, num_labels=1, id2label=None),
    dict(name="llama-reward-tiny", seed=15, arch="LlamaForSequenceClassification", model_type="llama",
         hidden=32, inter=80, layers=2, heads=4, kv_heads=2, head_dim=8, max_pos=512, rope_theta=10000.0,
         rope_scaling=None, eps=1e-5, tie=False, qkv_bias=False, sliding_window=None, torch_dtype="bfloat16",
         dtype="BF16", sharded=False, num_labels=3,
         id2label={"0": "helpfulness", "1": "correctness", "2": "coherence"}),
]

# Fixed inputs (ids 0..299; none of 300-302).
CAUSAL_SEQUENCES = [
    [17, 254, 3, 99, 141, 288, 60],
    [5, 212, 77, 130, 46, 299, 8, 163, 91, 240, 12, 185],
    [33, 150, 271, 9, 118, 64, 222, 41, 187, 0, 296, 73, 105, 259, 28, 144],
]
# Greedy prompts (lengths 5 and 9), per model, as found by `--search-greedy` (see search_greedy_prompts): every
# step's top-1 / top-2 gap exceeds GREEDY_MIN_GAP (asserted when the fixtures are written).
GREEDY_PROMPTS = {
    "qwen2-tiny": [[64, 269, 131, 222, 119], [299, 181, 256, 279, 192, 239, 210, 297, 298]],
    "llama3-tiny": [[151, 57, 215, 270, 286], [151, 180, 82, 1, 74, 97, 132, 132, 193]],
    "mistral-tiny": [[109, 284, 206, 260, 49], [64, 147, 12, 141, 237, 222, 12, 218, 276]],
    "qwen3-tiny": [[25, 224, 113, 289, 35], [106, 72, 53, 25, 89, 241, 34, 109, 71]],
}
REWARD_SEQUENCES = [
    [81, 6, 233, 150],
    [19, 270, 44, 101, 3, 178, 222],
    [64, 2, 147, 289, 36, 115, 208, 11, 93],
    [125, 58, 240, 7, 169, 31, 276, 82, 14, 199, 48, 160],
]
REWARD_PADDED_BASE = 1  # the padded example is REWARD_SEQUENCES[1] + [PAD, PAD]


def head_dim(m):
    return m["head_dim"]


def tensor_shapes(m):
    """(name, shape) for every tensor the checkpoint stores."""
    h, i, hd = m["hidden"], m["inter"], head_dim(m)
    q_out, kv_out = m["heads"] * hd, m["kv_heads"] * hd
    out = [("model.embed_tokens.weight", (VOCAB, h))]
    for layer in range(m["layers"]):
        p = "model.layers.%d." % layer
        out.append((p + "input_layernorm.weight", (h,)))
        out.append((p + "post_attention_layernorm.weight", (h,)))
        out.append((p + "self_attn.q_proj.weight", (q_out, h)))
        out.append((p + "self_attn.k_proj.weight", (kv_out, h)))
        out.append((p + "self_attn.v_proj.weight", (kv_out, h)))
        out.append((p + "self_attn.o_proj.weight", (h, q_out)))
        if m.get("qk_norm"):
            out.append((p + "self_attn.q_norm.weight", (hd,)))
            out.append((p + "self_attn.k_norm.weight", (hd,)))
        if m["qkv_bias"]:
            out.append((p + "self_attn.q_proj.bias", (q_out,)))
            out.append((p + "self_attn.k_proj.bias", (kv_out,)))
            out.append((p + "self_attn.v_proj.bias", (kv_out,)))
        out.append((p + "mlp.gate_proj.weight", (i, h)))
        out.append((p + "mlp.up_proj.weight", (i, h)))
        out.append((p + "mlp.down_proj.weight", (h, i)))
    out.append(("model.norm.weight", (h,)))
    if m["num_labels"] is not None:
        out.append(("score.weight", (m["num_labels"], h)))
    elif not m["tie"]:
        out.append(("lm_head.weight", (VOCAB, h)))
    return sorted(out, key=lambda t: t[0].encode("utf-8"))


def build_weights(m):
    """name -> dict(shape, raw bytes, values float64)."""
    weights = {}
    for name, shape in tensor_shapes(m):
        f32 = float32_values(m["seed"], name, shape)
        raw, vals = store(f32, m["dtype"])
        weights[name] = dict(shape=shape, raw=raw, values=vals)
    return weights


def config_dict(m):
    c = {
        "architectures": [m["arch"]],
        "attention_dropout": 0.0,
        "bos_token_id": BOS,
        "eos_token_id": EOS,
        "hidden_act": "silu",
        "hidden_size": m["hidden"],
        "initializer_range": 0.02,
        "intermediate_size": m["inter"],
        "max_position_embeddings": m["max_pos"],
        "model_type": m["model_type"],
        "num_attention_heads": m["heads"],
        "num_hidden_layers": m["layers"],
        "num_key_value_heads": m["kv_heads"],
        "rms_norm_eps": m["eps"],
        "rope_scaling": m["rope_scaling"],
        "rope_theta": m["rope_theta"],
        "tie_word_embeddings": m["tie"],
        "torch_dtype": m["torch_dtype"],
        "use_cache": True,
        "vocab_size": VOCAB,
    }
    if m["model_type"] == "qwen2":
        c["use_sliding_window"] = False
        c["sliding_window"] = None
        c["max_window_layers"] = m["layers"]
    if m["model_type"] == "llama":
        c["attention_bias"] = False
        c["mlp_bias"] = False
        c["head_dim"] = m["head_dim"]
        c["pretraining_tp"] = 1
    if m["model_type"] == "qwen3":
        c["attention_bias"] = False
        c["head_dim"] = m["head_dim"]
        c["use_sliding_window"] = False
        c["sliding_window"] = None
        c["max_window_layers"] = m["layers"]
    if m["model_type"] == "mistral":
        c["head_dim"] = m["head_dim"]
        c["sliding_window"] = m["sliding_window"]
    if m["num_labels"] is not None:
        id2label = m["id2label"] or {str(k): "LABEL_%d" % k for k in range(m["num_labels"])}
        c["id2label"] = dict(id2label)
        c["label2id"] = {v: int(k) for k, v in id2label.items()}
        c["num_labels"] = m["num_labels"]
        c["pad_token_id"] = PAD
    return c


def config_json_text(m):
    # PretrainedConfig.to_json_string: json.dumps(d, indent=2, sort_keys=True) + "\n"
    return json.dumps(config_dict(m), indent=2, sort_keys=True) + "\n"


GENERATION_CONFIG_TEXT = '{"bos_token_id":300,"eos_token_id":[302,300]}'


# ----------------------------------------------------------------------------------------------------------
# Safetensors
# ----------------------------------------------------------------------------------------------------------

def safetensors_bytes(weights, names, dtype):
    names = sorted(names, key=lambda s: s.encode("utf-8"))
    entries = []
    offset = 0
    for name in names:
        w = weights[name]
        size = len(w["raw"])
        shape = ",".join(str(d) for d in w["shape"])
        entries.append('"%s":{"dtype":"%s","shape":[%s],"data_offsets":[%d,%d]}' % (name, dtype, shape, offset, offset + size))
        offset += size
    header = ('{"__metadata__":{"format":"pt"},' + ",".join(entries) + "}").encode("utf-8")
    pad = (8 - (8 + len(header)) % 8) % 8
    header += b" " * pad
    data = b"".join(weights[n]["raw"] for n in names)
    return struct.pack("<Q", len(header)) + header + data


def read_safetensors(blob):
    """Minimal independent reader: returns {name: (dtype, shape, raw bytes)}; checks the layout rules."""
    (n,) = struct.unpack("<Q", blob[:8])
    assert (8 + n) % 8 == 0, "header not padded to 8"
    header_text = blob[8:8 + n].decode("utf-8")
    assert header_text == header_text.rstrip(" ") + " " * (len(header_text) - len(header_text.rstrip(" ")))
    header = json.loads(header_text)
    assert header.pop("__metadata__") == {"format": "pt"}
    data = blob[8 + n:]
    out = {}
    expected = 0
    for name in sorted(header, key=lambda s: s.encode("utf-8")):
        e = header[name]
        b, en = e["data_offsets"]
        assert b == expected, "tensors not contiguous in name order"
        expected = en
        out[name] = (e["dtype"], tuple(e["shape"]), data[b:en])
    assert expected == len(data)
    return out


def checkpoint_files(m, weights):
    """[(file name, bytes)] for the safetensors files, plus the index json text when sharded."""
    names = list(weights)
    if not m["sharded"]:
        return [("model.safetensors", safetensors_bytes(weights, names, m["dtype"]))], None
    shard1 = [n for n in names if n.startswith("model.embed_tokens.") or n.startswith("model.layers.0.")]
    shard2 = [n for n in names if n not in shard1]
    f1, f2 = "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
    files = [(f1, safetensors_bytes(weights, shard1, m["dtype"])), (f2, safetensors_bytes(weights, shard2, m["dtype"]))]
    weight_map = {}
    for n in sorted(names, key=lambda s: s.encode("utf-8")):
        weight_map[n] = f1 if n in shard1 else f2
    total = sum(len(weights[n]["raw"]) for n in names)
    index = json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, separators=(",", ":"))
    return files, index


# ----------------------------------------------------------------------------------------------------------
# RoPE inverse frequencies (all rope types the C# side may meet; the fixtures use default and llama3)
# ----------------------------------------------------------------------------------------------------------

def rope_parameters(rope_theta, dim, rope_scaling=None, max_pos=None, seq_len=None):
    """Returns (inv_freq float64 [dim/2], attention_factor, per-frequency notes or None)."""
    idx = np.arange(0, dim, 2, dtype=np.float64)
    base_inv = 1.0 / (rope_theta ** (idx / dim))
    rope_type = "default"
    if rope_scaling is not None:
        rope_type = rope_scaling.get("rope_type", rope_scaling.get("type", "default"))
    if rope_type == "default":
        return base_inv, 1.0, None
    factor = float(rope_scaling["factor"])
    if rope_type == "linear":
        return base_inv / factor, 1.0, None
    if rope_type == "dynamic":
        length = seq_len if seq_len is not None and seq_len > max_pos else max_pos
        theta = rope_theta * ((factor * length / max_pos) - (factor - 1.0)) ** (dim / (dim - 2.0))
        return 1.0 / (theta ** (idx / dim)), 1.0, None
    if rope_type == "llama3":
        low_ff = float(rope_scaling["low_freq_factor"])
        high_ff = float(rope_scaling["high_freq_factor"])
        old_ctx = float(rope_scaling["original_max_position_embeddings"])
        low_wl, high_wl = old_ctx / low_ff, old_ctx / high_ff
        out, notes = [], []
        for f in base_inv:
            wl = 2.0 * math.pi / f
            if wl < high_wl:
                out.append(f)
                notes.append("kept")
            elif wl > low_wl:
                out.append(f / factor)
                notes.append("divided")
            else:
                s = (old_ctx / wl - low_ff) / (high_ff - low_ff)
                out.append((1.0 - s) * f / factor + s * f)
                notes.append("smoothed")
        return np.array(out), 1.0, notes
    if rope_type == "yarn":
        orig = rope_scaling.get("original_max_position_embeddings") or max_pos
        attention_factor = rope_scaling.get("attention_factor")
        mscale, mscale_all = rope_scaling.get("mscale"), rope_scaling.get("mscale_all_dim")

        def get_mscale(scale, ms=1.0):
            return 1.0 if scale <= 1 else 0.1 * ms * math.log(scale) + 1.0

        if attention_factor is None:
            if mscale and mscale_all:
                attention_factor = get_mscale(factor, mscale) / get_mscale(factor, mscale_all)
            else:
                attention_factor = get_mscale(factor)
        beta_fast = rope_scaling.get("beta_fast") or 32
        beta_slow = rope_scaling.get("beta_slow") or 1

        def corr_dim(rot):
            return (dim * math.log(orig / (rot * 2.0 * math.pi))) / (2.0 * math.log(rope_theta))

        low, high = corr_dim(beta_fast), corr_dim(beta_slow)
        if rope_scaling.get("truncate", True):
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, dim - 1)
        if low == high:
            high += 0.001
        ramp = np.clip((np.arange(dim // 2, dtype=np.float64) - low) / (high - low), 0.0, 1.0)
        extrap_factor = 1.0 - ramp
        interp = base_inv / factor
        return interp * (1.0 - extrap_factor) + base_inv * extrap_factor, float(attention_factor), None
    raise ValueError("rope type " + rope_type)


def model_rope(m):
    return rope_parameters(m["rope_theta"], head_dim(m), m["rope_scaling"], m["max_pos"])


# ----------------------------------------------------------------------------------------------------------
# Forward pass (NumPy float64)
# ----------------------------------------------------------------------------------------------------------

def rms_norm(x, w, eps):
    variance = np.mean(x * x, axis=-1, keepdims=True)
    return x * (1.0 / np.sqrt(variance + eps)) * w


def rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def silu(x):
    return x / (1.0 + np.exp(-x))


def attention_mask(t, window):
    q = np.arange(t)[:, None]
    k = np.arange(t)[None, :]
    allowed = k <= q
    if window is not None:
        allowed &= k > q - window
    return allowed


def forward_hidden(m, W, ids):
    """Final (normed) hidden states [T, hidden] for one unpadded-or-padded sequence, no attention mask."""
    ids = np.asarray(ids, dtype=np.int64)
    t = len(ids)
    hd = head_dim(m)
    nh, nkv = m["heads"], m["kv_heads"]
    rep = nh // nkv
    inv_freq, attn_factor, _ = model_rope(m)
    freqs = np.arange(t, dtype=np.float64)[:, None] * inv_freq[None, :]
    emb = np.concatenate([freqs, freqs], axis=-1)
    cos, sin = np.cos(emb) * attn_factor, np.sin(emb) * attn_factor
    allowed = attention_mask(t, m["sliding_window"])
    scaling = hd ** -0.5

    x = W["model.embed_tokens.weight"][ids]
    for layer in range(m["layers"]):
        p = "model.layers.%d." % layer
        h = rms_norm(x, W[p + "input_layernorm.weight"], m["eps"])
        q = h @ W[p + "self_attn.q_proj.weight"].T
        k = h @ W[p + "self_attn.k_proj.weight"].T
        v = h @ W[p + "self_attn.v_proj.weight"].T
        if m["qkv_bias"]:
            q = q + W[p + "self_attn.q_proj.bias"]
            k = k + W[p + "self_attn.k_proj.bias"]
            v = v + W[p + "self_attn.v_proj.bias"]
        q = q.reshape(t, nh, hd)
        k = k.reshape(t, nkv, hd)
        if m.get("qk_norm"):
            # Qwen3Attention: q_norm / k_norm (RMSNorm over head_dim) on [T, heads, head_dim], before the transpose and rope.
            q = rms_norm(q, W[p + "self_attn.q_norm.weight"], m["eps"])
            k = rms_norm(k, W[p + "self_attn.k_norm.weight"], m["eps"])
        q = q.transpose(1, 0, 2)
        k = k.transpose(1, 0, 2)
        v = v.reshape(t, nkv, hd).transpose(1, 0, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        heads = []
        for head in range(nh):
            kv = head // rep
            scores = (q[head] @ k[kv].T) * scaling
            scores = np.where(allowed, scores, -np.inf)
            scores = scores - scores.max(axis=-1, keepdims=True)
            e = np.exp(scores)
            probs = e / e.sum(axis=-1, keepdims=True)
            heads.append(probs @ v[kv])
        a = np.stack(heads, axis=1).reshape(t, nh * hd)
        x = x + a @ W[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], m["eps"])
        mlp = silu(h @ W[p + "mlp.gate_proj.weight"].T) * (h @ W[p + "mlp.up_proj.weight"].T)
        x = x + mlp @ W[p + "mlp.down_proj.weight"].T
    return rms_norm(x, W["model.norm.weight"], m["eps"])


def output_matrix(m, W):
    if m["num_labels"] is not None:
        return W["score.weight"]
    return W["model.embed_tokens.weight"] if m["tie"] else W["lm_head.weight"]


def forward_logits(m, W, ids):
    return forward_hidden(m, W, ids) @ output_matrix(m, W).T


def log_softmax(row):
    mx = row.max()
    return row - mx - math.log(np.exp(row - mx).sum())


def pooled_index(ids, pad):
    # rightmost token that is not the pad id (argmax of t * nonpad; argmax takes the first maximum -> 0 if all pad)
    vals = [t if tok != pad else 0 for t, tok in enumerate(ids)]
    return int(np.argmax(vals))


def top_gap(row):
    s = np.sort(row)
    return float(s[-1] - s[-2])


def greedy(m, W, prompt, logits_fn):
    seq = list(prompt)
    tokens, gaps = [], []
    for _ in range(GREEDY_NEW_TOKENS):
        row = logits_fn(m, W, seq)[-1]
        tok = int(np.argmax(row))
        tokens.append(tok)
        gaps.append(top_gap(row))
        seq.append(tok)
    return tokens, gaps


# ----------------------------------------------------------------------------------------------------------
# Optional torch cross-check (float64, own small implementation with torch ops)
# ----------------------------------------------------------------------------------------------------------

def torch_forward_logits_factory():
    import torch
    import torch.nn.functional as F

    def rope_torch(m, t):
        # inverse frequencies recomputed with torch ops (default + llama3 only; the fixture models use these)
        d = head_dim(m)
        inv = 1.0 / (m["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
        rs = m["rope_scaling"]
        if rs is not None and rs["rope_type"] == "llama3":
            factor, lo, hi, old = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
            wl = 2 * math.pi / inv
            scaled = torch.where(wl > old / lo, inv / factor, inv)
            smooth = (old / wl - lo) / (hi - lo)
            smoothed = (1 - smooth) * scaled / factor + smooth * scaled
            medium = (~(wl < old / hi)) & (~(wl > old / lo))
            inv = torch.where(medium, smoothed, scaled)
        pos = torch.arange(t, dtype=torch.float64)
        freqs = torch.outer(pos, inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()

    def rot(x):
        x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
        return torch.cat((-x2, x1), dim=-1)

    def norm(x, w, eps):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w

    def logits_fn(m, W, ids):
        T = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in W.items()}
        ids_t = torch.tensor(ids, dtype=torch.int64)[None, :]
        t = ids_t.shape[1]
        hd, nh, nkv = head_dim(m), m["heads"], m["kv_heads"]
        cos, sin = rope_torch(m, t)
        x = F.embedding(ids_t, T["model.embed_tokens.weight"])
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        if m["sliding_window"] is not None:
            mask &= torch.ones(t, t, dtype=torch.bool).triu(-(m["sliding_window"] - 1))
        for layer in range(m["layers"]):
            p = "model.layers.%d." % layer
            h = norm(x, T[p + "input_layernorm.weight"], m["eps"])
            bias = (lambda n: T[p + "self_attn.%s_proj.bias" % n]) if m["qkv_bias"] else (lambda n: None)
            q = F.linear(h, T[p + "self_attn.q_proj.weight"], bias("q")).view(1, t, nh, hd)
            k = F.linear(h, T[p + "self_attn.k_proj.weight"], bias("k")).view(1, t, nkv, hd)
            if m.get("qk_norm"):
                q = norm(q, T[p + "self_attn.q_norm.weight"], m["eps"])
                k = norm(k, T[p + "self_attn.k_norm.weight"], m["eps"])
            q, k = q.transpose(1, 2), k.transpose(1, 2)
            v = F.linear(h, T[p + "self_attn.v_proj.weight"], bias("v")).view(1, t, nkv, hd).transpose(1, 2)
            q = q * cos + rot(q) * sin
            k = k * cos + rot(k) * sin
            k = k.repeat_interleave(nh // nkv, dim=1)
            v = v.repeat_interleave(nh // nkv, dim=1)
            s = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(hd)
            s = s.masked_fill(~mask, float("-inf"))
            a = torch.matmul(torch.softmax(s, dim=-1), v).transpose(1, 2).reshape(1, t, nh * hd)
            x = x + F.linear(a, T[p + "self_attn.o_proj.weight"])
            h = norm(x, T[p + "post_attention_layernorm.weight"], m["eps"])
            g = F.silu(F.linear(h, T[p + "mlp.gate_proj.weight"])) * F.linear(h, T[p + "mlp.up_proj.weight"])
            x = x + F.linear(g, T[p + "mlp.down_proj.weight"])
        x = norm(x, T["model.norm.weight"], m["eps"])
        if m["num_labels"] is not None:
            out = T["score.weight"]
        else:
            out = T["model.embed_tokens.weight"] if m["tie"] else T["lm_head.weight"]
        return F.linear(x, out)[0].numpy()

    return logits_fn


def torch_check_storage(m, weights):
    """Re-derives the stored values with torch's own float16/bfloat16 conversions and compares bit for bit."""
    import torch
    for name, shape in tensor_shapes(m):
        f32 = float32_values(m["seed"], name, shape)
        t32 = torch.from_numpy(f32.copy())
        if m["dtype"] == "BF16":
            ref = t32.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
        elif m["dtype"] == "F16":
            ref = t32.to(torch.float16).numpy().astype("<f2").tobytes()
        else:
            ref = t32.numpy().astype("<f4").tobytes()
        assert ref == weights[name]["raw"], "torch storage conversion differs for " + name


# ----------------------------------------------------------------------------------------------------------
# Fixture writing
# ----------------------------------------------------------------------------------------------------------

def seq_sum(values):
    """Sequential float64 accumulation in element (row-major) order: s = 0; s += v for each element."""
    s = 0.0
    s2 = 0.0
    for v in values.reshape(-1).tolist():
        s += v
        s2 += v * v
    return s, s2


def to_json(obj, indent=0):
    """Deterministic JSON: objects one key a line, lists of scalars on one line, floats as repr (full precision)."""
    pad = "  " * indent
    pad1 = "  " * (indent + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [pad1 + json.dumps(k) + ": " + to_json(v, indent + 1) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, (list, tuple)):
        if all(not isinstance(v, (dict, list, tuple)) for v in obj):
            return "[" + ", ".join(to_json(v) for v in obj) + "]"
        return "[\n" + ",\n".join(pad1 + to_json(v, indent + 1) for v in obj) + "\n" + pad + "]"
    if isinstance(obj, bool) or obj is None:
        return json.dumps(obj)
    if isinstance(obj, (int, np.integer)):
        return str(int(obj))
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        assert math.isfinite(f)
        return repr(f)
    if isinstance(obj, str):
        return json.dumps(obj)
    raise TypeError(type(obj))


def fl(a):
    return [float(v) for v in np.asarray(a).reshape(-1)]


def build_fixture(m, weights, files, logits_fn):
    W = {n: w["values"] for n, w in weights.items()}
    inv_freq, attn_factor, notes = model_rope(m)
    fx = {
        "spec": SPEC,
        "script_version": SCRIPT_VERSION,
        "command": COMMAND,
        "model": m["name"],
        "architecture": m["arch"],
        "model_seed": m["seed"],
        "stored_dtype": m["dtype"],
        "config": json.loads(config_json_text(m)),
        "generation_config": json.loads(GENERATION_CONFIG_TEXT),
        "files": [f for f, _ in files] + (["model.safetensors.index.json"] if m["sharded"] else []),
        "weights_sha256": {f: hashlib.sha256(b).hexdigest() for f, b in files},
        "tensor_checksums_note": "sum and sum_sq of the stored values upcast to float64, accumulated sequentially "
                                 "in float64 in row-major element order (s = 0; s += v), in this tensor order",
        "tensor_checksums": {},
        "rope_inv_freq": fl(inv_freq),
        "rope_attention_factor": float(attn_factor),
    }
    if notes is not None:
        fx["rope_inv_freq_branches"] = notes
    for name, w in weights.items():
        s, s2 = seq_sum(w["values"])
        fx["tensor_checksums"][name] = {"shape": list(w["shape"]), "sum": s, "sum_sq": s2}
    if m["sliding_window"] is not None:
        fx["sliding_window_note"] = ("key kv_idx is visible from query q_idx iff kv_idx <= q_idx and "
                                     "kv_idx > q_idx - sliding_window (each query sees itself and the %d keys "
                                     "before it; a key at distance %d is outside)" % (m["sliding_window"] - 1, m["sliding_window"]))

    if m["num_labels"] is None:
        seqs = []
        for ids in CAUSAL_SEQUENCES:
            logits = logits_fn(m, W, ids)
            lp = [float(log_softmax(logits[t])[ids[t + 1]]) for t in range(len(ids) - 1)]
            seqs.append({"ids": list(ids), "token_logprobs": lp, "last_logits": fl(logits[-1])})
        fx["sequences"] = seqs
        greedy_out = []
        for prompt in GREEDY_PROMPTS[m["name"]]:
            tokens, gaps = greedy(m, W, prompt, logits_fn)
            assert min(gaps) > GREEDY_MIN_GAP, "%s: greedy prompt %r has a top gap %r <= %r" % (m["name"], prompt, min(gaps), GREEDY_MIN_GAP)
            # generation_config.json lists [302, 300] as EOS ids; 300 never occurs here, so 302 alone decides
            assert BOS not in tokens, "%s: greedy prompt %r produces 300" % (m["name"], prompt)
            eos = [i for i, t in enumerate(tokens) if t == EOS]
            greedy_out.append({
                "prompt": list(prompt),
                "tokens": tokens,
                "top_gap": gaps,
                "eos_step": eos[0] if eos else None,
            })
        fx["greedy_note"] = ("%d greedy new tokens (argmax of the last position's logits, full re-forward each "
                             "step, no sampling); eos_step = index in tokens of the first %d (EOS), null if none; "
                             "tokens after it are still listed but a sampler that stops at EOS ends there (after emitting it). "
                             "300, the other id in generation_config's eos_token_id, does not occur in these tokens"
                             % (GREEDY_NEW_TOKENS, EOS))
        fx["greedy"] = greedy_out
    else:
        seqs = []
        for ids in REWARD_SEQUENCES:
            logits = logits_fn(m, W, ids)
            seqs.append({"ids": list(ids), "scores": fl(logits[-1])})
        fx["sequences"] = seqs
        padded = list(REWARD_SEQUENCES[REWARD_PADDED_BASE]) + [PAD, PAD]
        idx = pooled_index(padded, PAD)
        logits = logits_fn(m, W, padded)
        fx["pooling_note"] = ("transformers (GenericForSequenceClassification / LlamaForSequenceClassification) applies "
                              "score to every position and takes the position argmax_t(t * (input_ids[t] != "
                              "pad_token_id)): the rightmost token that is not pad_token_id (%d), index 0 if all are pad. "
                              "The model runs on the padded ids without an attention mask; with causal attention the "
                              "trailing pads do not affect that position, so the scores equal those of the unpadded "
                              "sequence (sequences[%d]) up to float rounding." % (PAD, REWARD_PADDED_BASE))
        fx["padded"] = {
            "ids": padded,
            "pooled_index": idx,
            "scores": fl(logits[idx]),
            "same_as_sequence": REWARD_PADDED_BASE,
        }
    return fx


def search_greedy_prompts(m, W, length, candidates=400):
    """How GREEDY_PROMPTS were chosen. Candidates: ids floor(300 u) from the stream of the name
    "greedy-candidates/<model>/<length>" with seed 7. Wanted: at least 6 distinct greedy tokens; for length 9 an
    EOS (302) at step 1..6, for length 5 no EOS; among those the largest smallest top gap. If no candidate
    qualifies (qwen2-tiny: with tied embeddings its greedy output repeats the last prompt token), the candidate
    with the largest smallest top gap."""
    s0 = stream_seed(7, "greedy-candidates/%s/%d" % (m["name"], length))
    u = uniforms(s0, candidates * length)
    best, fallback = None, None
    for c in range(candidates):
        ids = [int(v * 300) for v in u[c * length:(c + 1) * length]]
        tokens, gaps = greedy(m, W, ids, forward_logits)
        entry = (min(gaps), c, ids, tokens)
        if fallback is None or entry[0] > fallback[0]:
            fallback = entry
        has_eos = EOS in tokens
        if len(set(tokens)) < 6 or has_eos != (length == 9):
            continue
        if has_eos and not 1 <= tokens.index(EOS) <= 6:
            continue
        if best is None or entry[0] > best[0]:
            best = entry
    return best if best is not None else fallback


# ----------------------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------------------

def self_checks():
    # FNV-1a-64 test vectors
    assert fnv1a64("") == 0xCBF29CE484222325
    assert fnv1a64("a") == 0xAF63DC4C8601EC8C
    assert fnv1a64("foobar") == 0x85944171F73967E8
    # SplitMix64 reference: seed 1234567 -> first outputs (Vigna's splitmix64.c)
    st = 1234567
    expected = [6457827717110365317, 3203168211198807973, 9817491932198370423]
    for e in expected:
        st = (st + GOLDEN) & MASK64
        assert mix64(st) == e
    # vectorised u_j == scalar u_j
    s0 = stream_seed(11, "model.layers.0.self_attn.q_proj.weight")
    u = uniforms(s0, 1000)
    for j in (0, 1, 2, 500, 999):
        assert u[j] == uniform_scalar(s0, j)
    # BF16 rounding: exact ties go to even, others to nearest
    x = np.array([0x3F800000, 0x3F808000, 0x3F818000, 0x3F808001, 0x3F817FFF, 0xBF808000], dtype=np.uint32).view(np.float32)
    b = bf16_bits(x)
    assert list(b) == [0x3F80, 0x3F80, 0x3F82, 0x3F81, 0x3F81, 0xBF80], [hex(v) for v in b]


def rng_report():
    name = "model.layers.0.self_attn.q_proj.weight"
    lines = []
    for seed in (11, 12):
        key = fnv1a64(name)
        s0 = stream_seed(seed, name)
        lines.append("MODEL_SEED=%d NAME=%s" % (seed, name))
        lines.append("  fnv1a64 = 0x%016X (%d)" % (key, key))
        lines.append("  s0      = 0x%016X (%d)" % (s0, s0))
        for j in (0, 1):
            z = mix64(s0 + (j + 1) * GOLDEN)
            u = uniform_scalar(s0, j)
            lines.append("  u_%d     = %r  (NextUInt64 = 0x%016X)" % (j, u, z))
        f32 = float32_values(seed, name, (32, 32)).reshape(-1)
        lines.append("  value_0 = %r (float32 bits 0x%08X), value_1 = %r (0x%08X)" % (
            float(f32[0]), int(f32[:1].view(np.uint32)[0]), float(f32[1]), int(f32[1:2].view(np.uint32)[0])))
        bits = bf16_bits(f32[:2])
        lines.append("  as BF16: 0x%04X 0x%04X -> %r %r" % (bits[0], bits[1], *[float(v) for v in bf16_bits_to_f64(bits)]))
        h = f32[:2].astype(np.float16)
        lines.append("  as F16:  0x%04X 0x%04X -> %r %r" % (int(h.view(np.uint16)[0]), int(h.view(np.uint16)[1]), float(h[0]), float(h[1])))
    return "\n".join(lines)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fixtures", default=os.path.join(os.path.dirname(here), "Fixtures"),
                    help="folder for <model>.json (default: ../Fixtures next to this script)")
    ap.add_argument("--write-checkpoints", metavar="DIR", help="also write the checkpoint folders to DIR/<model>/")
    ap.add_argument("--check-torch", action="store_true", help="cross-check with torch 1.13 float64 ops (1e-10)")
    ap.add_argument("--print-rng", action="store_true", help="print s0 / u_0 / u_1 for one tensor name")
    ap.add_argument("--only", help="comma-separated model names")
    ap.add_argument("--search-greedy", action="store_true", help="print how GREEDY_PROMPTS were chosen, then stop")
    args = ap.parse_args()

    if args.search_greedy:
        for m in MODELS:
            if m["num_labels"] is None:
                W = {n: w["values"] for n, w in build_weights(m).items()}
                for length in (5, 9):
                    gap, c, ids, tokens = search_greedy_prompts(m, W, length)
                    print("%s length %d: candidate %d prompt %r -> %r (smallest top gap %r)" % (m["name"], length, c, ids, tokens, gap))
        return 0

    self_checks()
    if args.print_rng:
        print(rng_report())

    torch_logits = torch_forward_logits_factory() if args.check_torch else None
    os.makedirs(args.fixtures, exist_ok=True)
    only = set(args.only.split(",")) if args.only else None
    for m in MODELS:
        if only and m["name"] not in only:
            continue
        weights = build_weights(m)
        files, index_text = checkpoint_files(m, weights)
        # read the files back with the independent reader and compare every tensor
        seen = {}
        for fname, blob in files:
            for name, (dt, shape, raw) in read_safetensors(blob).items():
                assert dt == m["dtype"] and shape == tuple(weights[name]["shape"]) and raw == weights[name]["raw"], name
                seen[name] = fname
        assert set(seen) == set(weights)
        if index_text is not None:
            idx = json.loads(index_text)
            assert idx["weight_map"] == seen
            assert idx["metadata"]["total_size"] == sum(len(w["raw"]) for w in weights.values())

        fx = build_fixture(m, weights, files, forward_logits)
        text = to_json(fx) + "\n"
        path = os.path.join(args.fixtures, m["name"] + ".json")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print("wrote %s" % path)
        for fname, blob in files:
            print("  %s  %s  (%d bytes)" % (hashlib.sha256(blob).hexdigest(), fname, len(blob)))

        if args.write_checkpoints:
            d = os.path.join(args.write_checkpoints, m["name"])
            os.makedirs(d, exist_ok=True)
            for fname, blob in files:
                with open(os.path.join(d, fname), "wb") as f:
                    f.write(blob)
            if index_text is not None:
                with open(os.path.join(d, "model.safetensors.index.json"), "w", encoding="utf-8", newline="\n") as f:
                    f.write(index_text)
            with open(os.path.join(d, "config.json"), "w", encoding="utf-8", newline="\n") as f:
                f.write(config_json_text(m))
            with open(os.path.join(d, "generation_config.json"), "w", encoding="utf-8", newline="\n") as f:
                f.write(GENERATION_CONFIG_TEXT)

        if torch_logits is not None:
            torch_check_storage(m, weights)
            fx_t = build_fixture(m, weights, files, torch_logits)
            worst = compare(fx, fx_t)
            assert worst <= 1e-10, "%s: torch cross-check differs by %r" % (m["name"], worst)
            print("  torch 1.13 float64 cross-check: max abs difference %.3e (<= 1e-10), storage bit-identical" % worst)
    return 0


def compare(a, b, path=""):
    """Max abs difference between two fixture trees of the same shape (ints/strings must be equal)."""
    if isinstance(a, dict):
        assert set(a) == set(b), path
        return max([compare(a[k], b[k], path + "/" + k) for k in a] or [0.0])
    if isinstance(a, list):
        assert len(a) == len(b), path
        return max([compare(x, y, path + "[]") for x, y in zip(a, b)] or [0.0])
    if isinstance(a, float):
        return abs(a - b)
    assert a == b, (path, a, b)
    return 0.0


if __name__ == "__main__":
    sys.exit(main())
