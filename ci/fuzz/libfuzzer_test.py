"""The report's figures and the progress line, read from libFuzzer's fork-mode logs."""

import tempfile
import unittest
from pathlib import Path

from ci.fuzz import libfuzzer

RUN_1 = """\
INFO: -fork=2: 255 seed inputs, starting to fuzz in /tmp/libFuzzerTemp.FuzzWithFork1.dir
#17853: cov: 3395 ft: 3395 corp: 255 exec/s 8926 oom/timeout/crash: 0/0/0 time: 2s job: 1 dft_time: 0
#46355: cov: 4030 ft: 3633 corp: 394 exec/s 9500 oom/timeout/crash: 1/0/2 time: 6s job: 2 dft_time: 0
INFO: fuzzed for 6 seconds, wrapping up soon
stat::number_of_executed_units: 0
"""
# A resumed run: libFuzzer's counters start again from zero.
RUN_2 = """\
INFO: -fork=2: 394 seed inputs, starting to fuzz in /tmp/libFuzzerTemp.FuzzWithFork2.dir
#20000: cov: 4100 ft: 3700 corp: 420 exec/s 5000 oom/timeout/crash: 0/1/0 time: 4s job: 1 dft_time: 0
"""


class LibFuzzerLogTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.folder = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_stats_sum_the_runs_and_keep_the_last_coverage(self):
        (self.folder / "fuzz.1.log").write_text(RUN_1)
        (self.folder / "fuzz.2.log").write_text(RUN_2)
        s = libfuzzer.stats(self.folder)
        self.assertEqual((s["runs"], s["execs"], s["seconds"]), (2, 66355, 10))
        self.assertEqual((s["cov"], s["ft"]), (4100, 3700))
        self.assertEqual((s["corpus_start"], s["corpus_end"]), (255, 420))
        self.assertEqual((s["ooms"], s["timeouts"], s["crashes"]), (1, 1, 2))

    def test_runs_are_read_in_numeric_order(self):
        # fuzz.10.log sorts before fuzz.2.log as text; the last coverage is run 10's.
        (self.folder / "fuzz.2.log").write_text(RUN_1)
        (self.folder / "fuzz.10.log").write_text(RUN_2)
        self.assertEqual(libfuzzer.stats(self.folder)["cov"], 4100)

    def test_status_is_the_last_status_line_of_the_run(self):
        self.assertEqual(libfuzzer.status(self.folder, 1), "starting")
        (self.folder / "fuzz.1.log").write_text(RUN_1)
        self.assertTrue(libfuzzer.status(self.folder, 1).startswith("#46355: cov: 4030 "))


if __name__ == "__main__":
    unittest.main()
