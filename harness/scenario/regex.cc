#include "harness/scenario/regex.h"

#include <re2/re2.h>

namespace parley::harness {

std::optional<Regex> Regex::Compile(std::string_view pattern, std::string* error,
                                    bool ignore_case) {
  if (pattern.size() > kMaxPatternBytes) {
    *error = "the pattern is longer than " + std::to_string(kMaxPatternBytes) + " bytes";
    return std::nullopt;
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(8 << 20);
  options.set_case_sensitive(!ignore_case);
  auto re =
      std::make_shared<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) {
    *error = re->error();
    return std::nullopt;
  }
  Regex regex;
  regex.re_ = std::move(re);
  regex.pattern_.assign(pattern);
  return regex;
}

int Regex::groups() const {
  return re_->NumberOfCapturingGroups();
}

int Regex::GroupIndex(const std::string& name) const {
  const auto& names = re_->NamedCapturingGroups();
  auto it = names.find(name);
  return it == names.end() ? -1 : it->second;
}

bool Regex::Search(std::string_view text, std::vector<std::string>* groups) const {
  return Find(text, nullptr, groups);
}

bool Regex::Find(std::string_view text, std::size_t* end, std::vector<std::string>* groups) const {
  int n = groups == nullptr ? 0 : re_->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> found(static_cast<std::size_t>(n) + 1);
  if (!re_->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED,
                  found.data(), n + 1)) {
    return false;
  }
  if (end != nullptr)
    *end = static_cast<std::size_t>(found[0].data() - text.data()) + found[0].size();
  if (groups != nullptr) {
    groups->clear();
    for (int i = 1; i <= n; ++i) {
      const re2::StringPiece& piece = found[static_cast<std::size_t>(i)];
      groups->emplace_back(piece.data() == nullptr ? "" : std::string(piece.data(), piece.size()));
    }
  }
  return true;
}

std::string QuoteRegex(std::string_view text) {
  return RE2::QuoteMeta(re2::StringPiece(text.data(), text.size()));
}

}  // namespace parley::harness
