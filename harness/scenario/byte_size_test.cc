#include "harness/scenario/byte_size.h"

#include <gtest/gtest.h>

namespace parley::harness {
namespace {

TEST(ParseByteSize, ReadsNumbersAndBinaryUnits) {
  std::string error;
  EXPECT_EQ(ParseByteSize("1048576", &error), 1048576u);
  EXPECT_EQ(ParseByteSize("0", &error), 0u);
  EXPECT_EQ(ParseByteSize("64K", &error), 65536u);
  EXPECT_EQ(ParseByteSize("64KiB", &error), 65536u);
  EXPECT_EQ(ParseByteSize("64MiB", &error), 64u << 20);
  EXPECT_EQ(ParseByteSize("2G", &error), 2ull << 30);
  EXPECT_EQ(ParseByteSize("2GiB", &error), 2ull << 30);
}

TEST(ParseByteSize, RejectsWhatIsNotASize) {
  for (const char* bad : {"", "MiB", "-1", "1.5GiB", "64 MiB", "64mb", "64KB", "0x10", "12Q"}) {
    std::string error;
    EXPECT_FALSE(ParseByteSize(bad, &error)) << bad;
    EXPECT_EQ(error,
              "'" + std::string(bad) + "' is not a size (write 1048576, 64KiB, 64MiB or 2GiB)");
  }
  std::string error;
  EXPECT_FALSE(ParseByteSize("99999999999GiB", &error));
  EXPECT_EQ(error, "'99999999999GiB' is too large");
  EXPECT_FALSE(ParseByteSize("99999999999999999999999", &error));
}

}  // namespace
}  // namespace parley::harness
