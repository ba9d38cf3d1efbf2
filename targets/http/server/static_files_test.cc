#include "targets/http/server/static_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "targets/http/server/request_path.h"

namespace parley::http {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, std::string_view text) {
  std::ofstream(path, std::ios::binary) << text;
}

// base/site is the root; base/secret.txt lies outside it.
class HttpServerStaticFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "parley-static-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    base_ = pattern;
    root_ = base_ / "site";
    fs::create_directories(root_ / "sub");
    fs::create_directories(root_ / "empty");
    Write(root_ / "index.html", "<p>home</p>");
    Write(root_ / "hello.txt", "hello");
    Write(root_ / "sub" / "index.html", "<p>sub</p>");
    Write(root_ / "sub" / "page.css", "p{}");
    Write(base_ / "secret.txt", "secret");
    fs::create_symlink("hello.txt", root_ / "link-in.txt");
    fs::create_symlink("../secret.txt", root_ / "link-out.txt");
    fs::create_symlink(base_ / "secret.txt", root_ / "link-absolute.txt");
    fs::create_symlink("..", root_ / "up");
    ASSERT_EQ(::mkfifo((root_ / "fifo").c_str(), 0600), 0);
    std::string error;
    auto files = StaticFiles::Open(root_.string(), &error);
    ASSERT_TRUE(files) << error;
    files_.emplace(std::move(*files));
  }
  void TearDown() override { fs::remove_all(base_); }

  // Looks `target` up as the server does: decode, then find.
  LookupStatus Find(std::string_view target, StaticFile& found) {
    std::string path;
    if (DecodeRequestPath(target, TargetForm::kOrigin, path) != PathError::kNone) {
      return LookupStatus::kNotFound;
    }
    return files_->Find(path, found);
  }

  std::string Read(const StaticFile& file) {
    std::string text(file.size, '\0');
    EXPECT_EQ(::pread(file.file.fd(), text.data(), text.size(), 0),
              static_cast<ssize_t>(text.size()));
    return text;
  }

  fs::path base_, root_;
  std::optional<StaticFiles> files_;
};

TEST_F(HttpServerStaticFiles, FindsFilesWithTypeSizeAndDate) {
  StaticFile found;
  ASSERT_EQ(Find("/hello.txt", found), LookupStatus::kFound);
  EXPECT_EQ(Read(found), "hello");
  EXPECT_EQ(found.size, 5u);
  EXPECT_EQ(found.content_type, "text/plain; charset=utf-8");
  struct stat info {};
  ASSERT_EQ(::stat((root_ / "hello.txt").c_str(), &info), 0);
  char expected[kHttpDateSize];
  FormatHttpDate(info.st_mtime, expected);
  EXPECT_EQ(found.last_modified_text(), std::string_view(expected, kHttpDateSize));

  StaticFile css;
  ASSERT_EQ(Find("/sub/page.css", css), LookupStatus::kFound);
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
}

TEST_F(HttpServerStaticFiles, DirectoriesServeTheirIndex) {
  for (const char* target : {"/sub/", "/sub", "/"}) {
    StaticFile found;
    ASSERT_EQ(Find(target, found), LookupStatus::kFound) << target;
    EXPECT_EQ(found.content_type, "text/html; charset=utf-8");
  }
  StaticFile sub;
  ASSERT_EQ(Find("/sub/", sub), LookupStatus::kFound);
  EXPECT_EQ(Read(sub), "<p>sub</p>");
  StaticFile none;
  EXPECT_EQ(Find("/empty/", none), LookupStatus::kNotFound);
  EXPECT_EQ(Find("/empty", none), LookupStatus::kNotFound);
}

TEST_F(HttpServerStaticFiles, SymlinksInsideTheRootWork) {
  StaticFile found;
  ASSERT_EQ(Find("/link-in.txt", found), LookupStatus::kFound);
  EXPECT_EQ(Read(found), "hello");
}

TEST_F(HttpServerStaticFiles, NothingOutsideTheRootIsOpened) {
  for (const char* target : {"/link-out.txt", "/link-absolute.txt", "/up/secret.txt", "/up/",
                             "/missing.txt", "/hello.txt/", "/fifo", "//secret.txt",
                             "/../secret.txt", "/%2e%2e/secret.txt", "/sub/..%2f..%2fsecret.txt"}) {
    StaticFile found;
    EXPECT_EQ(Find(target, found), LookupStatus::kNotFound) << target;
    EXPECT_FALSE(found.file.is_open()) << target;
  }
}

TEST_F(HttpServerStaticFiles, UnreadableFilesAreForbidden) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every file";
  Write(root_ / "locked.txt", "x");
  fs::permissions(root_ / "locked.txt", fs::perms::none);
  StaticFile found;
  EXPECT_EQ(Find("/locked.txt", found), LookupStatus::kForbidden);
}

TEST_F(HttpServerStaticFiles, RootMustBeADirectory) {
  std::string error;
  EXPECT_FALSE(StaticFiles::Open((root_ / "hello.txt").string(), &error));
  EXPECT_NE(error.find("not a directory"), std::string::npos) << error;
  EXPECT_FALSE(StaticFiles::Open((base_ / "nope").string(), &error));
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST_F(HttpServerStaticFiles, RootIsCanonical) {
  std::string error;
  auto files = StaticFiles::Open((root_ / "sub" / ".." / ".").string(), &error);
  ASSERT_TRUE(files) << error;
  EXPECT_EQ(files->root(), fs::canonical(root_).string());
}

}  // namespace
}  // namespace parley::http
