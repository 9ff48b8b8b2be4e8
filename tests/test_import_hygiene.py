"""The records, the services and the store never import Textual: scripts, central and tests
run them."""

import subprocess
import sys

import pytest

HEADLESS = [
    "records",
    "duty_tui.services.demo",
    "duty_tui.desk",
    "duty_tui.saver",
    "duty_tui.sync_worker",
    "store",
    "store.cases",
    "duty_tui.cli",
]


@pytest.mark.parametrize("module", HEADLESS)
def test_module_imports_no_textual(module):
    code = (
        "import importlib, pkgutil, sys\n"
        f"m = importlib.import_module({module!r})\n"
        "if hasattr(m, '__path__'):\n"
        "    for info in pkgutil.walk_packages(m.__path__, m.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(n for n in sys.modules if n == 'textual' or n.startswith('textual.'))\n"
        "print(bad[:3])\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, f"{module} pulls in Textual: {done.stdout}{done.stderr}"


def test_every_services_module_imports_no_textual():
    test_module_imports_no_textual("duty_tui.services")
