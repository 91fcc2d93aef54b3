"""The Python entry point against the real command line (found as `scorepipe.command()` finds it;
`mvn -B verify` runs this through PythonIT with SCOREPIPE_HOME naming the jar it built)."""
import json
import os
import signal
import stat
import tempfile
import unittest
from pathlib import Path

import numpy as np

import scorepipe

REPOSITORY = Path(__file__).resolve().parents[2]
QUICKSTART = REPOSITORY / "pipelines" / "quickstart.yaml"
# A small quickstart, with the corrector's moments recorded every 5 of its 20 steps.
SMALL = {"pipeline.particles": 300, "stages.corrector.steps": 20, "stages.corrector.every": 5,
         "stages.corrector.evaluators": "moments"}


class RunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = Path(cls.tmp.name)
        cls.lines = []
        cls.small = scorepipe.run(QUICKSTART, set=SMALL, out=cls.dir / "run", threads=1, progress=cls.lines.append)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_samples_are_the_npy_file(self):
        self.assertEqual((300, 2), self.small.samples.shape)
        self.assertEqual(np.float64, self.small.samples.dtype)
        self.assertTrue(np.all(np.isfinite(self.small.samples)))

    def test_metrics_are_those_of_metrics_json(self):
        document = json.loads((self.dir / "run" / "metrics.json").read_text())
        self.assertEqual(document, self.small.document)
        self.assertEqual(["eval"], list(self.small.metrics))
        eval_ = self.small.metrics["eval"]
        # the target's weights as the pipeline file gives them, exactly
        np.testing.assert_array_equal([0.2, 0.4, 0.4], eval_["target-weights"])
        # each of the 300 particles is in one mode: the frequencies are k/300 and add up to 1 (rounding only)
        self.assertAlmostEqual(1.0, eval_["mode-frequencies"].sum(), places=12)
        self.assertIsInstance(eval_["sliced-wasserstein"], float)
        self.assertEqual(["init", "corrector", "sample", "eval", "save"], [s["name"] for s in self.small.stages])

    def test_curves_are_arrays_per_stage_and_metric(self):
        curve = self.small.curves["corrector"]
        np.testing.assert_array_equal([0, 5, 10, 15, 20], curve["step"])
        np.testing.assert_array_equal([1.0] * 5, curve["t"])  # the corrector runs at T1 = 1
        self.assertEqual((5,), curve["mean-error"].shape)

    def test_plots_and_report_are_paths_that_exist(self):
        self.assertTrue(self.small.plots["samples"].is_file())
        self.assertTrue(self.small.plots["curve-mean-error"].is_file())
        self.assertEqual(self.dir / "run" / "report.html", self.small.report)
        self.assertTrue(self.small.report.is_file())

    def test_progress_gets_the_lines_the_command_logs(self):
        self.assertTrue(any("stage corrector done" in line for line in self.lines), self.lines)
        self.assertFalse(any(line.startswith("WARNING: Using incubator") for line in self.lines), self.lines)

    def test_load_reads_the_same_run(self):
        again = scorepipe.load(self.dir / "run")
        np.testing.assert_array_equal(self.small.samples, again.samples)
        self.assertEqual(self.small.document, again.document)

    def test_resume_from_an_earlier_checkpoint_gives_the_same_samples(self):
        copy = self.dir / "resumed"
        copy.mkdir()
        for f in (self.dir / "run").rglob("*"):
            if f.is_file():
                (copy / f.relative_to(self.dir / "run")).parent.mkdir(parents=True, exist_ok=True)
                (copy / f.relative_to(self.dir / "run")).write_bytes(f.read_bytes())
        # keep only the oldest checkpoint and drop the samples: resume must sample the rest again
        checkpoints = sorted((copy / "checkpoints").glob("*.spck"))
        self.assertGreater(len(checkpoints), 1)
        for c in checkpoints[1:]:
            c.unlink()
        (copy / "samples.npy").unlink()
        resumed = scorepipe.resume(copy, threads=2)
        # a particle's noise is a function of (seed, stage, step, particle): the bytes are the same
        np.testing.assert_array_equal(self.small.samples, resumed.samples)
        self.assertEqual(self.small.metrics["eval"]["sliced-wasserstein"], resumed.metrics["eval"]["sliced-wasserstein"])

    def test_npy_shards_read_back_to_the_samples_of_the_npy_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            sharded = scorepipe.run(QUICKSTART, set={**SMALL, "stages.save.format": "npy-shards"}, out=Path(tmp) / "run",
                                    threads=1)
            self.assertFalse((Path(tmp) / "run" / "samples.npy").exists())
            np.testing.assert_array_equal(self.small.samples, sharded.samples)
            shard = Path(tmp) / "run" / "samples-00000.npy"
            data = bytearray(shard.read_bytes())
            data[-1] ^= 1
            shard.write_bytes(bytes(data))
            with self.assertRaisesRegex(ValueError, "samples-00000.npy is damaged"):
                scorepipe.load_shards(Path(tmp) / "run" / "samples-index.json")


class InterruptTest(unittest.TestCase):
    def test_ctrl_c_stops_at_a_checkpoint_and_resume_gives_the_samples_of_an_uninterrupted_run(self):
        # Ctrl-C raises KeyboardInterrupt here, as in a terminal, even where the tests started with SIGINT ignored
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        self.addCleanup(signal.signal, signal.SIGINT, previous)
        long = {"pipeline.particles": 300, "stages.corrector.steps": 3000}
        every = ["--checkpoint-every", "100"]

        def interrupt_when_the_corrector_starts(line):
            if line.endswith("stage corrector (corrector): 3000 steps"):
                os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C, or a notebook's interrupt, does

        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(scorepipe.ScorepipeError) as caught:
                scorepipe.run(QUICKSTART, set=long, out=Path(tmp) / "stopped", threads=1, args=every,
                              progress=interrupt_when_the_corrector_starts)
            e = caught.exception
            self.assertEqual(130, e.exit_code, e.stderr)
            self.assertEqual(Path(tmp) / "stopped", e.run_dir)
            self.assertIn("resume with", e.message)
            resumed = scorepipe.resume(e.run_dir)
            whole = scorepipe.run(QUICKSTART, set=long, out=Path(tmp) / "whole", args=every)
            np.testing.assert_array_equal(whole.samples, resumed.samples)


class ErrorTest(unittest.TestCase):
    def test_a_mistake_raises_the_one_line_message_and_the_exit_code(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(scorepipe.ScorepipeError) as caught:
                scorepipe.run(QUICKSTART, set={"stages.corrector.corrector.stpe": 0.1}, out=Path(tmp) / "run")
            self.assertFalse((Path(tmp) / "run").exists(), "nothing is written")
        e = caught.exception
        self.assertEqual(2, e.exit_code)
        self.assertTrue(str(e).startswith(f"{QUICKSTART}: stages.corrector.corrector.stpe: unknown key; did you mean 'step'?"), e)
        self.assertEqual(str(e), e.message)
        self.assertNotIn("\n", e.message)

    def test_load_refuses_a_folder_that_is_not_a_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(FileNotFoundError):
                scorepipe.load(tmp)


class CommandTest(unittest.TestCase):
    """How the command line is found, on folders made for the test (nothing runs)."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.addCleanup(self.tmp.cleanup)

    def test_a_folder_with_the_script_runs_the_script(self):
        script = self.dir / "scorepipe"
        script.write_text("#!/bin/sh\n")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        self.assertEqual([str(script)], scorepipe.command(self.dir))

    def test_a_jar_runs_on_java_with_the_vector_module(self):
        jar = self.dir / "cli" / "target" / "scorepipe.jar"
        jar.parent.mkdir(parents=True)
        jar.write_bytes(b"")
        started = scorepipe.command(self.dir)
        self.assertEqual(["--add-modules", "jdk.incubator.vector", "-jar", str(jar)], started[1:])
        self.assertTrue(started[0].endswith("java"), started)

    def test_a_folder_without_either_is_refused_by_name(self):
        with self.assertRaises(scorepipe.ScorepipeError) as caught:
            scorepipe.command(self.dir)
        self.assertTrue(str(caught.exception).startswith(f"cli={self.dir}: neither"), caught.exception)

    def test_scorepipe_home_is_used_when_cli_is_not_given(self):
        script = self.dir / "scorepipe"
        script.write_text("#!/bin/sh\n")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        previous = os.environ.get("SCOREPIPE_HOME")
        os.environ["SCOREPIPE_HOME"] = str(self.dir)
        try:
            self.assertEqual([str(script)], scorepipe.command())
        finally:
            if previous is None:
                del os.environ["SCOREPIPE_HOME"]
            else:
                os.environ["SCOREPIPE_HOME"] = previous


if __name__ == "__main__":
    unittest.main()
