"""--time's durations."""

import unittest

from ci.fuzz.cli import seconds_of


class SecondsOfTest(unittest.TestCase):
    def test_units(self):
        for text, seconds in {"90": 90, "30s": 30, "10m": 600, "8h": 28800, "1d": 86400,
                              "0": 0}.items():
            self.assertEqual(seconds_of(text), seconds, text)

    def test_anything_else_is_refused(self):
        for text in ("", "m", "10ms", "1h30m", "-5", "5 m", "1.5h", "١٠"):
            self.assertIsNone(seconds_of(text), text)


if __name__ == "__main__":
    unittest.main()
