import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DLCHECK = Path(sys.executable).parent / "dlcheck"


@pytest.fixture
def run_cli():
    """Run the installed `dlcheck` console script as a user would."""

    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        exe = str(DLCHECK) if DLCHECK.exists() else shutil.which("dlcheck")
        return subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout)

    return run
