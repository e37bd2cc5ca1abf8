"""multilingual-e5-small's encoder in plain torch, read from the converted model folder.

The same computation as transformers' XLMRobertaModel followed by sentence-transformers' mean pooling
and normalisation, without importing either: in a serving process transformers' model classes cost about
150 MB and sentence-transformers (which imports scikit-learn and SciPy) about 180 MB more and 6 s
(bench/RESULTS.md). The folder stays a standard sentence-transformers folder, and the tests check that
both read it the same way. Imported only by the engine, when it first embeds a text.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import safe_open
from torch import nn
from torch.nn import functional

# our parameter name -> transformers' name within a layer
_LAYER_NAMES = {"attention_out": "attention.output.dense", "attention_norm": "attention.output.LayerNorm",
                "ffn_in": "intermediate.dense", "ffn_out": "output.dense", "output_norm": "output.LayerNorm"}


class Layer(nn.Module):
    """One transformer layer: self-attention (query, key and value in one matrix) and feed-forward, each
    followed by a residual LayerNorm."""

    def __init__(self, hidden: int, heads: int, intermediate: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.attention_out = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=eps)
        self.ffn_in = nn.Linear(hidden, intermediate)
        self.ffn_out = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        """x: [batch, tokens, hidden]; keep: [batch, 1, 1, tokens], True where a token is real."""
        batch, tokens, hidden = x.shape
        q, k, v = self.qkv(x).view(batch, tokens, 3, self.heads, hidden // self.heads).permute(2, 0, 3, 1, 4)
        attended = functional.scaled_dot_product_attention(q, k, v, attn_mask=keep)
        x = self.attention_norm(self.attention_out(attended.transpose(1, 2).reshape(batch, tokens, hidden)) + x)
        return self.output_norm(self.ffn_out(functional.gelu(self.ffn_in(x))) + x)


class Encoder(nn.Module):
    """Token ids and attention mask in, mean-pooled L2-normalised sentence vectors out."""

    def __init__(self, config: dict, word: nn.Module) -> None:
        super().__init__()
        hidden, eps = config["hidden_size"], config["layer_norm_eps"]
        self.pad = config["pad_token_id"]
        self.word = word
        self.position = nn.Embedding(config["max_position_embeddings"], hidden)
        self.token_type = nn.Embedding(config["type_vocab_size"], hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(
            Layer(hidden, config["num_attention_heads"], config["intermediate_size"], eps)
            for _ in range(config["num_hidden_layers"]))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """ids, mask: [batch, tokens] (mask 1 for real tokens, 0 for padding)."""
        positions = torch.cumsum(mask, dim=1) * mask + self.pad  # XLM-R counts positions from pad + 1
        x = self.embedding_norm(self.word(ids) + self.position(positions) + self.token_type.weight[0])
        keep = mask.bool()[:, None, None, :]
        for layer in self.layers:
            x = layer(x, keep)
        weights = mask.unsqueeze(-1).to(x.dtype)
        pooled = (x * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
        return functional.normalize(pooled, p=2, dim=1)


def build_encoder(folder: Path, word: nn.Module) -> Encoder:
    """The encoder over `folder` (its config.json and model.safetensors, token table excluded) with `word`
    as the token table: a module mapping token ids to float32 rows. Raises KeyError when a weight is
    missing, OSError when a file cannot be read."""
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    encoder = Encoder(config, word)
    state: dict[str, torch.Tensor] = {}
    with safe_open(str(folder / "model.safetensors"), framework="pt") as tensors:
        names = set(tensors.keys())

        def take(name: str) -> torch.Tensor:
            if name not in names:
                raise KeyError(f"model.safetensors has no {name}")
            return tensors.get_tensor(name).clone()  # a copy, so that the file's pages are not kept mapped

        state["position.weight"] = take("embeddings.position_embeddings.weight")
        state["token_type.weight"] = take("embeddings.token_type_embeddings.weight")
        for part in ("weight", "bias"):
            state[f"embedding_norm.{part}"] = take(f"embeddings.LayerNorm.{part}")
            for n in range(len(encoder.layers)):
                source, target = f"encoder.layer.{n}.", f"layers.{n}."
                state[target + f"qkv.{part}"] = torch.cat(
                    [take(source + f"attention.self.{name}.{part}") for name in ("query", "key", "value")])
                for ours, theirs in _LAYER_NAMES.items():
                    state[target + f"{ours}.{part}"] = take(source + f"{theirs}.{part}")
    missing, unexpected = encoder.load_state_dict(state, strict=False, assign=True)
    if [name for name in missing if not name.startswith("word.")] or unexpected:
        raise KeyError(f"weights missing {missing[:3]}, unexpected {unexpected[:3]}")
    return encoder.eval()
