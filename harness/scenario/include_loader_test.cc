#include "harness/scenario/include_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness/scenario/loader.h"
#include "harness/scenario/payload.h"

namespace parley::harness {
namespace {

// A folder of files for one test, removed after it.
class IncludeTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("parley-include-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "shared");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  LoadResult Load(const std::string& text) {
    Write("main.yaml", text);
    return LoadScenarioFile((dir_ / "main.yaml").string());
  }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

const char kRegister[] = R"(description: registers a client
params:
  conn:
  nick:
  realname: "Parley Test"
steps:
  - send: {on: "${conn}", text: "NICK ${nick}"}
  - send: {on: "${conn}", text: "USER ${nick} 0 * :${realname}"}
  - expect: {on: "${conn}", line: {regex: ' 001 ${nick} '}, skip: 50}
)";

std::string Sent(const Scenario& s, std::size_t i) {
  std::string out, error;
  EXPECT_TRUE(
      RenderPayload(std::get<SendStep>(s.steps.at(i).action).payload, Variables(), &out, &error))
      << error;
  return out;
}

TEST_F(IncludeTest, StepsAreExpandedWithTheirParametersAndKeepTheirFile) {
  Write("shared/register.yaml", kRegister);
  LoadResult r = Load(R"(name: two clients register
target: irc
vars: {second: bob}
steps:
  - connect: {name: a, line_ending: crlf}
  - include: {file: shared/register.yaml, with: {conn: a, nick: alice}}
  - connect: {name: b, line_ending: crlf}
  - include: {file: shared/register.yaml, with: {conn: b, nick: "${second}", realname: Bob}}
)");
  ASSERT_TRUE(r.ok()) << r.error->ToString();
  const Scenario& s = r.scenarios.at(0);
  ASSERT_EQ(s.steps.size(), 8u);
  EXPECT_EQ(Sent(s, 1), "NICK alice\r\n");
  EXPECT_EQ(Sent(s, 2), "USER alice 0 * :Parley Test\r\n");
  EXPECT_EQ(s.steps[1].file, Path("shared/register.yaml"));
  EXPECT_EQ(s.steps[1].where.line, 7);
  EXPECT_EQ(s.steps[4].file, "");  // the scenario's own connect
  const SendStep& nick = std::get<SendStep>(s.steps[5].action);
  EXPECT_EQ(nick.on, "b");
  Variables vars;
  vars.Set("second", "bob");
  std::string out, error;
  ASSERT_TRUE(RenderPayload(nick.payload, vars, &out, &error));
  EXPECT_EQ(out, "NICK bob\r\n");
  const SendStep& user = std::get<SendStep>(s.steps[6].action);
  out.clear();
  ASSERT_TRUE(RenderPayload(user.payload, vars, &out, &error));
  EXPECT_EQ(out, "USER bob 0 * :Bob\r\n");
}

TEST_F(IncludeTest, AnErrorInsideTheIncludedFileNamesThatFile) {
  Write("bad.yaml", "steps:\n  - send: {text: hi}\n  - expect: {line: a, skip: nope}\n");
  LoadResult r = Load("name: x\ntarget: t\nsteps:\n  - connect: c\n  - include: bad.yaml\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->ToString(), Path("bad.yaml") +
                                     ":3:29: 'skip' must be a whole number (included "
                                     "from " +
                                     Path("main.yaml") + ":5)");
}

TEST_F(IncludeTest, ParametersMustBeDeclaredAndGiven) {
  Write("shared/register.yaml", kRegister);
  LoadResult missing =
      Load("name: x\ntarget: t\nsteps:\n  - connect: c\n  - include: shared/register.yaml\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error->ToString(),
            Path("main.yaml") +
                ":5:5: 'shared/register.yaml' needs a value for its parameter 'conn' under 'with'");
  LoadResult unknown = Load(
      "name: x\ntarget: t\nsteps:\n  - connect: c\n"
      "  - include: {file: shared/register.yaml, with: {conn: c, nick: a, nik: b}}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error->ToString(),
            Path("main.yaml") + ":5:68: 'shared/register.yaml' has no parameter 'nik'");
}

TEST_F(IncludeTest, MissingFilesAndLoopsAreErrors) {
  LoadResult missing = Load("name: x\ntarget: t\nsteps:\n  - connect: c\n  - include: nope.yaml\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error->ToString(),
            Path("main.yaml") + ":5:14: cannot read the included file 'nope.yaml' (looked for " +
                Path("nope.yaml") + ")");
  Write("a.yaml", "steps:\n  - include: b.yaml\n");
  Write("b.yaml", "steps:\n  - include: a.yaml\n");
  LoadResult loop = Load("name: x\ntarget: t\nsteps:\n  - include: a.yaml\n");
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.error->message.find("is already being included"), std::string::npos)
      << loop.error->ToString();
  EXPECT_EQ(loop.error->file, Path("b.yaml"));
  Write("notsteps.yaml", "name: a scenario\nsteps: [{sleep: 1ms}]\n");
  LoadResult wrong = Load("name: x\ntarget: t\nsteps:\n  - include: notsteps.yaml\n");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error->ToString(), Path("notsteps.yaml") +
                                         ":1:1: unknown key 'name' in a steps file (expected "
                                         "one of: params, steps, description) (included from " +
                                         Path("main.yaml") + ":4)");
}

TEST_F(IncludeTest, IncludedStepsAreCheckedAgainstTheScenario) {
  Write("talk.yaml", "steps:\n  - send: {on: nobody, text: hi}\n");
  LoadResult r = Load("name: x\ntarget: t\nsteps:\n  - connect: c\n  - include: talk.yaml\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->file, Path("talk.yaml"));
  EXPECT_EQ(r.error->line, 2);
  EXPECT_NE(r.error->message.find("nobody"), std::string::npos) << r.error->message;
}

}  // namespace
}  // namespace parley::harness
