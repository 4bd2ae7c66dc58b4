#!/usr/bin/env python3
"""PyTorch + transformers reference for the GPU figures in docs/benchmarks.md (run by benchmarks/gpu/hf-gpu.sh).

A Qwen2-shaped model of about 0.5B parameters (Qwen2.5-0.5B's shape: hidden 896, 24 layers, 14 heads with 2 key/value
heads, SwiGLU 4864, vocabulary 151,936, tied embeddings, q/k/v biases) with random BF16 weights, written once as a
Hugging Face folder that both sides load (the byte-level tokenizer of llama_torch.py: its 258 tokens fit the
embedding):

    python3 benchmarks/reference/qwen_gpu_torch.py --write /tmp/qwen-0.5b
    python3 benchmarks/reference/qwen_gpu_torch.py /tmp/qwen-0.5b       # transformers on CUDA, BF16, SDPA attention
    prefsuite's side: PrefSuite.Benchmarks hf-gpu /tmp/qwen-0.5b

What a transformers user runs today, measured the way PrefSuite.Benchmarks' HfDecoderGpuSpeed measures PrefSuite:
  * sampling: `model.generate` on 64 rows of one 32-token prompt, 128 new tokens, temperature 1 (top-k and top-p off),
    tokens per second over all rows (a row that draws EOS stops), best of 3 after a warm-up;
  * DPO step: 8 pairs (prompt 128 tokens, chosen and rejected 384 tokens + EOS), policy forward of chosen and rejected,
    response log-prob sums in float32, sigmoid DPO loss (beta 0.1) against precomputed reference log-probs (TRL's
    precompute_ref_log_probs, as PrefSuite caches them), backward, gradient clipping at 1, AdamW: median of 10 steps
    after 2 warm-ups, synchronised;
  * an 8192^3 BF16 matrix product through torch.matmul (the GPU's reachable peak), mean of 10 after 3 warm-ups.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

CONFIG = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "vocab_size": 151936,
    "hidden_size": 896,
    "intermediate_size": 4864,
    "num_hidden_layers": 24,
    "num_attention_heads": 14,
    "num_key_value_heads": 2,
    "max_position_embeddings": 32768,
    "rope_theta": 1000000.0,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
    "use_sliding_window": False,
    "sliding_window": 32768,
    "max_window_layers": 24,
    "hidden_act": "silu",
    "attention_dropout": 0.0,
    "initializer_range": 0.02,
    "torch_dtype": "bfloat16",
    "bos_token_id": 256,
    "eos_token_id": 257,
}
SAMPLE_ROWS, PROMPT, NEW = 64, 32, 128
PAIRS, PROMPT_TOKENS, RESPONSE_TOKENS, BETA = 8, 128, 384, 0.1
EOS = 257


TINY = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4}


def save_bf16(tensors, path):
    """A safetensors file of BF16 tensors (the format's header, then the raw little-endian data in header order)."""
    import struct
    import torch
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    blobs = []
    for name, value in tensors.items():
        raw = value.contiguous().view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": "BF16", "shape": list(value.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * ((8 - (8 + len(encoded)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for raw in blobs:
            f.write(raw)


def write(folder, tiny=False):
    """The checkpoint; --tiny gives the same vocabulary on a 2-layer, 64-wide body (to try the scripts on a CPU)."""
    import torch
    from llama_torch import write_tokenizer

    os.makedirs(folder, exist_ok=True)
    c = dict(CONFIG, **TINY) if tiny else CONFIG
    h, i, layers = c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"]
    d = h // c["num_attention_heads"]
    kv = c["num_key_value_heads"] * d
    device = "cuda" if torch.cuda.is_available() else "cpu"
    gen = torch.Generator(device=device).manual_seed(0)

    def normal(*shape):
        return (torch.randn(*shape, generator=gen, device=device) * 0.02).to(torch.bfloat16).cpu()

    tensors = {"model.embed_tokens.weight": normal(c["vocab_size"], h), "model.norm.weight": torch.ones(h, dtype=torch.bfloat16)}
    for layer in range(layers):
        p = f"model.layers.{layer}."
        tensors.update({
            p + "input_layernorm.weight": torch.ones(h, dtype=torch.bfloat16),
            p + "post_attention_layernorm.weight": torch.ones(h, dtype=torch.bfloat16),
            p + "self_attn.q_proj.weight": normal(h, h), p + "self_attn.q_proj.bias": normal(h),
            p + "self_attn.k_proj.weight": normal(kv, h), p + "self_attn.k_proj.bias": normal(kv),
            p + "self_attn.v_proj.weight": normal(kv, h), p + "self_attn.v_proj.bias": normal(kv),
            p + "self_attn.o_proj.weight": normal(h, h),
            p + "mlp.gate_proj.weight": normal(i, h), p + "mlp.up_proj.weight": normal(i, h), p + "mlp.down_proj.weight": normal(h, i),
        })
    save_bf16(tensors, os.path.join(folder, "model.safetensors"))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 256, "eos_token_id": EOS}, f)
    write_tokenizer(folder)
    print(f"wrote {folder}: {sum(t.numel() for t in tensors.values()):,} parameters")


def gemm_tflops(torch):
    a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(10):
        a @ b
    torch.cuda.synchronize()
    return 2 * 8192 ** 3 * 10 / (time.perf_counter() - start) / 1e12


def sample_tok_s(torch, model):
    gen = torch.Generator().manual_seed(2)
    best = 0.0
    for rep in range(4):
        prompt = torch.randint(0, 256, (1, PROMPT), generator=gen).repeat(SAMPLE_ROWS, 1).cuda()
        torch.manual_seed(rep)
        torch.cuda.synchronize()
        start = time.perf_counter()
        out = model.generate(prompt, attention_mask=torch.ones_like(prompt), do_sample=True, temperature=1.0, top_k=0, top_p=1.0,
                             max_new_tokens=NEW, min_new_tokens=0, pad_token_id=EOS, eos_token_id=EOS)
        torch.cuda.synchronize()
        elapsed = time.perf_counter() - start
        new = out[:, PROMPT:]
        # Tokens per row up to and including its first EOS (generate pads finished rows with EOS).
        is_eos = (new == EOS).int()
        first = torch.where(is_eos.any(1), is_eos.argmax(1) + 1, torch.full_like(is_eos[:, 0], new.shape[1]))
        tokens = int(first.sum())
        if rep > 0:
            best = max(best, tokens / elapsed)
    return best


def dpo_step_ms(torch, model):
    import torch.nn.functional as F
    gen = torch.Generator().manual_seed(1)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-6)
    model.train()
    length = PROMPT_TOKENS + RESPONSE_TOKENS + 1
    times = []
    for step in range(12):
        prompts = torch.randint(97, 123, (PAIRS, PROMPT_TOKENS), generator=gen)
        eos = torch.full((PAIRS, 1), EOS)
        chosen = torch.cat([prompts, torch.randint(97, 123, (PAIRS, RESPONSE_TOKENS), generator=gen), eos], 1)
        rejected = torch.cat([prompts, torch.randint(97, 123, (PAIRS, RESPONSE_TOKENS), generator=gen), eos], 1)
        ids = torch.cat([chosen, rejected], 0).cuda()
        mask = torch.zeros(2 * PAIRS, length - 1, device="cuda")
        mask[:, PROMPT_TOKENS - 1:] = 1  # targets ids[:, 1:]: the response tokens, EOS included
        ref = torch.randn(2 * PAIRS, generator=gen).cuda() - 1000.0
        torch.cuda.synchronize()
        start = time.perf_counter()
        logits = model(ids[:, :-1]).logits
        logps = torch.gather(logits.float().log_softmax(-1), 2, ids[:, 1:, None]).squeeze(2)
        sums = (logps * mask).sum(1)
        h = (sums[:PAIRS] - ref[:PAIRS]) - (sums[PAIRS:] - ref[PAIRS:])
        loss = -F.logsigmoid(BETA * h).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        loss.item()
        torch.cuda.synchronize()
        if step >= 2:
            times.append((time.perf_counter() - start) * 1000)
    model.eval()
    return sorted(times)[len(times) // 2], torch.cuda.max_memory_allocated() / 2 ** 30


def step_parts(torch, model):
    """Where a step's time goes: each part synchronised on its own, median of 6 after 2 warm-ups."""
    gen = torch.Generator().manual_seed(3)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-6)
    parts = {}

    def timed(name, i, action):
        torch.cuda.synchronize()
        start = time.perf_counter()
        action()
        torch.cuda.synchronize()
        if i >= 2:
            parts.setdefault(name, []).append((time.perf_counter() - start) * 1000)

    def fwd_bwd():
        ids = torch.randint(97, 123, (2 * PAIRS, PROMPT_TOKENS + RESPONSE_TOKENS + 1), generator=gen).cuda()
        logits = model(ids[:, :-1]).logits
        torch.gather(logits.float().log_softmax(-1), 2, ids[:, 1:, None]).sum().backward()

    model.train()
    for i in range(8):
        timed("one_pass_fwd_bwd", i, fwd_bwd)
        timed("clip_grad_norm", i, lambda: torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0))
        timed("adamw_step", i, opt.step)
        timed("zero_grad", i, lambda: opt.zero_grad(set_to_none=True))
    model.eval()
    for name, times in parts.items():
        print(f"pytorch: part {name}_ms={sorted(times)[len(times) // 2]:.1f}", flush=True)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--write":
        write(sys.argv[2], tiny="--tiny" in sys.argv)
        return
    import torch
    import transformers
    from transformers import AutoModelForCausalLM

    folder = sys.argv[1]
    torch.backends.cuda.matmul.allow_tf32 = True
    print(f"torch {torch.__version__} transformers {transformers.__version__} on {torch.cuda.get_device_name()}", flush=True)
    print(f"pytorch: gemm_bf16_8192_tflops={gemm_tflops(torch):.0f}", flush=True)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.bfloat16, attn_implementation="sdpa").cuda().eval()
    params = sum(p.numel() for p in model.parameters())
    tok_s = sample_tok_s(torch, model)
    print(f"pytorch: params={params} sample_b{SAMPLE_ROWS}_tok_s={tok_s:.0f}", flush=True)
    torch.cuda.reset_peak_memory_stats()
    step, memory = dpo_step_ms(torch, model)
    print(f"pytorch: dpo_step_{PAIRS}pairs_T{PROMPT_TOKENS + RESPONSE_TOKENS + 1}_ms={step:.1f} peak_gib={memory:.1f}", flush=True)
    if os.environ.get("PREFSUITE_STEP_PARTS") == "1":
        step_parts(torch, model)


if __name__ == "__main__":
    main()
