"""GPT-2 parity fixtures for the Java runtime (dev.pianola.runtime, dev.pianola.models.remi.Gpt2Generator).

Run with the pinned torch venv (tools/reference/requirements-torch.txt):

    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install -r tools/reference/requirements-torch.txt
    /tmp/torchvenv/bin/python tools/reference/gpt2_fixtures.py

Writes tests/fixtures/gpt2/:
  tiny/                a model package made by tools/export/export_gpt2.py from a TINY random-weight
                       GPT2LMHeadModel with the real architecture (Maestro-REMI-bpe20k's config scaled
                       down: 2 layers, 64 wide, 4 heads, vocab 512, 256 positions, gelu_new, BOS 2,
                       EOS 3, PAD 0; torch seed 1234)
  generations.json     transformers' generate() with greedy decoding on fixed prompts: each case
                       gives its prompts (one, or several left-padded into one batch), eos, the new
                       tokens of each row exactly as generate returns them (PAD after a row's EOS),
                       and the smallest gap between the two best logits over all steps (how far
                       from a tie a float difference would have to push the argmax)
  samplers.npz         random logits 'logits' [rows, vocab] and histories 'history' [rows, len], and
                       for each case of samplers.json the logits after transformers' own processors
  samplers.json        the cases: processor parameters, in the order generate() applies them
"""
import json
import pathlib
import sys

import numpy as np
import torch
import transformers
from transformers import GenerationConfig, GPT2Config, GPT2LMHeadModel
from transformers.generation.logits_process import (LogitsProcessorList, RepetitionPenaltyLogitsProcessor,
                                                    SuppressTokensLogitsProcessor, TemperatureLogitsWarper,
                                                    TopKLogitsWarper, TopPLogitsWarper)

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "export"))
import export_gpt2  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "gpt2"
EXPECTED = {"torch": "2.5.1", "transformers": "4.46.3"}
SEED = 1234
BOS, EOS, PAD = 2, 3, 0


def check_versions():
    got = {"torch": torch.__version__.split("+")[0], "transformers": transformers.__version__}
    if got != EXPECTED:
        raise SystemExit(f"pinned versions {EXPECTED} expected, found {got} (tools/reference/requirements-torch.txt)")


def tiny_model():
    torch.manual_seed(SEED)
    cfg = GPT2Config(n_layer=2, n_embd=64, n_head=4, n_inner=256, vocab_size=512, n_positions=256,
                     activation_function="gelu_new", layer_norm_epsilon=1e-5, bos_token_id=BOS,
                     eos_token_id=EOS, pad_token_id=PAD, initializer_range=0.2)
    # initializer_range 0.2 (GPT-2's is 0.02) gives peaked logits, so that greedy choices are far
    # from ties and float differences between PyTorch and ONNX Runtime cannot flip them
    return GPT2LMHeadModel._from_config(cfg, attn_implementation="eager").eval()


def generate(model, prompts, new_tokens, eos):
    """transformers' greedy generate on left-padded prompts; new tokens per row and the smallest top-2 gap."""
    width = max(len(p) for p in prompts)
    ids = torch.tensor([[PAD] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    with torch.no_grad():
        out = model.generate(ids, attention_mask=mask, max_new_tokens=new_tokens, do_sample=False, num_beams=1,
                             pad_token_id=PAD, eos_token_id=eos, output_scores=True, return_dict_in_generate=True)
    gaps = []
    for step_scores in out.scores:
        top = torch.topk(step_scores, 2, dim=-1).values
        gaps.append(float((top[:, 0] - top[:, 1]).min()))
    return out.sequences[:, width:].tolist(), min(gaps)


def generation_cases(model):
    g = torch.Generator().manual_seed(SEED + 1)

    def prompt(n):
        return [BOS] + torch.randint(5, model.config.vocab_size, (n - 1,), generator=g).tolist()

    cases = []
    for name, lengths, new in [("bos-only", [1], 40), ("short", [8], 40), ("medium", [33], 60),
                               ("long", [120], 40), ("batch", [5, 21, 64], 30)]:
        prompts = [prompt(n) for n in lengths]
        tokens, gap = generate(model, prompts, new, EOS)
        cases.append({"name": name, "prompts": prompts, "maxNewTokens": new, "eos": EOS, "tokens": tokens, "minTop2Gap": gap})
    # a batch in which one row meets its EOS early: take a token the first row produces at step 6
    # (and not before) as EOS, so generate ends that row and pads it while the other goes on
    prompts = [prompt(12), prompt(30)]
    free, _ = generate(model, prompts, 40, None)
    row = free[0]
    eos = next(t for t in row[6:] if t not in row[:6] and t not in free[1][:20])
    tokens, gap = generate(model, prompts, 40, eos)
    cases.append({"name": "batch-eos", "prompts": prompts, "maxNewTokens": 40, "eos": eos, "tokens": tokens, "minTop2Gap": gap})
    return cases


def sampler_cases(model):
    """Random logits through transformers' processors, one case per parameter set."""
    rng = np.random.default_rng(SEED)
    rows, vocab, hist = 8, 1000, 40
    logits = (rng.standard_normal((rows, vocab)) * 3).astype(np.float32)
    logits[6] = np.round(logits[6])  # many exact ties: top-k keeps every logit equal to the k-th
    logits[7, :500] = -np.inf  # already filtered tokens, as after a mask
    history = rng.integers(0, vocab, (rows, hist)).astype(np.int64)
    cases = [
        {"name": "temperature-0.7", "temperature": 0.7},
        {"name": "temperature-2.5", "temperature": 2.5},
        {"name": "top-k-1", "topK": 1},
        {"name": "top-k-15", "topK": 15},
        {"name": "top-k-50", "topK": 50},
        {"name": "top-p-0.5", "topP": 0.5},
        {"name": "top-p-0.9", "topP": 0.9},
        {"name": "top-p-0.95", "topP": 0.95},
        {"name": "repetition-1.3", "repetitionPenalty": 1.3, "doSample": False},
        {"name": "suppress-pad", "suppressTokens": [0, 1], "doSample": False},
        {"name": "paper", "temperature": 2.5, "topK": 15, "topP": 0.95},
        {"name": "everything", "temperature": 0.8, "topK": 40, "topP": 0.9, "repetitionPenalty": 1.2, "suppressTokens": [0]},
    ]
    arrays = {"logits": logits, "history": history}
    for c in cases:
        c.setdefault("doSample", True)
        # generate()'s own list, so that the order (processors, then temperature, top-k, top-p) is transformers'
        gc = GenerationConfig(do_sample=c["doSample"], temperature=c.get("temperature", 1.0), top_k=c.get("topK", 0),
                              top_p=c.get("topP", 1.0), repetition_penalty=c.get("repetitionPenalty", 1.0),
                              suppress_tokens=c.get("suppressTokens"), pad_token_id=PAD)
        gc._eos_token_tensor = None  # what generate() sets before it builds the list; no EOS processors here
        procs = model._get_logits_processor(generation_config=gc, input_ids_seq_length=hist, encoder_input_ids=None,
                                            prefix_allowed_tokens_fn=None, logits_processor=LogitsProcessorList())
        kinds = [type(p).__name__ for p in procs]
        allowed = {RepetitionPenaltyLogitsProcessor.__name__, SuppressTokensLogitsProcessor.__name__, TemperatureLogitsWarper.__name__,
                   TopKLogitsWarper.__name__, TopPLogitsWarper.__name__}
        if not set(kinds) <= allowed:
            raise SystemExit(f"case {c['name']}: unexpected processors {kinds}")
        c["processors"] = kinds
        out = procs(torch.from_numpy(history), torch.from_numpy(logits.copy()))
        arrays[c["name"]] = out.numpy().astype(np.float32)
    return cases, arrays


def main():
    check_versions()
    OUT.mkdir(parents=True, exist_ok=True)
    model = tiny_model()
    export_gpt2.write_package(model, OUT / "tiny", "random weights (tools/reference/gpt2_fixtures.py, seed 1234)",
                              "none (random weights, made for tests)", {"doSample": False, "maxNewTokens": 64})
    cases = generation_cases(model)
    (OUT / "generations.json").write_text(json.dumps({"cases": cases}, indent=1) + "\n")
    scases, arrays = sampler_cases(model)
    np.savez(OUT / "samplers.npz", **arrays)
    (OUT / "samplers.json").write_text(json.dumps({"cases": scases}, indent=1) + "\n")
    for c in cases:
        print(c["name"], "min top-2 gap", round(c["minTop2Gap"], 4), "rows", [len(t) for t in c["tokens"]])


if __name__ == "__main__":
    main()
