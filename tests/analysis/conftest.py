import subprocess

import pytest

@pytest.fixture(scope="session")
def run_caseload(caseload_bin):
    def run(*args, check=True):
        result = subprocess.run([caseload_bin, *map(str, args)], capture_output=True, text=True,
                                timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"caseload {' '.join(map(str, args))} failed "
                                 f"({result.returncode}):\n{result.stderr}")
        return result
    return run
