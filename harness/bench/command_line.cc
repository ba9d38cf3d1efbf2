#include "harness/bench/command_line.h"

#include <iostream>

namespace parley::bench {

namespace po = boost::program_options;

CommandLine::CommandLine(std::string tool, std::string synopsis)
    : tool_(std::move(tool)), synopsis_(std::move(synopsis)) {
  options_.add_options()("help,h", "this text");
}

std::optional<int> CommandLine::Parse(int argc, char** argv) {
  try {
    po::store(po::parse_command_line(argc, argv, options_), values_);
    if (Given("help")) {
      Usage("");
      return 0;
    }
    po::notify(values_);
  } catch (const po::error& e) {
    return Usage(e.what());
  }
  return std::nullopt;
}

int CommandLine::Usage(const std::string& error) const {
  if (!error.empty()) std::cerr << tool_ << ": " << error << "\n";
  std::cerr << "usage: " << synopsis_ << "\n\n" << options_;
  return 2;
}

}  // namespace parley::bench
