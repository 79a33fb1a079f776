"""Teaches a random-weight GPT-2 REMI's grammar for the bench package (lv2_remi_package.py), and checks it.

Why: a random model almost never writes a Bar or a sensible Position, so an answer window gets a note
only by chance and "phrase end -> first answering note" measures the random model, not the plug-in.
A trained model writes `Bar Position Pitch Velocity Duration` right away; a few hundred steps on the
corpus are meant to teach a model some of that (not music: six pieces, minutes of CPU; see Measured).

Data: the REMI+BPE ids of the corpus piano files (Maestro_1..4, POP909_008/010) as MidiTok 2.0.6 wrote
them with the fixture's tokenizer: tests/fixtures/remi/remi_parity.json holds exactly these (made by
tools/reference/remi_fixtures.py from the same corpus files with the tokenizer whose tokenizer.json the
package carries, and Java's RemiTokenizer reproduces them id for id), so no MidiTok venv is needed here.
perceiver_prompt_1 is held out: the check continues it. Training windows are BOS + WINDOW - 1 ids that
start at a bar (a token whose base tokens start with Bar), as the live prompt is BOS + the phrase's last
bars (RemiContinuation.prompt).

The check decodes BPE ids to base tokens with tokenizer.json's own tables (a BPE token's string is one
character per base id) and parses them with REMI's grammar as MidiTok's encoder writes it:
Bar, then Position (never falling within a bar; the encoder itself repeats one now and then), then one
or more Pitch Velocity Duration triples.

Measured 2026-12-04 on this project's 2-core VM under other work (load 6-12): 231 of the 400 steps in the
600 s limit, loss 6.99 -> 5.51 (the data's unigram entropy: 6.22 nats). The check, 96 new tokens per run
(greedy, top-k T 1.0 x2, package sampling x2; the prompt stops mid-bar, ~20 tokens before a corpus bar line):
  random init   86% grammatical; Bars 0 2 1 3 0; first Bar at new token -, 7, 78, 31, -
  231 steps     84% grammatical; Bars 0 2 1 1 1; first Bar at new token -, 13, 19, 28, 34 (first note after it +2)
So the grammar is partly learned: sampled runs reach the bar line about where the corpus would, greedy
repeats notes without one, and the grammatical share did not rise; a quiet machine runs all 400 steps.
"""
import json
import math
import pathlib
import random
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
PARITY = ROOT / "tests" / "fixtures" / "remi" / "remi_parity.json"
TRAIN_FILES = ["Maestro_1.mid", "Maestro_2.mid", "Maestro_3.mid", "Maestro_4.mid", "POP909_008.mid", "POP909_010.mid"]
HELD_OUT = "perceiver_prompt_1.mid"

SEED = 0
STEPS = 400
BATCH = 2  # small batches, more updates: what a short run learns most from
WINDOW = 256  # BOS + 255 ids
LEARNING_RATE = 1e-3
WARMUP_STEPS = 10
# ~0.75 s a step on this project's 2-core VM when it is quiet (5 min); other work can make it 20 times
# slower, so training stops here and the package says how many steps it got
TIME_LIMIT_S = 600
CHECK_NEW_TOKENS = 96


def corpus_ids():
    """{file name: BPE ids} of the corpus files, as MidiTok 2.0.6 tokenized them (see the module docstring)."""
    return {r["file"]: r["bpe_ids"] for r in json.loads(PARITY.read_text())["files"]}


class Vocabulary:
    """BPE id -> base token names, from the tokenizer.json the package carries."""

    def __init__(self, tokenizer_json):
        params = json.loads(pathlib.Path(tokenizer_json).read_text())
        byte_to_token = params["_vocab_base_byte_to_token"]
        bpe_vocab = json.loads(params["_model"])["model"]["vocab"]
        self.base = {i: [byte_to_token[c] for c in s] for s, i in bpe_vocab.items()}

    def expand(self, ids):
        return [t for i in ids for t in self.base[i]]

    def starts_bar(self, i):
        return self.base[i][0] == "Bar_None"


def parse(tokens):
    """Which base tokens REMI's grammar accepts, one bool each; a rejected token leaves the state as it was.
    Also the indices at which a note (Pitch Velocity Duration) completes."""
    ok, notes = [], []
    state, position = "start", -1  # start: before any Bar; bar: after Bar; pos: after Position or a note;
    for k, t in enumerate(tokens):  # pitch / velocity: inside a note
        kind, _, value = t.partition("_")
        good = False
        if kind == "Bar" and state in ("start", "bar", "pos"):
            state, position, good = "bar", -1, True
        elif kind == "Position" and state in ("bar", "pos") and int(value) >= position:
            state, position, good = "pos", int(value), True
        elif kind == "Pitch" and state == "pos":
            state, good = "pitch", True
        elif kind == "Velocity" and state == "pitch":
            state, good = "velocity", True
        elif kind == "Duration" and state == "velocity":
            state, good = "pos", True
            notes.append(k)
        ok.append(good)
    return ok, notes


def bar_starts(ids, vocab):
    return [k for k, i in enumerate(ids) if vocab.starts_bar(i)]


def train(model, vocab, bos, log):
    """Trains `model` in place on random bar-aligned windows of the corpus; returns the steps it ran."""
    import torch

    ids = corpus_ids()
    pieces = [ids[f] for f in TRAIN_FILES]
    # (piece, start) for every bar start with a whole window after it; pieces weighted by their length
    starts = [(p, s) for p, piece in enumerate(pieces) for s in bar_starts(piece, vocab) if s + WINDOW - 1 <= len(piece)]
    log(f"remi_grammar: {sum(map(len, pieces))} ids in {len(pieces)} pieces ({', '.join(TRAIN_FILES)}), "
        f"{len(starts)} window starts; {STEPS} steps x {BATCH} x {WINDOW} tokens, AdamW lr {LEARNING_RATE}, "
        f"{torch.get_num_threads()} threads, at most {TIME_LIMIT_S} s")
    rng = random.Random(SEED)
    opt = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / WARMUP_STEPS if s < WARMUP_STEPS
        else 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (s - WARMUP_STEPS) / (STEPS - WARMUP_STEPS))))
    model.eval()  # no dropout: a short run learns faster without it (gradients flow in eval mode too)
    t0 = time.perf_counter()
    step, recent = 0, []
    while step < STEPS and time.perf_counter() - t0 < TIME_LIMIT_S:
        batch = []
        for _ in range(BATCH):
            p, s = rng.choice(starts)
            batch.append([bos] + pieces[p][s:s + WINDOW - 1])
        x = torch.tensor(batch)
        loss = model(input_ids=x, labels=x).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        schedule.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        recent.append(loss.item())
        if step % 10 == 0 or step == 1:
            log(f"  step {step:4d}  loss {sum(recent) / len(recent):.3f}  {time.perf_counter() - t0:6.1f} s")
            recent = []
    if step < STEPS:
        log(f"remi_grammar: time limit reached after {step} of {STEPS} steps")
    return step


def check_prompt(vocab, bos):
    """BOS + the held-out piece's first two bars and the notes of its third before the bar's middle
    (Position 16), so the model has a bar to finish, as after a live phrase."""
    ids = corpus_ids()[HELD_OUT]
    bars = bar_starts(ids, vocab)
    cut = len(ids) // 2
    if len(bars) >= 3:
        for k in range(bars[2], bars[3] if len(bars) > 3 else len(ids)):
            first = vocab.base[ids[k]][0]
            if first.startswith("Position_") and int(first.split("_")[1]) >= 16:
                cut = k
                break
        else:
            cut = bars[3] if len(bars) > 3 else cut
    return [bos] + ids[:cut]


def check(model, vocab, bos, eos, manifest_generation, label, log):
    """Five continuations of the held-out phrase: greedy, two top-k 15 at temperature 1, two with the
    package's own sampling (what the plug-in runs). Per continuation: the share of generated base tokens
    REMI's grammar accepts, notes completed, Bars written, and new BPE tokens to the first Bar and to the
    first note after it (what the answer's first note waits for). The share alone says little: most BPE
    tokens are whole notes or note tails, so even a random model's are often accepted; Bars are what
    a random model does not write."""
    import torch

    prompt = check_prompt(vocab, bos)
    prompt_base = vocab.expand(prompt)
    g = manifest_generation
    runs = [("greedy", dict(do_sample=False)),
            ("top-k 15 T 1.0", dict(do_sample=True, top_k=15, temperature=1.0)),
            ("top-k 15 T 1.0", dict(do_sample=True, top_k=15, temperature=1.0)),
            (f"package T {g['temperature']} k {g['topK']} p {g['topP']}",
             dict(do_sample=True, top_k=g["topK"], temperature=g["temperature"], top_p=g["topP"])),
            (f"package T {g['temperature']} k {g['topK']} p {g['topP']}",
             dict(do_sample=True, top_k=g["topK"], temperature=g["temperature"], top_p=g["topP"]))]
    log(f"remi_grammar check ({label}): {len(prompt)} prompt ids (BOS + {HELD_OUT}, held out), {CHECK_NEW_TOKENS} new tokens each")
    torch.manual_seed(SEED)
    totals = [0, 0]
    for name, kw in runs:
        with torch.no_grad():
            out = model.generate(torch.tensor([prompt]), max_new_tokens=CHECK_NEW_TOKENS, min_new_tokens=CHECK_NEW_TOKENS,
                                 pad_token_id=eos, eos_token_id=None, **kw)[0, len(prompt):].tolist()
        # base tokens of each new BPE token, to map grammar results back to BPE steps
        owner = [k for k, i in enumerate(out) for _ in vocab.base[i]]
        new_base = vocab.expand(out)
        ok, notes = parse(prompt_base + new_base)
        ok, notes = ok[len(prompt_base):], [n - len(prompt_base) for n in notes if n >= len(prompt_base)]
        bars = [j for j, t in enumerate(new_base) if t == "Bar_None" and ok[j]]
        first_bar = owner[bars[0]] + 1 if bars else None
        first_note = next((owner[n] + 1 for n in notes if bars and n > bars[0]), None)
        totals[0] += sum(ok)
        totals[1] += len(ok)
        log(f"  {name:28s} grammatical {sum(ok)}/{len(ok)} base tokens ({100 * sum(ok) / max(1, len(ok)):.0f}%), "
            f"{len(notes)} notes, {len(bars)} Bars; first Bar at new token {first_bar or 'none'}, "
            f"first note after it at {first_note or 'none'}")
    log(f"  all: {100 * totals[0] / max(1, totals[1]):.0f}% of generated base tokens grammatical "
        f"(the corpus: 100%, {corpus_tokens_per_bar(vocab):.0f} tokens a bar)")


def corpus_tokens_per_bar(vocab):
    pieces = [corpus_ids()[f] for f in TRAIN_FILES]
    return sum(map(len, pieces)) / sum(len(bar_starts(p, vocab)) for p in pieces)
