"""Run scorepipe pipelines from Python and read their run directories as NumPy arrays.

    import scorepipe
    run = scorepipe.run("pipelines/quickstart.yaml", set={"pipeline.particles": 2000}, progress=True)
    run.samples.shape                            # (2000, 2)
    run.metrics["eval"]["sliced-wasserstein"]    # a float
    scorepipe.load("runs/quickstart-...")        # an earlier run
    scorepipe.load_shards("runs/.../samples-index.json")   # a save with format: npy-shards

The command line does the work (`./scorepipe`, or `scorepipe.jar` on Java 17); see `command` for
how it is found. Its errors raise `ScorepipeError` with its one-line message and exit code.
"""
from ._cli import ScorepipeError, command, resume, run
from ._runs import Run, load, load_shards

__all__ = ["Run", "ScorepipeError", "command", "load", "load_shards", "resume", "run"]
