"""A run directory as Python objects: samples.npy, metrics.json, plots/ and report.html."""
import json
from pathlib import Path

import numpy as np


class Run:
    """What a run left in its directory.

    path      the run directory
    samples   samples.npy as an (n, d) float64 array, or the rows of samples-index.json's shards (a save
              with format: npy-shards) concatenated; None if the pipeline saves neither
    metrics   {evaluate stage: {metric: float or array}}, from metrics.json
    curves    {stage: {"step": array, "t": array, metric: array}}, the points of `every: N` stages
    stages    the finished stages' timings: [{"name", "type", "steps", "seconds", ...}]
    document  metrics.json as it is (pipeline, seed, particles, dimension, ...)
    plots     {name: path} of plots/*.png, e.g. plots["samples"]
    report    report.html, or None
    config    config.yaml, the resolved pipeline
    """

    def __init__(self, path):
        self.path = Path(path)
        if not (self.path / "config.yaml").is_file():
            raise FileNotFoundError(f"{self.path} is not a run directory (it has no config.yaml)")
        self.config = self.path / "config.yaml"
        samples = self.path / "samples.npy"
        index = self.path / "samples-index.json"
        self.samples = np.load(samples) if samples.is_file() else load_shards(index) if index.is_file() else None
        metrics = self.path / "metrics.json"
        self.document = json.loads(metrics.read_text()) if metrics.is_file() else {}
        self.stages = self.document.get("stages", [])
        self.metrics = {e["stage"]: _values(e["metrics"]) for e in self.document.get("evaluations", [])}
        self.curves = _curves(self.document.get("curves", []))
        self.plots = {p.stem: p for p in sorted((self.path / "plots").glob("*.png"))}
        report = self.path / "report.html"
        self.report = report if report.is_file() else None

    def __repr__(self):
        shape = None if self.samples is None else self.samples.shape
        return f"Run({str(self.path)!r}, samples {shape}, metrics of {sorted(self.metrics)})"


def load(run_dir):
    """The run in `run_dir`, a directory `scorepipe run` made."""
    return Run(run_dir)


def load_shards(index):
    """The rows of the .npy shards that `index` (e.g. samples-index.json, written by a save with
    format: npy-shards) lists, concatenated in particle order, as an (n, d) float64 array. Each
    shard's length and SHA-256 are checked against the index; a missing or damaged shard raises
    ValueError naming it. Shards the index does not list are not read."""
    import hashlib

    index = Path(index)
    document = json.loads(index.read_text())
    if document.get("format") != "scorepipe-npy-shards":
        raise ValueError(f"{index} is not an npy shards index")
    parts = []
    for shard in document["shards"]:
        path = index.parent / shard["file"]
        if not path.is_file():
            raise ValueError(f"{index} lists the shard {shard['file']}, which is missing")
        data = path.read_bytes()
        if len(data) != shard["bytes"] or hashlib.sha256(data).hexdigest() != shard["sha256"]:
            raise ValueError(f"the shard {path} is damaged: its length or SHA-256 differs from the index's")
        parts.append(np.load(path))
    d = document["dimension"]
    rows = np.concatenate(parts) if parts else np.zeros((0, d))
    if rows.shape != (document["particles"], d):
        raise ValueError(f"{index}: its shards hold {rows.shape}, not ({document['particles']}, {d})")
    return rows


def _values(metrics):
    return {name: np.array(v) if isinstance(v, list) else v for name, v in metrics.items()}


def _curves(points):
    """metrics.json's curve points, one per stage and step, as arrays per stage and metric."""
    by_stage = {}
    for p in points:
        by_stage.setdefault(p["stage"], []).append(p)
    curves = {}
    for stage, rows in by_stage.items():
        curve = {"step": np.array([r["step"] for r in rows]), "t": np.array([r["t"] for r in rows], dtype=float)}
        for name in rows[0]["metrics"]:
            curve[name] = np.array([r["metrics"][name] for r in rows], dtype=float)
        curves[stage] = curve
    return curves
