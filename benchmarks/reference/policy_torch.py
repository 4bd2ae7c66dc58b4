#!/usr/bin/python3
"""PyTorch reference for the built-in policy's speed figures in docs/benchmarks.md.

Run with Debian's python3-torch (apt-get install libopenblas0-pthread python3-torch):
    /usr/bin/python3 benchmarks/reference/policy_torch.py
The same architecture as PrefSuite.Models.Policy.GptModel (pre-norm blocks, learned positions, 4x GELU MLP, output tied
to the token embedding), the same sizes, one thread, the same measurements as
`dotnet run -c Release --project benchmarks/PrefSuite.Benchmarks -- policy-speed`:
sampling tokens/s with a KV cache at batch 1 and 16, a training step (AdamW, batch x length), and reward scoring
sequences/s of an MLP reward model (embedding, 4x ReLU MLP, masked mean pool, linear heads).
"""
import math
import os
import time

# One thread for everything, GEMM included: Debian's OpenBLAS keeps its own thread pool, which
# torch.set_num_threads does not control, and would otherwise use every core.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)

SIZES = {
    "demo": dict(layers=3, width=64, heads=4, vocab=15, context=32, prompt=8, new=24),
    "d256": dict(layers=4, width=256, heads=8, vocab=259, context=128, prompt=16, new=96),
}


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)

    def forward(self, x, cache=None):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        past = 0
        if cache is not None:
            past = cache["len"]
            cache["k"][:, :, past:past + t] = k
            cache["v"][:, :, past:past + t] = v
            cache["len"] = past + t
            k = cache["k"][:, :, :past + t]
            v = cache["v"][:, :, :past + t]
        if past == 0:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True) if hasattr(F, "scaled_dot_product_attention") else manual(q, k, v, True)
        else:
            y = F.scaled_dot_product_attention(q, k, v) if hasattr(F, "scaled_dot_product_attention") else manual(q, k, v, False)
        return self.proj(y.transpose(1, 2).contiguous().view(b, t, c))


def manual(q, k, v, causal):
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if causal:
        t = q.shape[-2]
        scores = scores.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
    return scores.softmax(-1) @ v


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.ln2 = nn.LayerNorm(width)
        self.fc = nn.Linear(width, 4 * width)
        self.out = nn.Linear(4 * width, width)

    def forward(self, x, cache=None):
        x = x + self.attn(self.ln1(x), cache)
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class Gpt(nn.Module):
    def __init__(self, layers, width, heads, vocab, context, **_):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(width)
        self.width, self.heads, self.layers = width, heads, layers

    def forward(self, tokens, positions=None, caches=None):
        if positions is None:
            positions = torch.arange(tokens.shape[1]).unsqueeze(0)
        x = self.wte(tokens) + self.wpe(positions)
        for i, block in enumerate(self.blocks):
            x = block(x, None if caches is None else caches[i])
        return F.linear(self.ln(x), self.wte.weight)


def sample_speed(model, cfg, batch, repeats=5):
    best = 0.0
    with torch.no_grad():
        for _ in range(repeats):
            start = time.perf_counter()
            prompt = torch.randint(0, cfg["vocab"] - 3, (batch, cfg["prompt"]))
            cap = cfg["prompt"] + cfg["new"]
            hd = cfg["width"] // cfg["heads"]
            caches = [dict(k=torch.zeros(batch, cfg["heads"], cap, hd), v=torch.zeros(batch, cfg["heads"], cap, hd), len=0) for _ in range(cfg["layers"])]
            logits = model(prompt, None, caches)[:, -1]
            done = torch.zeros(batch, dtype=torch.bool)
            generated = 0
            eos = cfg["vocab"] - 1
            for step in range(cfg["new"]):
                probs = logits.softmax(-1)
                token = torch.multinomial(probs, 1)
                logprob = probs.log().gather(-1, token)  # reported per token, as PrefSuite does
                generated += int((~done).sum())
                done |= token.squeeze(1) == eos
                if bool(done.all()) or step == cfg["new"] - 1:
                    break
                pos = torch.full((batch, 1), cfg["prompt"] + step)
                logits = model(token, pos, caches)[:, -1]
            best = max(best, generated / (time.perf_counter() - start))
    return best


def train_step_ms(model, cfg, batch, length, steps=20):
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    tokens = torch.randint(0, cfg["vocab"], (batch, length + 1))
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        logits = model(tokens[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, cfg["vocab"]), tokens[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        times.append(time.perf_counter() - start)
    return 1000 * sorted(times)[len(times) // 2]


class MlpReward(nn.Module):
    def __init__(self, vocab, width, heads):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.fc = nn.Linear(width, 4 * width)
        self.out = nn.Linear(4 * width, width)
        self.head = nn.Linear(width, heads)

    def forward(self, ids, mask):
        h = self.out(F.relu(self.fc(self.emb(ids))))
        m = mask.unsqueeze(-1).float()
        return self.head((h * m).sum(1) / m.sum(1))


def scoring_speed(vocab, width, batch, length, repeats=20):
    model = MlpReward(vocab, width, 2).eval()
    ids = torch.randint(0, vocab, (batch, length))
    mask = torch.ones(batch, length, dtype=torch.long)
    times = []
    with torch.no_grad():
        for _ in range(repeats):
            start = time.perf_counter()
            model(ids, mask)
            times.append(time.perf_counter() - start)
    return batch / sorted(times)[len(times) // 2]


def main():
    torch.manual_seed(0)
    for name, cfg in SIZES.items():
        model = Gpt(**cfg).eval()
        params = sum(p.numel() for p in model.parameters())
        b1 = sample_speed(model, cfg, 1)
        b16 = sample_speed(model, cfg, 16)
        model.train()
        step = train_step_ms(model, cfg, 16, cfg["context"] // 2)
        print(f"{name}: params={params} sample_b1_tok_s={b1:.0f} sample_b16_tok_s={b16:.0f} train_step_B16xT{cfg['context'] // 2}_ms={step:.2f}")
    print(f"reward_mlp_d256: sequences_per_s={scoring_speed(259, 256, 32, 64):.0f} (batch 32 x 64 tokens)")


if __name__ == "__main__":
    main()
