"""How the bench reads a wrk command line and says when wrk, not the server, set the pace."""

import unittest

from ci.bench.peers import CLIENT_BOUND, client_bound, client_load_note, wrk_threads


class WrkThreadsTest(unittest.TestCase):
    def test_the_threads_asked_for(self):
        self.assertEqual(wrk_threads(["wrk", "-t1", "-c50", "http://127.0.0.1:1/"]), 1)
        self.assertEqual(wrk_threads(["wrk", "-t", "4", "-c8"]), 4)
        self.assertEqual(wrk_threads(["wrk", "--threads", "3"]), 3)

    def test_wrk_runs_two_threads_unless_told(self):
        self.assertEqual(wrk_threads(["wrk", "-c8", "-d3s", "http://127.0.0.1:1/"]), 2)


class ClientLoadNoteTest(unittest.TestCase):
    def test_a_client_busy_against_both_servers_set_the_pace(self):
        note = client_load_note([0.97, 0.99, 0.98], [0.96, 0.95, 0.97], "nginx")
        self.assertEqual(note, "wrk busy 98 % of its thread's time against http-server, 96 % "
                               "against nginx (client-bound: the rate is wrk's ceiling on this "
                               "machine for both)")

    def test_client_bound_needs_both_sides_busy(self):
        self.assertTrue(client_bound([0.95, 0.97], [0.91]))
        self.assertFalse(client_bound([0.95, 0.97], [0.5, 0.6]))
        self.assertFalse(client_bound([], [0.99]))

    def test_a_client_with_time_to_spare_against_either_did_not(self):
        note = client_load_note([0.97], [CLIENT_BOUND - 0.01], "nginx")
        self.assertNotIn("client-bound", note)
        self.assertIn("89 % against nginx", note)


if __name__ == "__main__":
    unittest.main()
