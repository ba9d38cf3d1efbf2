// bench_stream_client: the plain client of the stream rows (stream_load.h): reads one stream to
// its end, optionally checking it, and prints one JSON object with the result. Exits 1 when
// reading or the check failed, 2 on a usage error.
#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>
#include <string>

#include "harness/bench/command_line.h"
#include "harness/bench/stream_load.h"

namespace {

namespace po = boost::program_options;
using parley::bench::StreamCheck;

}  // namespace

int main(int argc, char** argv) {
  unsigned port = 0;
  std::string equal_file;
  std::string contains;
  parley::bench::CommandLine command(
      "bench_stream_client",
      "bench_stream_client --port PORT [--equal-file FILE | --contains TEXT]");
  // clang-format off
  command.Options()
    ("port", po::value(&port)->required(), "the source's port on 127.0.0.1")
    ("equal-file", po::value(&equal_file), "check that the stream is this file's bytes")
    ("contains", po::value(&contains), "check that the stream contains this text");
  // clang-format on
  if (auto exit_code = command.Parse(argc, argv)) return *exit_code;
  StreamCheck check;
  if (!equal_file.empty()) {
    check = StreamCheck::Equal(equal_file);
  } else if (command.Given("contains")) {
    check = StreamCheck::Contains(contains);
  }
  const auto result = parley::bench::ReadStream(
      {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, &check);
  std::printf("{\"bytes\": %llu, \"seconds\": %.6f, \"error\": \"%s\"}\n",
              static_cast<unsigned long long>(result.bytes), result.seconds, result.error.c_str());
  return result.error.empty() ? 0 : 1;
}
