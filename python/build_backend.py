"""The PEP 517 build backend of the scorepipe Python package: a pure-Python wheel of scorepipe/.

The wheel also records the repository it was built from (scorepipe/_repository.txt), so an
installed package finds ./scorepipe without SCOREPIPE_HOME.
"""
import base64
import hashlib
import io
import pathlib
import tarfile
import zipfile

NAME, VERSION = "scorepipe", "0.1.0"
HERE = pathlib.Path(__file__).resolve().parent
DIST_INFO = f"{NAME}-{VERSION}.dist-info"
METADATA = (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n"
            "Summary: Run scorepipe pipelines from Python and read their runs as NumPy arrays\n"
            "Requires-Python: >=3.8\nRequires-Dist: numpy\n")
WHEEL = "Wheel-Version: 1.0\nGenerator: scorepipe build_backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _write_wheel(directory, files):
    files = {**files, f"{DIST_INFO}/METADATA": METADATA.encode(), f"{DIST_INFO}/WHEEL": WHEEL.encode()}
    record = [f"{path},sha256={_digest(data)},{len(data)}" for path, data in files.items()]
    files[f"{DIST_INFO}/RECORD"] = ("\n".join(record + [f"{DIST_INFO}/RECORD,,"]) + "\n").encode()
    name = f"{NAME}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(pathlib.Path(directory) / name, "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files.items():
            wheel.writestr(path, data)
    return name


def _digest(data):
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {f"{NAME}/{p.name}": p.read_bytes() for p in sorted((HERE / NAME).glob("*.py"))}
    files[f"{NAME}/_repository.txt"] = str(HERE.parent).encode()
    return _write_wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """`pip install -e ./python`: a .pth file puts this folder on the path; edits show at once."""
    return _write_wheel(wheel_directory, {f"{NAME}.pth": (str(HERE) + "\n").encode()})


def build_sdist(sdist_directory, config_settings=None):
    name = f"{NAME}-{VERSION}"
    with tarfile.open(pathlib.Path(sdist_directory) / f"{name}.tar.gz", "w:gz") as sdist:
        for path in ["pyproject.toml", "build_backend.py", *(f"{NAME}/{p.name}" for p in sorted((HERE / NAME).glob("*.py")))]:
            sdist.add(HERE / path, f"{name}/{path}")
        info = tarfile.TarInfo(f"{name}/PKG-INFO")
        info.size = len(METADATA.encode())
        sdist.addfile(info, io.BytesIO(METADATA.encode()))
    return f"{name}.tar.gz"
