#include "harness/play/bound_match.h"

#include "harness/text/bytes_text.h"
#include "harness/text/text_diff.h"

namespace parley::harness {

namespace {

char LowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

// The offset of the first `needle` in `text`, letters compared in either case; npos if none.
std::size_t FindIgnoringCase(std::string_view text, std::string_view needle) {
  if (needle.size() > text.size()) return std::string_view::npos;
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    if (EqualIgnoringCase(text.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<BoundMatch> BoundMatch::Bind(const TextMatch& match, const Variables& vars,
                                           std::string* error) {
  BoundMatch bound;
  bound.kind_ = match.kind;
  bound.ignore_case_ = match.ignore_case;
  if (match.kind == TextMatch::Kind::kAnyOf) {
    auto alternatives = BindAll(match.any_of, vars, error);
    if (!alternatives) return std::nullopt;
    bound.any_of_ = std::move(*alternatives);
    return bound;
  }
  if (match.kind == TextMatch::Kind::kRegex && match.compiled) {
    bound.text_ = match.compiled->pattern();
    bound.regex_ = match.compiled;
    return bound;
  }
  std::optional<std::string> text;
  if (match.kind == TextMatch::Kind::kRegex) {
    text = match.pattern.Render(vars, error, [](std::string_view v) { return QuoteRegex(v); });
  } else {
    text = match.pattern.Render(vars, error);
  }
  if (!text) return std::nullopt;
  bound.text_ = std::move(*text);
  if (match.kind == TextMatch::Kind::kRegex) {
    bound.regex_ = Regex::Compile(bound.text_, error, match.ignore_case);
    if (!bound.regex_) {
      *error = "bad regex after substituting variables: " + *error;
      return std::nullopt;
    }
  }
  return bound;
}

bool BoundMatch::Matches(std::string_view text, std::vector<std::string>* groups) const {
  switch (kind_) {
    case TextMatch::Kind::kExact:
      return ignore_case_ ? EqualIgnoringCase(text, text_) : text == text_;
    case TextMatch::Kind::kContains:
      return (ignore_case_ ? FindIgnoringCase(text, text_) : text.find(text_)) !=
             std::string_view::npos;
    case TextMatch::Kind::kRegex: {
      std::vector<std::string> found;
      if (!regex_->Search(text, &found)) return false;
      if (groups != nullptr) groups->insert(groups->end(), found.begin(), found.end());
      return true;
    }
    case TextMatch::Kind::kAnyOf:
      for (const BoundMatch& alternative : any_of_) {
        if (alternative.Matches(text, groups)) return true;
      }
      return false;
  }
  return false;
}

bool BoundMatch::Find(std::string_view text, std::size_t* end,
                      std::vector<std::string>* groups) const {
  switch (kind_) {
    case TextMatch::Kind::kExact:
    case TextMatch::Kind::kContains: {
      const std::size_t at = ignore_case_ ? FindIgnoringCase(text, text_) : text.find(text_);
      if (at == std::string_view::npos) return false;
      *end = at + text_.size();
      return true;
    }
    case TextMatch::Kind::kRegex: {
      std::vector<std::string> found;
      if (!regex_->Find(text, end, &found)) return false;
      if (groups != nullptr) groups->insert(groups->end(), found.begin(), found.end());
      return true;
    }
    case TextMatch::Kind::kAnyOf: {
      // The alternative whose match ends first wins: it is the one that arrived first.
      const BoundMatch* first = nullptr;
      std::size_t first_end = 0;
      for (const BoundMatch& alternative : any_of_) {
        std::size_t e = 0;
        if (alternative.Find(text, &e, nullptr) && (first == nullptr || e < first_end)) {
          first = &alternative;
          first_end = e;
        }
      }
      if (first == nullptr) return false;
      return first->Find(text, end, groups);
    }
  }
  return false;
}

std::string BoundMatch::Describe() const {
  const std::string any_case = ignore_case_ ? " (ignoring case)" : "";
  switch (kind_) {
    case TextMatch::Kind::kExact:
      return "exactly " + ShowBytes(text_) + any_case;
    case TextMatch::Kind::kContains:
      return "containing " + ShowBytes(text_) + any_case;
    case TextMatch::Kind::kRegex:
      return "matching /" + EscapeKeepingBackslashes(text_) + "/" + (ignore_case_ ? "i" : "");
    case TextMatch::Kind::kAnyOf: {
      std::string text = "one of: ";
      for (std::size_t i = 0; i < any_of_.size(); ++i)
        text += (i == 0 ? "" : "; ") + any_of_[i].Describe();
      return text;
    }
  }
  return text_;
}

std::string BoundMatch::ExplainMismatch(std::string_view actual) const {
  if (exact_text()) return RenderFullDiff(text_, actual);
  return "expected: " + Describe() + "\n  actual: " + ShowBytes(actual);
}

std::optional<std::vector<BoundMatch>> BindAll(const std::vector<TextMatch>& matches,
                                               const Variables& vars, std::string* error) {
  std::vector<BoundMatch> bound;
  bound.reserve(matches.size());
  for (const TextMatch& match : matches) {
    auto one = BoundMatch::Bind(match, vars, error);
    if (!one) return std::nullopt;
    bound.push_back(std::move(*one));
  }
  return bound;
}

}  // namespace parley::harness
