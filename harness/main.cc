// parley: plays YAML scenarios against network servers. See docs/runner.md.
#include "harness/cli.h"

int main(int argc, char** argv) {
  return parley::harness::RunParley(argc, argv);
}
