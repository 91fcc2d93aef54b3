"""The README's install command, `pip install --no-build-isolation ./python`, offline in a fresh venv."""
import os
import subprocess
import sys
import tempfile
import unittest
import venv
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]


class InstallTest(unittest.TestCase):
    def test_pip_installs_it_without_the_network_and_it_finds_this_repository(self):
        with tempfile.TemporaryDirectory() as tmp:
            env_dir = Path(tmp) / "venv"
            # system site packages: NumPy comes from this Python, as it would in a notebook's environment
            venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
            python = env_dir / "bin" / "python"
            install = subprocess.run([python, "-m", "pip", "install", "--no-build-isolation", "--no-index", str(PACKAGE)],
                                     capture_output=True, text=True)
            self.assertEqual(0, install.returncode, install.stdout + install.stderr)
            environment = {k: v for k, v in os.environ.items() if k not in ("SCOREPIPE_HOME", "PYTHONPATH")}
            probe = subprocess.run([python, "-c", "import scorepipe; print(scorepipe.__file__); print(scorepipe.command()[0])"],
                                   capture_output=True, text=True, cwd=tmp, env=environment)
            self.assertEqual(0, probe.returncode, probe.stderr)
            installed, started = probe.stdout.split("\n")[:2]
            self.assertIn("site-packages", installed)
            # the installed copy remembers the repository it was built from
            self.assertEqual(str(PACKAGE.parent / "scorepipe"), started)


if __name__ == "__main__":
    unittest.main()
