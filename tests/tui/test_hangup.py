"""A closed terminal ends the app within seconds, whatever it was doing, with everything typed
on disk and the store free for the next start.

The real ``duty-tui`` runs in a pseudo-terminal that is its controlling terminal (tests/tui/
ptyapp.py); the terminal is closed at a random moment: during start-up, on the passphrase screen,
while unlocking, on the duty list, during a sync, or while a field of a case is being typed in.
Every launch must end within GONE_WITHIN_S of the close, and the store must open again (its lock
released) holding whatever had reached the screen of what was typed.

Also here: a reproduction of the Textual hang the app works around (duty_tui/hangup.py), which
fails while Textual has it.
"""

from __future__ import annotations

import errno
import io
import os
import random
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from duty_tui.hangup import SafeWriterThread
from duty_tui.services.central_config import CentralConfig, save_central_config
from store import Store

from .conftest import COURT, PASSPHRASE, SIZE, make_store, read_cases
from .ptyapp import PtyApp

# What "within a few seconds" means here: the app's own last resort fires sooner (HARD_EXIT_S).
GONE_WITHIN_S = 5.0
MOMENTS = ("start-up", "passphrase", "unlock", "duty list", "sync", "typing")
LAUNCHES = 9 * len(MOMENTS)
# Launches at once: a few, so that the whole test stays near a minute on two cores.
AT_ONCE = 3
CASE_ID = "case0000"
# Typed into the court field; no space (the record folds white space) and not on screen before.
TOKEN_START = "Qxj"


class Unanswering:
    """A central records service that takes connections and never answers: every sync the app
    starts is still in flight when the terminal closes."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._socket.settimeout(0.2)
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True, name="unanswering")
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(connection)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()
        for connection in self._held:
            connection.close()


@pytest.fixture
def central() -> Iterator[Unanswering]:
    server = Unanswering()
    yield server
    server.close()


@dataclass
class Launch:
    number: int
    moment: str
    gone_after_s: float | None = None
    code: int | None = None
    problem: str = ""


def visible_prefix(screen: str, token: str) -> str:
    """The longest start of ``token`` on the screen (at least its own first letters)."""
    for end in range(len(token), len(TOKEN_START) - 1, -1):
        if token[:end] in screen:
            return token[:end]
    return ""


def act(terminal: PtyApp, moment: str, rng: random.Random) -> tuple[str, int, str] | None:
    """Take the app to ``moment``, then pick the instant to close its terminal. The sleeps here
    choose that instant (the point of the test); the app itself is waited for on its screen.
    For "typing": (text to type, how many of its keys were sent, what reached the screen)."""
    if moment == "start-up":
        time.sleep(rng.uniform(0, 1.2))
        return None
    terminal.wait_for("Type the passphrase")
    if moment == "passphrase":
        terminal.press(*PASSPHRASE[: rng.randint(0, len(PASSPHRASE))], gap_s=0.004)
        time.sleep(rng.uniform(0, 0.2))
        return None
    terminal.write(PASSPHRASE + "\r")
    if moment == "unlock":
        time.sleep(rng.uniform(0, 0.6))
        return None
    terminal.wait_for("filter:")
    if moment == "duty list":
        time.sleep(rng.uniform(0, 0.6))
        return None
    if moment == "sync":
        terminal.write("s")  # Sync now: central takes the request and never answers
        time.sleep(rng.uniform(0, 0.6))
        return None
    terminal.write("/p00001")
    terminal.wait_for("1 case matches")
    terminal.write("\r")
    terminal.wait_for("Hearing date")  # as open_case_in_terminal, past the passphrase
    terminal.write("\t\t")  # to the court field, its text selected: typing replaces it
    token = TOKEN_START + "".join(rng.choice(string.ascii_letters) for _ in range(16))
    sent = rng.randint(1, len(token))
    for char in token[:sent]:
        terminal.write(char)
        time.sleep(rng.uniform(0, 0.03))  # typing speed
    time.sleep(rng.uniform(0, 0.1))
    return token, sent, visible_prefix(terminal.text(), token)


def check_typing(court: str, token: str, sent: int, visible: str) -> str:
    """What is on disk is what the app had been typed: at least what reached the screen, at most
    every key sent (keys still in the terminal when it closed never reached the app)."""
    typed = [token[:n] for n in range(max(len(visible), 1), sent + 1)]
    if court in typed or (not visible and court == COURT):
        return ""
    return f"court on disk is {court!r}; typed {token[:sent]!r}, {visible!r} on screen at the close"


def launch(number: int, template: Path, work: Path, seed: int) -> Launch:
    rng = random.Random(seed * 1000 + number)
    moment = MOMENTS[number % len(MOMENTS)]
    result = Launch(number, moment)
    data_dir = work / f"launch{number}" / "data"
    shutil.copytree(template, data_dir)
    env = os.environ | {"DUTY_TUI_CONFIG_DIR": str(work / f"launch{number}" / "config")}
    typing = None
    with PtyApp(["run", "--data-dir", str(data_dir)], env=env, size=SIZE) as terminal:
        try:
            typing = act(terminal, moment, rng)
        except AssertionError as exc:
            result.problem = f"did not reach the moment: {str(exc)[:300]}"
        terminal.close_terminal()
        closed = time.monotonic()
        try:
            result.code = terminal.wait(timeout=GONE_WITHIN_S)
            result.gone_after_s = time.monotonic() - closed
        except subprocess.TimeoutExpired:
            result.problem = f"still running {GONE_WITHIN_S} s after its terminal closed"
            return result  # the harness kills it on the way out
    if result.problem:
        return result
    try:
        court = read_cases(data_dir)[CASE_ID].court  # opens the store: its lock was released
    except Exception as exc:
        result.problem = f"the store did not open again: {type(exc).__name__}: {exc}"
        return result
    if typing is not None:
        result.problem = check_typing(court, *typing)
    elif court != COURT:
        result.problem = f"court changed to {court!r} with nothing typed"
    return result


@pytest.mark.slow
def test_a_closed_terminal_ends_the_app_at_any_moment(tmp_path, central):
    template = tmp_path / "template"
    make_store(template)
    store = Store.open(template, PASSPHRASE)
    try:
        save_central_config(store, CentralConfig(url=central.url, token="hangup-test-device"))
    finally:
        store.close()
    seed = int(os.environ.get("HANGUP_SEED", random.randrange(1 << 16)))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        launches = list(pool.map(lambda n: launch(n, template, tmp_path, seed), range(LAUNCHES)))
    elapsed = time.monotonic() - started
    gone = [x.gone_after_s for x in launches if x.gone_after_s is not None]
    codes = {
        moment: sorted({str(x.code) for x in launches if x.moment == moment}) for moment in MOMENTS
    }
    summary = (
        f"seed {seed}: {len(launches)} launches in {elapsed:.0f} s; gone after the close in "
        f"median {statistics.median(gone):.2f} s, at most {max(gone):.2f} s; exit codes {codes}"
    )
    print(summary)
    problems = [f"#{x.number} ({x.moment}): {x.problem}" for x in launches if x.problem]
    assert not problems, summary + "\n" + "\n".join(problems)


# --- the Textual bugs, and the driver that works around them ----------------------------------

TICKER = Path(__file__).with_name("textual_hangup_app.py")


def run_ticker_and_close_its_terminal(*options: str) -> int:
    """The bare Textual app, drawing all the time and ignoring SIGHUP, ends itself 2 s after it
    starts; its terminal is closed before that. Its exit status, or TimeoutExpired if hung."""
    with PtyApp([], program=[str(TICKER), "2", *options]) as terminal:
        terminal.wait_for("ticks: 5")
        terminal.close_terminal()
        return terminal.wait(timeout=2 + GONE_WITHIN_S)


@pytest.mark.xfail(
    strict=True,
    raises=subprocess.TimeoutExpired,
    reason=(
        "Textual's LinuxDriver writes through a WriterThread with a bounded Queue(30) "
        "(textual/drivers/_writer_thread.py). When the terminal is gone its write raises EIO "
        "and the thread dies; nothing drains the queue any more, so after 30 more writes every "
        "write() (a repaint: the event loop itself) and stop() (LinuxDriver.close at exit) "
        "blocks in Queue.put for good. The same dead-writer hang as textualize/textual#6692. "
        "duty_tui/hangup.py works around it; when this passes, Textual has fixed it."
    ),
)
def test_textual_hangs_when_its_terminal_goes():
    run_ticker_and_close_its_terminal()


def test_the_safe_driver_ends_the_same_app_when_its_terminal_goes():
    # No SIGHUP handler and nothing of duty-tui's app: the driver sees the hang-up on the tty
    # and asks the app to exit.
    assert run_ticker_and_close_its_terminal("--safe") == 0


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason=(
        "Textual's LinuxDriver answers every SIGCONT by starting application mode again "
        "(_sigcont_application -> resume_application_mode), whether or not it was suspended: "
        "a second writer thread and a second input thread. The kernel sends SIGCONT with the "
        "SIGHUP of every hang-up, and on a terminal that has gone the new writer dies at once "
        "and fills up as above. duty_tui/hangup.py resumes only after a suspend of its own; "
        "when this passes, Textual has fixed it."
    ),
)
def test_textual_restarts_application_mode_on_any_sigcont():
    assert sigcont_leaves_one_writer()


def test_the_safe_driver_resumes_only_after_its_own_suspend():
    assert sigcont_leaves_one_writer("--safe")


def sigcont_leaves_one_writer(*options: str) -> bool:
    with PtyApp([], program=[str(TICKER), "30", *options]) as terminal:
        terminal.wait_for("writers: 1")
        terminal.signal(signal.SIGCONT)
        # Drawn a few more times after the signal: the count is the one since.
        ticks = int(terminal.wait_for("writers:").split("ticks: ")[1].split()[0])
        terminal.wait_for(lambda screen: _ticks(screen) > ticks + 20)
        return "writers: 1" in terminal.text()


def _ticks(screen: str) -> int:
    try:
        return int(screen.split("ticks: ")[1].split()[0])
    except (IndexError, ValueError):
        return 0


def test_ctrl_z_and_fg_still_suspend_and_resume():
    with PtyApp([], program=[str(TICKER), "30", "--safe"]) as terminal:
        terminal.wait_for("writers: 1")
        terminal.signal(signal.SIGTSTP)  # Ctrl+Z: the driver leaves the screen, then stops
        deadline = time.monotonic() + 30  # a state to reach, not a speed to test
        while _state(terminal.process.pid) != "T":
            assert time.monotonic() < deadline, "not stopped"
            time.sleep(0.01)
        ticks = _ticks(terminal.text())
        terminal.signal(signal.SIGCONT)  # fg
        terminal.wait_for(lambda screen: _ticks(screen) > ticks + 20 and "writers: 1" in screen)


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


# --- the parts -----------------------------------------------------------------------------------


class GoneFile:
    """A terminal that has gone: every write fails as a hung-up tty's does."""

    def __init__(self) -> None:
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        raise OSError(errno.EIO, "Input/output error")

    def flush(self) -> None:
        raise OSError(errno.EIO, "Input/output error")

    def fileno(self) -> int:
        return 2


def test_the_writer_never_blocks_once_its_file_has_gone():
    told = []
    writer = SafeWriterThread(GoneFile(), lambda: told.append(1))  # type: ignore[arg-type]
    writer.start()
    started = time.monotonic()
    for _ in range(10_000):  # Textual's queue holds 30
        writer.write("\x1b[2J frame")
    writer.stop()
    assert time.monotonic() - started < 2
    assert writer.gone and told == [1]
    assert not writer.is_alive()


def test_the_writer_writes_everything_in_order_while_its_file_is_there():
    out = io.StringIO()
    writer = SafeWriterThread(out)
    writer.start()
    for n in range(1000):
        writer.write(f"{n},")
    writer.stop()
    assert out.getvalue() == "".join(f"{n}," for n in range(1000))
    assert not writer.gone


def test_the_hard_exit_ends_a_process_that_would_hang():
    program = (
        "import threading\n"
        "from duty_tui.hangup import arm_hard_exit\n"
        "arm_hard_exit(77, 0.2)\n"
        "arm_hard_exit(78, 0.1)  # armed once: the first one stands\n"
        "threading.Thread(target=threading.Event().wait).start()  # a thread exit waits for\n"
    )
    done = subprocess.run([sys.executable, "-c", program], timeout=GONE_WITHIN_S)
    assert done.returncode == 77


def test_a_writer_stopped_on_purpose_drops_later_writes_quietly():
    # Ctrl+Z or App.suspend() stop the writer while the app may still repaint (textual#6692).
    told = []
    out = io.StringIO()
    writer = SafeWriterThread(out, lambda: told.append(1))
    writer.start()
    writer.write("before")
    writer.stop()
    started = time.monotonic()
    for _ in range(100):
        writer.write("after")
    assert time.monotonic() - started < 1
    assert out.getvalue() == "before"
    assert told == [] and not writer.gone
