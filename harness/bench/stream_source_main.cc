// bench_stream_source: serves one long stream to every connection (stream_load.h), on
// 127.0.0.1. Prints `listening on 127.0.0.1:PORT` once it listens; runs until SIGTERM or SIGINT
// (then exits 0, as a target parley stops must) or until --connections connections were served.
#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "harness/bench/command_line.h"
#include "harness/bench/stream_load.h"

namespace {

namespace po = boost::program_options;

void ExitCleanly(int) {
  std::_Exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGTERM, ExitCleanly);
  std::signal(SIGINT, ExitCleanly);
  std::uint64_t size = 0;
  std::string file;
  std::string tail;
  bool http = false;
  unsigned port = 0;
  int connections = -1;
  parley::bench::CommandLine command("bench_stream_source",
                                     "bench_stream_source (--size BYTES | --file FILE) [options]");
  // clang-format off
  command.Options()
    ("size", po::value(&size), "pseudo-random bytes to send (a 1 MiB block repeated)")
    ("file", po::value(&file), "send this file's bytes instead")
    ("tail", po::value(&tail), "text sent last")
    ("http", po::bool_switch(&http), "send the bytes as the body of an HTTP/1.1 200 response")
    ("port", po::value(&port), "the port on 127.0.0.1 (default 0: any free port)")
    ("connections", po::value(&connections), "stop after serving this many (default: never)");
  // clang-format on
  if (auto exit_code = command.Parse(argc, argv)) return *exit_code;
  if (file.empty() == !command.Given("size")) return command.Usage("give one of --size and --file");
  parley::bench::StreamContent content;
  if (!file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return command.Usage("cannot read " + file);
    in.seekg(0, std::ios::end);
    content.block.resize(static_cast<std::size_t>(in.tellg()));
    in.seekg(0);
    in.read(content.block.data(), static_cast<std::streamsize>(content.block.size()));
    content.size = content.block.size();
    content.tail = tail;
  } else {
    content = parley::bench::RandomStream(size, tail);
  }
  if (http) content = parley::bench::AsHttpResponse(std::move(content));
  try {
    parley::bench::StreamSource source(std::move(content), static_cast<unsigned short>(port));
    std::printf("listening on 127.0.0.1:%u\n", source.port());
    std::fflush(stdout);
    source.Serve(connections);
  } catch (const std::exception& e) {
    std::cerr << "bench_stream_source: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
