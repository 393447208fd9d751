#!/usr/bin/env python3
"""The real bootloader (build/boot.elf) and demo app (build/app-v*.bin) on the virtual board.

Checks what only the F1 port can get wrong: the boot decision seen from the pins, the hand-over
to the application (its own vector table, clocks as after reset), the application's update
request through BKP_DR1, and a streamed native update through the DMA ring and the flash
controller. The protocol is spoken by build/iap, the records made by build/protoenc (the proto
codec). Usage: test_on_board.py BUILD_DIR [BOARD]: the default build's board (BUILD_DIR/board.env)
or BUILD_DIR/boards/BOARD (docs/BOARDS.md): its part, USART, LED and entry input. Prints
"N passed, N failed" last.
"""
import fnmatch
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

BUILD = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BUILD", "build")
BOARD_DIR = os.path.join(BUILD, "boards", sys.argv[2]) if len(sys.argv) > 2 else BUILD
EMU = os.path.join(BUILD, "stm32emu")
IAP = os.path.join(BUILD, "iap")
PROTOENC = os.path.join(BUILD, "protoenc")
BOOT = os.path.join(BOARD_DIR, "boot.elf")
APP = {v: os.path.join(BOARD_DIR, "app-v%d.bin" % v) for v in (1, 2)}


def board_env():
    """The board profile's facts (board.env, written by the build); the seed board's without it."""
    env = {"BOARD_EMU_PART_GLOB": "f103c8", "BOARD_EMU_USART": "1", "BOARD_APP_END": "0x0800fc00",
           "BOARD_LED": "PA4", "BOARD_LED_ON": "1", "BOARD_ENTRY": "PA0", "BOARD_ENTRY_ON": "1"}
    path = os.path.join(BOARD_DIR, "board.env")
    if os.path.exists(path):
        for line in open(path):
            k, _, v = line.strip().partition("=")
            env[k] = v.strip("'\"")
    return env


ENV = board_env()
HELP = subprocess.run([EMU, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
PARTS = re.search(r"^parts: (.*)$", HELP.stdout, re.M).group(1).split()
EMU_ARGS = ["--part", next(p for p in PARTS if fnmatch.fnmatch(p, ENV["BOARD_EMU_PART_GLOB"])),
            "--usart", ENV["BOARD_EMU_USART"]]
LED, LED_ON, LED_OFF = ENV["BOARD_LED"], ENV["BOARD_LED_ON"], "10"[int(ENV["BOARD_LED_ON"])]
ENTRY, ENTRY_ON = ENV["BOARD_ENTRY"], ENV["BOARD_ENTRY_ON"]
APP_START, RECORD_ADDR = 0x08002000, int(ENV["BOARD_APP_END"], 16)
TMP = tempfile.mkdtemp(prefix="f1-board-")
passed = failed = 0


def record(path, version):
    """The image record the bootloader writes on COMMIT (proto_record_make)."""
    return subprocess.run([PROTOENC, "record", path, str(version)], check=True,
                          capture_output=True).stdout


def board(name, args, timeout=60):
    """Runs the board on a fresh flash image; returns (exit status, stdout, stderr)."""
    img = os.path.join(TMP, name + ".img")
    if os.path.exists(img):
        os.remove(img)
    p = subprocess.run([EMU, "--flash", img, "--load", BOOT, "-v"] + EMU_ARGS + args,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("latin-1"), p.stderr.decode("latin-1")


def with_app(name, version=1):
    rec = os.path.join(TMP, name + ".rec")
    open(rec, "wb").write(record(APP[version], version))
    return ["--load", "%s@0x%08x" % (APP[version], APP_START), "--load", "%s@0x%08x" % (rec, RECORD_ADDR)]


def led_events(log):
    """[(ms, state)] of the board's LED from the board log: "1" lit, "0" dark, "z" not driven."""
    return [(float(t), {LED_ON: "1", LED_OFF: "0"}.get(v, v))
            for t, v in re.findall(r"\[\s*([0-9.]+) ms\] %s = (\S+)" % LED, log)]


def test(fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print("ok", fn.__name__)
    except AssertionError as e:
        failed += 1
        print("FAIL %s: %s" % (fn.__name__, e))
    sys.stdout.flush()


def no_app_stays_in_iap_mode_with_the_led_on():
    rc, out, log = board("noapp", ["--stop-after", "1500"])
    assert rc == 0, "exit %d\n%s" % (rc, log[-2000:])
    ev = led_events(log)
    assert ev and ev[-1][1] == "1", "LED not lit: %s" % ev
    assert "system reset" not in log and "stm32-iap demo" not in out, log[-2000:]


def valid_app_starts_after_the_listening_window_and_blinks_from_its_own_systick():
    rc, out, log = board("app", with_app("app") + ["--uart", "stdio", "--stop-on-uart", "app v1 tick 2",
                                                   "--stop-after", "5000"])
    assert rc == 0, "exit %d\n%s\n%s" % (rc, out, log[-2000:])
    # readable at 115200 with the app's HSI BRR: the bootloader gave back the reset clock tree
    assert "stm32-iap demo app v1" in out, out
    assert "vector table at 0x08002000" in out, out
    ev = [e for e in led_events(log) if e[1] in "01"]
    starts = [t for t, v in ev if v == "1" and t > 300]
    assert len(starts) >= 3, "LED does not blink: %s" % ev
    period = starts[-1] - starts[-2]
    assert 495 < period < 505, "blink period %.1f ms, want 500 (2 Hz)" % period


def app_finds_the_chip_as_after_reset_but_for_vtor():
    # the demo's own check (examples/demo/handover.c): clocks, HSE/PLL, peripheral clocks, the
    # board's GPIO ports, AFIO remap, USART and DMA channels, SysTick, NVIC as after reset
    rc, out, log = board("handover", with_app("handover") + ["--uart", "stdio", "--stop-on-uart",
                                                             "app v1 tick 1", "--stop-after", "3000"])
    assert rc == 0, "exit %d\n%s\n%s" % (rc, out, log[-2000:])
    assert "handover: as after reset" in out, out


def button_held_keeps_a_valid_app_waiting_in_iap_mode():
    rc, out, log = board("button", with_app("button") + ["--uart", "stdio",
                                                         "--pin", ENTRY + "=" + ENTRY_ON,
                                                         "--stop-after", "1500"])
    assert rc == 0 and "stm32-iap demo" not in out, out + log[-2000:]
    assert led_events(log)[-1][1] == "1", log[-2000:]


def released_button_pin_does_not_count_as_held():
    rc, out, log = board("floating", with_app("floating") + ["--uart", "stdio", "--pin", ENTRY + "=z",
                                                             "--stop-on-uart", "demo app v1",
                                                             "--stop-after", "2000"])
    assert rc == 0, "pull-down not effective: exit %d\n%s" % (rc, log[-2000:])


class Link:
    """The board's TCP UART, for reading what the application prints."""

    def __init__(self, port):
        for _ in range(200):
            try:
                self.s = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.05)
        self.buf = b""

    def text_until(self, needle, timeout=20):
        self.s.settimeout(timeout)
        while needle.encode() not in self.buf:
            self.buf += self.s.recv(4096)
        self.buf = b""


def board_tcp(name, port, args):
    img = os.path.join(TMP, name + ".img")
    if os.path.exists(img):
        os.remove(img)
    return subprocess.Popen([EMU, "--flash", img, "--load", BOOT, "-v", "--uart", "tcp:%d" % port,
                             "--realtime"] + EMU_ARGS + args, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_update_command_reboots_into_iap_mode():
    port = free_port()
    p = board_tcp("request", port, with_app("request") + ["--stop-after", "4000"])
    link = Link(port)
    link.text_until("app v1 tick 1")
    link.s.sendall(b"\r#iap-update\r")
    link.text_until("rebooting into the bootloader")
    _, log = p.communicate(timeout=60)
    log = log.decode("latin-1")
    assert "SYSRESETREQ" in log, log[-2000:]
    after = log[log.index("SYSRESETREQ"):]
    ev = led_events(after)
    assert ev and ev[-1][1] == "1", "not in IAP mode after the request: %s" % ev


def streamed_update_replaces_the_app_without_losing_a_byte():
    # 32 KB: 33 page erases stall the CPU while frames keep arriving into the DMA ring
    image = open(APP[2], "rb").read()
    image += bytes((i * 7 + 3) & 0xFF for i in range(32 * 1024 - len(image)))
    port = free_port()
    p = board_tcp("update", port, with_app("update") + ["--stop-on-uart", "app v2 tick 1",
                                                        "--stop-after", "30000"])
    path = os.path.join(TMP, "update.bin")
    open(path, "wb").write(image)
    link = Link(port)
    link.text_until("app v1 tick 1")
    link.s.close()  # the board serves one TCP client: iap is the next
    t0 = time.time()
    r = subprocess.run([IAP, "-p", "tcp://127.0.0.1:%d" % port, "--app-version",
                        "2", "-q", "flash", path], capture_output=True, timeout=60)
    seconds = time.time() - t0
    assert r.returncode == 0, "iap flash: exit %d: %s" % (r.returncode, r.stderr.decode())
    out, log = p.communicate(timeout=60)
    assert p.returncode == 0, "app v2 did not start: exit %d\n%s" % (p.returncode,
                                                                     log.decode("latin-1")[-2000:])
    print("   32 KB streamed in %.2f s (line rate %.2f s)" % (seconds, 32 * 1024 * 10 / 115200))


for f in (no_app_stays_in_iap_mode_with_the_led_on,
          valid_app_starts_after_the_listening_window_and_blinks_from_its_own_systick,
          app_finds_the_chip_as_after_reset_but_for_vtor,
          button_held_keeps_a_valid_app_waiting_in_iap_mode,
          released_button_pin_does_not_count_as_held,
          app_update_command_reboots_into_iap_mode,
          streamed_update_replaces_the_app_without_losing_a_byte):
    test(f)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
