"""How long and how often each section measures."""


class Settings:
    """How long and how often to measure: the full run, or --quick."""

    def __init__(self, args):
        quick = args.quick
        self.rounds = args.rounds or (1 if quick else 3)
        self.parser_rounds = 3 if quick else 4 * self.rounds
        self.parser_min_time = 0.05 if quick else 0.1
        self.wrk_seconds = args.duration or (2 if quick else 3)
        self.http_rounds = args.rounds or (1 if quick else 5)
        self.wrk_warmup = 1
        self.idle_connections = 2000 if quick else 10000
        self.memory_rounds = 1 if quick else 2
        self.chat_clients = 100
        self.chat_lines = 10000
        # A fan-out run lasts about 50 ms, and ncat's speed is bimodal from one start to the
        # next: more rounds than elsewhere (each costs about a second).
        self.chat_rounds = args.rounds or (1 if quick else 7)
        self.latency_clients = 201 if quick else 1001
        self.latency_lines = 11 if quick else 31
        self.latency_rounds = 1
        self.runner_count = 200 if quick else 1000
        self.runner_rounds = 1 if quick else 5
        self.stream_rounds = args.rounds or (1 if quick else 7)
        self.stream_big_mib = 256 if quick else 1024
        self.stream_big_rounds = 1 if quick else 5
        self.fuzz_seconds = 3 if quick else 10
        self.fuzz_rounds = 1 if quick else 2

    def describe(self):
        return dict(vars(self))
