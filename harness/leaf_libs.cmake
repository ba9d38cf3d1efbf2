# The runner's pure libraries: the HTTP response reader, and escaping and diffs of bytes for
# reports. No sockets, so the tests feed them bytes directly.
add_library(parley_harness_text STATIC response_reader.cc bytes_text.cc)

parley_test(response_reader_test SOURCES response_reader_test.cc LIBS parley_harness_text)
parley_test(bytes_text_test SOURCES bytes_text_test.cc LIBS parley_harness_text)
