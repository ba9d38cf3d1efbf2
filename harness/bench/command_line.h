// The command lines of the bench tools: Boost.Program_options options, `--help`, and one way of
// reporting a usage error (the message, the synopsis and the options on stderr; exit code 2).
//
//   CommandLine command("bench_tool", "bench_tool --port PORT [options]");
//   command.Options()("port", po::value(&port)->required(), "the port");
//   if (auto exit_code = command.Parse(argc, argv)) return *exit_code;
//   if (port == 0) return command.Usage("bad --port");
#ifndef PARLEY_HARNESS_BENCH_COMMAND_LINE_H_
#define PARLEY_HARNESS_BENCH_COMMAND_LINE_H_

#include <boost/program_options.hpp>
#include <optional>
#include <string>

namespace parley::bench {

class CommandLine {
 public:
  // `tool` names the program in messages; `synopsis` is shown after "usage: ".
  CommandLine(std::string tool, std::string synopsis);

  // Where the tool adds its options (--help is there already).
  boost::program_options::options_description_easy_init Options() { return options_.add_options(); }

  // Parses the arguments into the options' variables. Returns nullopt to go on, or the exit
  // code: 0 after --help, 2 after a usage error (both printed).
  std::optional<int> Parse(int argc, char** argv);

  // Prints `error` (if any) and the usage on stderr; returns 2.
  int Usage(const std::string& error) const;

  // Whether an option was given.
  bool Given(const std::string& option) const { return values_.count(option) > 0; }

 private:
  std::string tool_;
  std::string synopsis_;
  boost::program_options::options_description options_{"options"};
  boost::program_options::variables_map values_;
};

}  // namespace parley::bench

#endif  // PARLEY_HARNESS_BENCH_COMMAND_LINE_H_
