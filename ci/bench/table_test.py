"""A row's ratio and verdict, and how the table prints them."""

import contextlib
import io
import unittest

from ci.bench.rows import Row, fmt, unavailable
from ci.bench.table import print_table


class RowTest(unittest.TestCase):
    def test_the_ratio_is_the_median_of_the_rounds_when_there_are_rounds(self):
        row = Row("parser", "what", "MB/s", 300.0, "Beast", 100.0, ">= 3x", target=3.0,
                  ratios=[2.0, 4.0, 3.5, None])
        self.assertEqual(row.ratio, 3.5)
        self.assertEqual(row.met, "yes")
        self.assertEqual(row.samples["ratios"], [2.0, 4.0, 3.5])

    def test_else_the_ratio_of_the_medians(self):
        self.assertEqual(Row("s", "w", "u", 150.0, "r", 100.0, "g").ratio, 1.5)

    def test_verdicts(self):
        def met(**kw):
            return Row("s", "w", "u", kw.pop("figure", 2.0), "r", 1.0, "g", **kw).met
        self.assertEqual(met(target=1.0), "yes")
        self.assertEqual(met(target=3.0), "no")
        self.assertEqual(met(target=3.0, higher_is_better=False), "yes")
        self.assertEqual(met(target=1.0, extra_ok=False), "no")  # e.g. a line lost
        self.assertEqual(met(), "-")  # reported, no goal
        self.assertEqual(met(figure=None, target=1.0), "n/a")


class FormatTest(unittest.TestCase):
    def test_figures(self):
        self.assertEqual([fmt(x) for x in (None, 1234567.0, 58.31, 3.14159, 0.00123)],
                         ["-", "1,234,567", "58.3", "3.14", "0.00123"])


class PrintTableTest(unittest.TestCase):
    def test_columns_notes_and_the_long_what_cut(self):
        rows = [Row("fuzz", "x" * 80, "exec/s", 4430.0, "fuzz_empty", 591896.0, "report",
                    target=0.1, notes="a finding"),
                unavailable("chat", "chat", "ncat is missing")]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            print_table(rows)
        lines = out.getvalue().splitlines()
        self.assertEqual(lines[0].split(), ["what", "figure", "unit", "reference", "ratio",
                                            "goal", "met"])
        self.assertEqual(lines[2].split(), ["x" * 70, "4,430", "exec/s", "591,896",
                                            "(fuzz_empty)", "0.01x", "report", "no"])
        self.assertEqual(lines[3].split(), ["chat", "-", "-", "-", "n/a"])
        self.assertEqual(lines[4], "  * %s: a finding" % ("x" * 80))
        self.assertEqual(lines[5], "  * chat: not available: ncat is missing")


if __name__ == "__main__":
    unittest.main()
