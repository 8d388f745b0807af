"""Shared constants and helpers of the demo-pair pipeline."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CACHE = os.path.join(ROOT, ".cache", "demo")
sys.path.insert(0, os.path.join(ROOT, "tools", "models"))

VOCAB_SIZE = 4096
EOS = "<|endoftext|>"
BOS = "<s>"
USER = "<|user|>"
ASSISTANT = "<|assistant|>"
SPECIALS = [EOS, BOS, USER, ASSISTANT]
# Chat template of the instruct model (jinja, HF/transformers.js apply_chat_template).
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if message['role'] == 'user' %}{{ '<|user|>\n' + message['content'] + '\n' }}"
    "{% elif message['role'] == 'assistant' %}{{ '<|assistant|>\n' + message['content'] + eos_token + '\n' }}"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"
)


def load_tokenizer(path=None):
    """BPETokenizer from a tokenizer.json written by bpe.save_tokenizer."""
    from bpe import BPETokenizer
    path = path or os.path.join(CACHE, "tok", "tokenizer.json")
    with open(path) as f:
        tj = json.load(f)
    merges = [tuple(m.split(" ")) for m in tj["model"]["merges"]]
    return BPETokenizer(vocab=tj["model"]["vocab"], merges=merges, special_tokens=list(SPECIALS))


def raw_prompt_ids(tok, prompt):
    """What the models see for a raw prompt (no template): BOS + prompt tokens."""
    return [tok.vocab[BOS]] + tok.encode(prompt)


def chat_prompt_ids(tok, prompt):
    """Rendered chat template with generation prompt (BOS included by the template)."""
    text = f"{BOS}{USER}\n{prompt}\n{ASSISTANT}\n"
    return tok.encode(text)


def raw_response_ids(tok, response):
    """Training target after a raw prompt: a newline, the answer, EOS."""
    return tok.encode("\n" + response) + [tok.vocab[EOS]]


def chat_response_ids(tok, response):
    return tok.encode(response) + [tok.vocab[EOS]]


# ---------------------------------------------------------------- statistics (no scipy here)
def _betacf(a, b, x):
    import math
    MAXIT, EPS, FPMIN = 300, 3e-16, 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > FPMIN else FPMIN)
    h = d
    for m in range(1, MAXIT + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > FPMIN else FPMIN)
        c = 1.0 + aa / c
        c = c if abs(c) > FPMIN else FPMIN
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > FPMIN else FPMIN)
        c = 1.0 + aa / c
        c = c if abs(c) > FPMIN else FPMIN
        de = d * c
        h *= de
        if abs(de - 1.0) < EPS:
            break
    return h


def betainc(a, b, x):
    """Regularized incomplete beta I_x(a, b)."""
    import math
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1 - x) / b


def welch_less(x, y):
    """Welch's t-test, one-sided, H1: mean(x) < mean(y). Returns (t, df, p)."""
    import math
    nx, ny = len(x), len(y)
    mx, my = sum(x) / nx, sum(y) / ny
    vx = sum((v - mx) ** 2 for v in x) / (nx - 1)
    vy = sum((v - my) ** 2 for v in y) / (ny - 1)
    se2 = vx / nx + vy / ny
    t = (mx - my) / math.sqrt(se2)
    df = se2 ** 2 / ((vx / nx) ** 2 / (nx - 1) + (vy / ny) ** 2 / (ny - 1))
    # P(T <= t) for Student t with df degrees of freedom
    tail = 0.5 * betainc(df / 2, 0.5, df / (df + t * t))
    p = tail if t < 0 else 1 - tail
    return t, df, p


def position_profile(densities):
    """METHODS.md §1.6: mean normalized density in 10 equal bins of n/(N-1), averaged over
    prompts with at least 10 tokens. Returns (profile, number of prompts used)."""
    bins, cnt = [0.0] * 10, 0
    for a in densities:
        N = len(a)
        if N < 10:
            continue
        acc, num = [0.0] * 10, [0] * 10
        for n, v in enumerate(a):
            k = min(9, int(10 * n / (N - 1)))
            acc[k] += v
            num[k] += 1
        for k in range(10):
            bins[k] += acc[k] / num[k] if num[k] else 0.0
        cnt += 1
    return [b / cnt for b in bins] if cnt else bins, cnt
