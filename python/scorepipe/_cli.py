"""Running the scorepipe command line: finding it, streaming its progress, turning its errors into exceptions."""
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from ._runs import load

INCUBATOR_NOTICE = "WARNING: Using incubator modules: jdk.incubator.vector"


class ScorepipeError(RuntimeError):
    """The command line refused or failed.

    message    its one-line message, without the "error: " prefix
    exit_code  2 for a mistake in the pipeline or the command, 130 for a run stopped by a signal
    run_dir    the run directory when one was made (a stopped run resumes from it), else None
    stderr     everything it printed on stderr
    """

    def __init__(self, message, exit_code, run_dir=None, stderr=""):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.run_dir = run_dir
        self.stderr = stderr


def command(cli=None):
    """The command that starts scorepipe, as a list for subprocess.

    `cli`, else $SCOREPIPE_HOME, names the repository folder, its ./scorepipe script or a
    scorepipe.jar. Without either: the repository this package lies in (or was installed
    from), else the current folder or one above it.
    """
    given = cli if cli is not None else os.environ.get("SCOREPIPE_HOME")
    if given is not None:
        found = _starter(Path(given))
        if found is None:
            where = "cli=" if cli is not None else "SCOREPIPE_HOME="
            raise ScorepipeError(f"{where}{given}: neither the scorepipe repository, its ./scorepipe script"
                                 " nor a scorepipe.jar", 2)
        return found
    here = Path(__file__).resolve().parent
    recorded = here / "_repository.txt"
    candidates = [here.parent.parent]
    if recorded.is_file():
        candidates.append(Path(recorded.read_text().strip()))
    cwd = Path.cwd()
    candidates += [cwd, *cwd.parents]
    for candidate in candidates:
        found = _starter(candidate)
        if found is not None:
            return found
    raise ScorepipeError("cannot find scorepipe: pass cli= or set SCOREPIPE_HOME to the repository folder,"
                         " its ./scorepipe script or a scorepipe.jar", 2)


def _starter(path):
    if path.is_dir():
        script, jar = path / "scorepipe", path / "cli" / "target" / "scorepipe.jar"
        if script.is_file() and os.access(script, os.X_OK):
            return [str(script)]
        return _starter(jar) if jar.is_file() else None
    if path.suffix == ".jar" and path.is_file():
        java = Path(os.environ["JAVA_HOME"], "bin", "java") if "JAVA_HOME" in os.environ else shutil.which("java") or "java"
        # the SIMD kernels need the Vector API module, as ./scorepipe gives it
        simd = [] if os.environ.get("SCOREPIPE_SIMD") == "false" else ["--add-modules", "jdk.incubator.vector"]
        return [str(java), *simd, "-jar", str(path)]
    if path.is_file() and os.access(path, os.X_OK):
        return [str(path)]
    return None


def run(pipeline, set=None, out=None, threads=None, progress=None, cli=None, args=()):
    """Runs a pipeline file and returns its `Run`.

    set       overrides, {"stages.corrector.steps": 200} for --set stages.corrector.steps=200
    out       the run directory (new or empty); default runs/<name>-<UTC time>
    threads   worker threads (the samples do not depend on it)
    progress  True prints the command's progress and log lines to stderr; a function gets each line
    args      further command-line arguments, e.g. ["--checkpoint-every", "100"]
    """
    argv = ["run", str(pipeline), *_options(set, threads, args)]
    if out is not None:
        argv += ["--out", str(out)]
    return load(_execute(argv, progress, cli))


def resume(run_dir, config=None, set=None, threads=None, progress=None, cli=None, args=()):
    """Continues a stopped run from its newest checkpoint (`config`: a changed pipeline file); returns its `Run`."""
    argv = ["resume", str(run_dir), *_options(set, threads, args)]
    if config is not None:
        argv += ["--config", str(config)]
    return load(_execute(argv, progress, cli))


def _options(overrides, threads, args):
    argv = []
    for key, value in (overrides or {}).items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        argv += ["--set", f"{key}={text}"]
    if threads is not None:
        argv += ["--threads", str(threads)]
    return argv + [str(a) for a in args]


def _execute(argv, progress, cli):
    """Runs scorepipe with `argv`, passing its stderr lines to `progress`; returns the run directory."""
    show = (lambda line: print(line, file=sys.stderr, flush=True)) if progress is True else progress
    # A session of its own: Ctrl-C reaches only Python, which passes on one SIGINT (a second would abort the run).
    # A run stopped so raises ScorepipeError with exit_code 130 and run_dir, for resume().
    stdout, stderr = [], []
    with subprocess.Popen(command(cli) + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          bufsize=1, start_new_session=True) as process:
        reader = threading.Thread(target=lambda: stdout.extend(process.stdout), daemon=True)
        reader.start()
        try:
            _follow(process.stderr, stderr, show)
        except KeyboardInterrupt:
            # it finishes the current step, writes a checkpoint and exits with 130: a ScorepipeError below
            process.send_signal(signal.SIGINT)
            _follow(process.stderr, stderr, show)
        reader.join()
    run_dirs = [line[len("run directory: "):].strip() for line in stdout if line.startswith("run directory: ")]
    run_dir = Path(run_dirs[-1]) if run_dirs else None
    if process.returncode != 0:
        raise ScorepipeError(_message(stdout, stderr, process.returncode), process.returncode, run_dir, "\n".join(stderr))
    if run_dir is None:
        raise ScorepipeError("scorepipe printed no run directory: " + "".join(stdout).strip(), process.returncode)
    return run_dir


def _follow(lines, kept, show):
    for line in lines:
        line = line.rstrip("\n")
        if line != INCUBATOR_NOTICE:
            kept.append(line)
            if show:
                show(line)


def _message(stdout, stderr, exit_code):
    """The command's one-line error; for a stopped run, where it stopped and how to resume."""
    errors = [line[len("error: "):] for line in stderr if line.startswith("error: ")]
    if errors:
        return errors[-1]
    stopped = [line.strip() for line in stdout if line.startswith(("stopped at", "resume with"))]
    if stopped:
        return "; ".join(stopped)
    others = [line for line in stderr if line.strip()]
    return others[-1] if others else f"scorepipe exited with code {exit_code}"
