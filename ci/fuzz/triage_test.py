"""Triage's naming of a replay: error type, top frames, and the signature a finding's id hashes."""

import unittest

from ci.fuzz.triage import classify, function_name, signature_of

ASAN = """\
INFO: Seed: 3367572216
=================================================================
==12119==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000054 at pc 0x5 bp 0x7 sp 0x7
WRITE of size 6 at 0x602000000054 thread T0
    #0 0x562ea3dd2f89 in __asan_memcpy (/b/bin/fuzz_http_request+0xdef89) (BuildId: 10e3407814)
    #1 0x562ea3e11850 in parley::http::RequestParser::Parse(std::basic_string_view<char, std::char_traits<char> >) /src/targets/http/request_parser.cc:9:3
    #2 0x562ea3e11851 in parley::http::RequestParser::Parse(std::basic_string_view<char, std::char_traits<char> >) /src/targets/http/request_parser.cc:12:3
    #3 0x562ea3e111d8 in parley::fuzz::(anonymous namespace)::ReadWhole(unsigned char const*, unsigned long) /src/harness/fuzz/fuzz_http_request.cc:16:54
    #4 0x562ea3e111d9 in LLVMFuzzerTestOneInput /src/harness/fuzz/fuzz_http_request.cc:30:3
    #5 0x562ea3d372a3 in fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long) (/b/bin/fuzz_http_request+0x432a3)

0x602000000054 is located 0 bytes to the right of 4-byte region [0x602000000050,0x602000000054)
allocated by thread T0 here:
    #0 0x562ea3dd2f00 in malloc (/b/bin/fuzz_http_request+0xdef00)
    #1 0x562ea3e11800 in parley::http::Buffer::Grow(unsigned long) /src/targets/http/buffer.cc:4:3
"""

UBSAN = """\
targets/chat/line.cc:12:30: runtime error: shift exponent 72 is too large for 32-bit type 'int'
    #0 0x5609a313c95c in parley::chat::Shift(int) /src/targets/chat/line.cc:12:30
    #1 0x5609a313c5cf in LLVMFuzzerTestOneInput /src/harness/fuzz/fuzz_chat_line.cc:17:61
"""

DIFFERENTIAL = """\
==FUZZ== property violated: parley and Beast agree
==FUZZ== parley: accepted, Beast: rejected (bad version)
==1== ERROR: libFuzzer: deadly signal
    #0 0x1 in abort
    #1 0x2 in parley::fuzz::PropertyFailed(char const*) /src/harness/fuzz/fuzz_support.cc:20:3
    #2 0x3 in parley::fuzz::Compare(parley::fuzz::Reading const&) /src/harness/fuzz/fuzz_http_differential.cc:80:5
"""


class FunctionNameTest(unittest.TestCase):
    def test_cuts_parameters_file_and_module(self):
        cases = {
            "parley::http::Foo::Bar(int) const /src/x.cc:12:3": "parley::http::Foo::Bar",
            "__asan_memcpy (/b/bin/fuzz_x+0xdef89) (BuildId: 10e3407814)": "__asan_memcpy",
            "std::vector<int, std::allocator<int> >::push_back(int&&) /usr/include/v:1":
                "std::vector<int, std::allocator<int> >::push_back",
            "void f<(anonymous namespace)::T>(int)": "void f<(anonymous namespace)::T>",
            "(anonymous namespace)::CopyHeader(unsigned char const*) /src/c.cc:9:3":
                "(anonymous namespace)::CopyHeader",
            "LLVMFuzzerTestOneInput /src/f.cc:30:3": "LLVMFuzzerTestOneInput",
        }
        for text, name in cases.items():
            self.assertEqual(function_name(text), name, text)


class ClassifyTest(unittest.TestCase):
    def test_asan_kind_and_first_stack_without_noise(self):
        kind, frames, head = classify(ASAN, "crash-abc")
        self.assertEqual(kind, "asan: heap-buffer-overflow")
        # __asan_memcpy and LLVMFuzzerTestOneInput are noise, a repeated frame counts once, and
        # the allocation stack after the blank line is not read.
        self.assertEqual(frames, ["parley::http::RequestParser::Parse",
                                  "parley::fuzz::(anonymous namespace)::ReadWhole"])
        # The head starts at the report, not at libFuzzer's banner.
        self.assertTrue(head.startswith("==12119==ERROR: AddressSanitizer"))
        self.assertIn("RequestParser::Parse", head)

    def test_ubsan_numbers_do_not_split_findings(self):
        kind, frames, _ = classify(UBSAN, "crash-abc")
        self.assertEqual(kind, "ubsan: shift exponent N is too large for N-bit type 'int'")
        self.assertEqual(frames, ["parley::chat::Shift"])

    def test_a_property_names_the_finding_before_the_signal(self):
        kind, frames, head = classify(DIFFERENTIAL, "crash-abc")
        self.assertEqual(kind, "property: parley and Beast agree")
        self.assertEqual(frames, ["parley::fuzz::Compare"])
        self.assertTrue(head.startswith("==FUZZ== property violated"))

    def test_an_input_that_no_longer_fails_is_named_by_its_artifact(self):
        self.assertEqual(classify("Executed x in 2 ms\n", "timeout-abc")[0],
                         "did not reproduce (timeout)")
        self.assertEqual(classify("", "id:000000,sig:06,src:000001")[0],
                         "did not reproduce (id)")


class SignatureTest(unittest.TestCase):
    def test_a_differential_disagreement_adds_what_each_parser_said(self):
        kind, frames, _ = classify(DIFFERENTIAL, "crash-abc")
        self.assertEqual(signature_of("fuzz_http_differential", kind, frames, DIFFERENTIAL),
                         "fuzz_http_differential | property: parley and Beast agree | "
                         "parley::fuzz::Compare | parley: accepted, Beast: rejected")

    def test_otherwise_fuzzer_kind_and_frames(self):
        kind, frames, _ = classify(UBSAN, "crash-abc")
        self.assertEqual(signature_of("fuzz_chat_line", kind, frames, UBSAN),
                         "fuzz_chat_line | %s | parley::chat::Shift" % kind)


if __name__ == "__main__":
    unittest.main()
